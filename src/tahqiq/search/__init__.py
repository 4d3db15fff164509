"""Search within a case, shared by the API and the pages: identifiers (CNIC, phone, plate, IBAN,
chassis), entity ids, and names in any script through an in-memory name index; the results grouped
into people (resolved clusters); and the merged profile of one person. Every search is one read
through the case's view (decided, and audited once with keyed hashes of what was searched).

    with gate.session(me, case, purpose) as view:
        for hit in search(view, "محمد اسلم"): hit.kind, hit.entity
        search_people(view, "محمد اسلم").cards        # one card per person
        profile(view, entity_id).facts                # every value of the person once, with its sources
"""

from tahqiq.search.names import NameIndex, find_by_name, index_for
from tahqiq.search.people import CANDIDATES, FACETS, PAGE_SIZE, Card, Facet, PeopleResult, RecordRef, search_people
from tahqiq.search.profile import Fact, Linked, Profile, Record, Ref, merge_facts, profile
from tahqiq.search.query import BadQuery, Hit, detect, detected_kinds, query_key, search

__all__ = ["BadQuery", "CANDIDATES", "Card", "FACETS", "Fact", "Facet", "Hit", "Linked", "NameIndex", "PAGE_SIZE",
           "PeopleResult", "Profile", "Record", "RecordRef", "Ref", "detect", "detected_kinds", "find_by_name",
           "index_for", "merge_facts", "profile", "query_key", "search", "search_people"]
