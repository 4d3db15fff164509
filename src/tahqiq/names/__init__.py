"""Names across spellings and scripts: the Pakistani-name canonicaliser that resolution, screening
and search share (a leaf room: it imports nothing of Tahqiq's).

    parse_name("Mohd. Aslam s/o Ghulam Rasool")      # ParsedName(given=("muhammad", "aslam"), ...)
    name_key("محمد اسلم") == name_key("Muhammad Aslam")
    name_similarity("Mohd Aslam", "Muhammad Aslam")  # 0..1

Names identify people; nothing here infers religion, ethnicity, caste, gender or any other
attribute from a name. See docs/resolve-names.md.
"""

from tahqiq.names.canonical import ParsedName, canonical_tokens, name_key, parse_name, skeleton_key
from tahqiq.names.similarity import name_similarity
from tahqiq.names.tokens import token_skeleton

__all__ = ["ParsedName", "canonical_tokens", "name_key", "name_similarity", "parse_name", "skeleton_key",
           "token_skeleton"]
