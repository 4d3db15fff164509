"""Check the hand-curated name lexicon (run: ``python -m tahqiq.names.data.check_lexicon``).

Reports, without changing anything:

1. Urdu forms whose consonant skeleton differs from the skeleton of their canonical Roman token
   (expected only where Urdu spelling and Roman convention disagree, e.g. چوہدری/chaudhry);
2. Roman or Urdu spellings listed under two canonical tokens (the first row wins at run time);
3. spelling-key collisions between canonical names (left out of the key table at run time);
4. with ``--rigour``: whether each Urdu form shares a Wikidata name symbol with its canonical
   Roman token according to rigour (a second opinion on the Urdu spellings);
5. with ``--pakgender``: how many of pakgender's 5,189 Romanised first names the lexicon resolves.

Exit status 1 if (1) or (2) finds something not listed in ``KNOWN_SKELETON_EXCEPTIONS``.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from collections.abc import Iterator
from importlib import resources

from tahqiq.names.lexicon import fold, lookup_roman, roman_skeleton, spelling_key
from tahqiq.names.urdu import urdu_skeleton

# Urdu spellings whose skeleton legitimately differs from the Roman convention.
KNOWN_SKELETON_EXCEPTIONS = {
    "چوہدری",  # chaudhry: Urdu writes ہ before د, Roman writes dh
    "چودہری",
    "ذوالفقار",  # ال of the Arabic article is written, not pronounced: zulfiqar
    "ذوالقرنین",
    "مسمی",  # mst: abbreviation
    "مسماۃ",
    "مسمات",
    "صاحب",  # sahab/sb
    "ڈاکٹر",  # dr: abbreviation
    "انجینئر",
    "پروفیسر",
    "مسٹر",
    "مرحومہ",
    "الحاج",  # haji
    "بریگیڈیئر",
    "لیفٹیننٹ",
    "سارجنٹ",
    "انسپکٹر",
    "کانسٹیبل",
    "کیپٹن",
    "کرنل",
    "میجر",
    "جنرل",
    "ایڈووکیٹ",
    "بیرسٹر",
    "ریٹائرڈ",
    "جسٹس",
    "مس",
    "بیبی",
    "قرۃ",
    "طہٰ",  # taha: final ہ is a consonant here
    "طہ",
    "ام",  # umme: the izafat vowel is not written
}


def rows() -> Iterator[tuple[str, str, list[str], list[str]]]:
    text = resources.files("tahqiq.names").joinpath("data/name_lexicon.csv").read_text("utf-8")
    reader = csv.reader(line for line in text.splitlines() if line and not line.startswith("#"))
    next(reader)
    for canonical, kind, roman, urdu in reader:
        yield canonical.strip(), kind.strip(), roman.split(), urdu.split()


def main(argv: list[str]) -> int:
    problems = 0
    seen_roman: dict[str, str] = {}
    seen_urdu: dict[str, str] = {}
    by_key: dict[str, set[str]] = defaultdict(set)
    entries = list(rows())
    n_urdu = n_urdu_ok = 0
    for canonical, kind, roman, urdu in entries:
        for v in [canonical, *roman]:
            if v in seen_roman and seen_roman[v] != canonical:
                print(f"duplicate roman {v!r}: {seen_roman[v]} and {canonical}")
                problems += 1
            seen_roman.setdefault(v, canonical)
            if kind == "name" and len(v) > 2:
                by_key[spelling_key(v)].add(canonical)
        for u in urdu:
            f = fold(u)
            if f in seen_urdu and seen_urdu[f] != canonical:
                print(f"duplicate urdu {u}: {seen_urdu[f]} and {canonical}")
                problems += 1
            seen_urdu.setdefault(f, canonical)
            n_urdu += 1
            a, b = urdu_skeleton(f), roman_skeleton(canonical)
            if a == b:
                n_urdu_ok += 1
            elif u not in KNOWN_SKELETON_EXCEPTIONS:
                print(f"skeleton {canonical} ({b}) != {u} ({a})")
                problems += 1
    for key, canon in sorted(by_key.items()):
        if len(canon) > 1:
            print(f"info: spelling key {key!r} shared by {sorted(canon)} (exact spellings only)")
    print(f"{len(entries)} entries, {len(seen_roman)} Roman spellings, {n_urdu} Urdu spellings; "
          f"{n_urdu_ok}/{n_urdu} Urdu spellings share the canonical token's skeleton")

    if "--rigour" in argv:
        from rigour.names import NameTypeTag, analyze_names

        def symbols(text: str) -> set[str]:
            out: set[str] = set()
            for name in analyze_names(NameTypeTag.PER, [text], consolidate=False):
                for span in name.spans:
                    if str(span.symbol).startswith("[NAME:"):
                        out.add(str(span.symbol))
            return out

        shared = known_both = 0
        for canonical, kind, _roman, urdu in entries:
            if kind != "name":
                continue
            rs = symbols(canonical)
            for u in urdu:
                us = symbols(u)
                if rs and us:
                    known_both += 1
                    if rs & us:
                        shared += 1
                    else:
                        print(f"rigour: {canonical} and {u} share no name symbol")
        print(f"rigour: {shared}/{known_both} Urdu spellings known to rigour share a symbol with the Roman form")

    if "--pakgender" in argv:
        import importlib.util
        import json
        from pathlib import Path

        spec = importlib.util.find_spec("pakgender")  # not imported: it pulls in pandas
        assert spec is not None and spec.submodule_search_locations
        path = Path(next(iter(spec.submodule_search_locations))) / "data" / "names.json"
        first = json.loads(path.read_text("utf-8"))["first_names"]
        hits = sum(1 for n in first if lookup_roman(n.lower().replace(" ", "")) is not None)
        print(f"pakgender: {hits}/{len(first)} first names resolve to a lexicon entry")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
