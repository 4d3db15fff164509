"""Entity resolution: telling when two records name the same person.

This package currently holds the Pakistani-name canonicaliser (``names``) that the resolution
engine's comparisons and watchlist screening both use. Names identify people; nothing here infers
religion, ethnicity, caste, gender or any other attribute from a name.
"""

from tahqiq.resolve.names import (
    ParsedName,
    canonical_tokens,
    name_key,
    name_similarity,
    parse_name,
    skeleton_key,
)

__all__ = [
    "ParsedName",
    "canonical_tokens",
    "name_key",
    "name_similarity",
    "parse_name",
    "skeleton_key",
]
