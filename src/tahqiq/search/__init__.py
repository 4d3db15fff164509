"""Search within a case, shared by the API and the pages: identifiers (CNIC, phone, plate, IBAN,
chassis), entity ids, and names in any script through an in-memory name index. Every lookup is a
read through the case's view (decided and audited with keyed hashes of what was searched).

    with gate.session(me, case, purpose) as view:
        for hit in search(view, "محمد اسلم"): hit.kind, hit.entity
"""

from tahqiq.search.names import NameIndex, find_by_name, index_for
from tahqiq.search.query import Hit, detect, detected_kinds, search

__all__ = ["Hit", "NameIndex", "detect", "detected_kinds", "find_by_name", "index_for", "search"]
