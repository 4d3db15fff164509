"""How a name match is scored beyond the name, and how it is explained to the operator.

The name similarity comes from the resolution canonicaliser; a date of birth (or year) and a
father's name, when both the query and the entry have them, move it: agreement up (it confirms: a
record that drops the family name, "Yaqoob" for "Yaqoob Virk", is still found when the father and
the birth year agree), a clear difference further down (namesakes are common; a different father
usually means another person). Fathers who share no name word are different without being scored
(screen.ranking). A name alone can still reach the threshold: the operator sees the disagreement
and decides.
"""

from __future__ import annotations

from tahqiq.names import ParsedName, parse_name, token_skeleton

SAME_BIRTH_DATE, SAME_BIRTH_YEAR, OTHER_BIRTH_YEAR = 0.05, 0.05, -0.15
FATHER_AGREES, FATHER_DIFFERS = 0.10, -0.15
FATHER_AGREES_AT, FATHER_DIFFERS_BELOW = 0.85, 0.6
# The father and the birth date (or year) agreeing together are two independent facts: more than
# the sum of each, so a record with a slip and a dropped family name ("Usma" for "Usama Dogar")
# still reaches the threshold when both agree.
BOTH_AGREE = 0.05
# How far agreeing facts can lift a name's score: a name this far below the threshold is still scored.
EVIDENCE_HEADROOM = max(SAME_BIRTH_DATE, SAME_BIRTH_YEAR) + FATHER_AGREES + BOTH_AGREE
NO_WORD_IN_COMMON = "no name word in common"


def describe_evidence(name_score: float, dob: str | None, year: int | None, entry_dob: str | None,
                      father: str | None, entry_father: str | None, father_score: float) -> dict:
    """The explanation fields of one hit, matching how `screen.ranking.rank` scored it
    (`father_score` NaN: the fathers share no name word and were taken as different unscored)."""
    detail: dict = {"name_score": round(name_score, 4)}
    if (dob or year) and entry_dob:
        if dob and dob == entry_dob:
            detail["birth_date"] = "same"
        elif int(entry_dob[:4]) == (int(dob[:4]) if dob else year):
            detail["birth_date"] = "same year, different day" if dob else "same year"
        else:
            detail["birth_date"] = "differs"
    else:
        detail["birth_date"] = "not compared (" + ("not on the entry" if dob or year else "not in the query") + ")"
    if father and entry_father:
        if father_score != father_score:  # NaN
            detail["father_name"] = {"score": None, "result": "differs", "why": NO_WORD_IN_COMMON}
        else:
            verdict = ("agrees" if father_score >= FATHER_AGREES_AT else
                       "differs" if father_score < FATHER_DIFFERS_BELOW else "unclear")
            detail["father_name"] = {"score": round(father_score, 4), "result": verdict}
    else:
        detail["father_name"] = "not compared (" + ("not on the entry" if father else "not in the query") + ")"
    return detail


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
