"""How a name match is scored beyond the name, and how it is explained to the operator.

The name similarity comes from the resolution canonicaliser; a date of birth and a father's name,
when both the query and the entry have them, move it: agreement a little up (it confirms), a clear
difference further down (namesakes are common; a different father usually means another person).
A name alone can still reach the threshold: the operator sees the disagreement and decides.
"""

from __future__ import annotations

from tahqiq.names import ParsedName, name_similarity, parse_name, token_skeleton

SAME_BIRTH_DATE, OTHER_BIRTH_YEAR = 0.05, -0.15
FATHER_AGREES, FATHER_DIFFERS = 0.05, -0.15
FATHER_AGREES_AT, FATHER_DIFFERS_BELOW = 0.85, 0.6


def weigh_evidence(name_score: float, dob: str | None, entry_dob: str | None, father: str | None,
                   entry_father: str | None, cache: dict[str, float]) -> tuple[float, dict]:
    """(score in [0, 1], explanation fields). `cache` holds father similarities for one query."""
    score = name_score
    detail: dict = {"name_score": round(name_score, 4)}
    if dob and entry_dob:
        if dob == entry_dob:
            detail["birth_date"], score = "same", score + SAME_BIRTH_DATE
        elif dob[:4] == entry_dob[:4]:
            detail["birth_date"] = "same year, different day"
        else:
            detail["birth_date"], score = "differs", score + OTHER_BIRTH_YEAR
    else:
        detail["birth_date"] = "not compared (" + ("not on the entry" if dob else "not in the query") + ")"
    if father and entry_father:
        fsim = cache.get(entry_father)
        if fsim is None:
            fsim = cache[entry_father] = name_similarity(father, entry_father)
        if fsim >= FATHER_AGREES_AT:
            verdict, score = "agrees", score + FATHER_AGREES
        elif fsim < FATHER_DIFFERS_BELOW:
            verdict, score = "differs", score + FATHER_DIFFERS
        else:
            verdict = "unclear"
        detail["father_name"] = {"score": round(fsim, 4), "result": verdict}
    else:
        detail["father_name"] = "not compared (" + ("not on the entry" if father else "not in the query") + ")"
    return max(0.0, min(1.0, score)), detail


def explain_name_match(query: ParsedName, entry_name: str, corrected: dict[str, str], candidates: int,
                       truncated: bool) -> dict:
    """Which words matched and how: the part of a hit's explanation that concerns the name."""
    entry = parse_name(entry_name)
    q_tokens, e_tokens = set(query.given), set(entry.given) | set(entry.alias)
    q_skel = {token_skeleton(t) or t for t in q_tokens}
    e_skel = {token_skeleton(t) or t for t in e_tokens}
    if sorted(query.given) == sorted(entry.given):
        how = "same canonical name"
    elif q_skel == e_skel:
        how = "same consonant skeletons"
    else:
        how = "shared name words"
    out = {
        "matched_name": entry_name,
        "via": how,
        "query_tokens": list(query.given),
        "entry_tokens": list(entry.given),
        "shared_tokens": sorted(q_tokens & e_tokens),
        "shared_skeletons": sorted(q_skel & e_skel),
        "candidates": candidates,
    }
    fixes = {bad: good for good, bad in corrected.items() if good in e_tokens}
    if fixes:
        out["corrected_spelling"] = fixes
    if entry.alias and set(entry.alias) & q_tokens:
        out["alias"] = list(entry.alias)
    if truncated:
        out["truncated"] = True  # a very common name: only the first candidates of its key were read
    return out
