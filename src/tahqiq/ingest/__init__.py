"""Ingest: declarative mappings turn agency files into entities with provenance; bad rows go to
quarantine with a reason; re-runs add nothing and killed runs resume."""

from tahqiq.ingest.mapping import Mapping, MappingError, load_mapping
from tahqiq.ingest.readers import InputError
from tahqiq.ingest.runner import IngestResult, ingest

__all__ = ["Mapping", "MappingError", "load_mapping", "InputError", "IngestResult", "ingest"]
