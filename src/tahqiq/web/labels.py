"""Words for the codes the rooms below return: role names, a case's legal basis and status, and the
gate's refusals, in the reader's language.

The rooms keep codes ("analyst", "fir", "closed") and the gate words its refusals for the audit log
in English; the web layer phrases them for people. Each table is keyed by the owning room's own
constants, and tests/web/test_i18n.py checks that every code has its words, so a new role or basis
cannot appear untranslated. Messages are marked with `N_` where they are listed and translated with
`gettext` when shown (at import time the reader's language is not known).
"""

from __future__ import annotations

import re
from datetime import datetime

from markupsafe import Markup

from tahqiq.govern import ADMIN, ANALYST, AUDITOR, SUPERVISOR
from tahqiq.web.i18n import N_, gettext

ROLE_LABELS = {ANALYST: N_("Analyst"), SUPERVISOR: N_("Supervisor"), AUDITOR: N_("Auditor"), ADMIN: N_("Administrator")}
# govern.cases.BASIS_KINDS: the legal basis a case names.
BASIS_LABELS = {"fir": N_("FIR"), "warrant": N_("Warrant")}
# A case's status (govern.cases), and "expired": open but past its expiry, so it grants nothing.
CASE_STATUS_LABELS = {"open": N_("open"), "closed": N_("closed"), "expired": N_("expired")}


def role_label(role: str) -> str:
    """A role's name in the reader's language ("analyst" -> "Analyst" / "تجزیہ کار")."""
    return gettext(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def basis_label(kind: str) -> str:
    return gettext(BASIS_LABELS[kind]) if kind in BASIS_LABELS else kind.upper()


def case_status(status: str) -> str:
    return gettext(CASE_STATUS_LABELS[status]) if status in CASE_STATUS_LABELS else status


def schema_label(schema: str) -> str:
    """A kind of record ("PlateRead") by its model label in the reader's language ("Plate read")."""
    from tahqiq.model.schema import model

    found = model().schemata.get(schema)
    return gettext(found.label) if found is not None else schema


def search_kind(kind: str) -> str:
    """What a search took the text for ("cnic", "name", "plate"): the model's type label ("CNIC")."""
    from tahqiq.model.schema import model

    found = model().types.get(kind)
    return gettext(found.label) if found is not None else kind


N_("%(first)s or %(second)s")  # a choice of two, used below to name the roles a refusal asks for

# The gate's refusals (govern.cases.case_access, govern.views), recognised by their shape and
# phrased again as whole sentences with named values; identifiers and names stay isolated (<bdi>)
# so that they keep their order inside an Urdu sentence. An unknown reason is shown as the gate
# worded it: better English than nothing.
_REFUSALS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"auditors read the audit log, never personal data"),
     N_("Auditors read the audit log, never personal data.")),
    (re.compile(r"admins manage users; the role grants no reading of personal data"),
     N_("Administrators manage users; the role grants no reading of personal data.")),
    (re.compile(r"role '(?P<role>[^']*)' may not read personal data"),
     N_("The role %(role)s may not read personal data.")),
    (re.compile(r"personal data can only be read for a case: name the case"),
     N_("Personal data can only be read for a case: name the case.")),
    (re.compile(r"there is no case '(?P<case>[^']*)'"), N_("There is no case %(case)s.")),
    (re.compile(r"case (?P<case>\S+) is (?P<status>\w+): it grants nothing"),
     N_("Case %(case)s is %(status)s: it grants nothing.")),
    (re.compile(r"case (?P<case>\S+) expired on (?P<when>\d{4}-\d\d-\d\d \d\d:\d\d) UTC: it grants nothing"),
     N_("Case %(case)s expired on %(when)s: it grants nothing.")),
    (re.compile(r"case (?P<case>\S+) names no FIR or warrant"), N_("Case %(case)s names no FIR or warrant.")),
    (re.compile(r"(?P<user>\S+) is not a member of case (?P<case>\S+)"),
     N_("%(user)s is not a member of case %(case)s.")),
    (re.compile(r"(?P<user>\S+)'s agency \((?P<agency>[^)]*)\) is not the case's agency"),
     N_("The agency of %(user)s (%(agency)s) is not the case's agency.")),
    (re.compile(r"this needs a named person, not a scheduled job"),
     N_("This needs a named person, not a scheduled job.")),
    (re.compile(r"role '(?P<role>[^']*)' may not do this \(needs (?P<needs>.*)\)"),
     N_("The role %(role)s may not do this (it needs %(needs)s).")),
]


def refusal(reason: str) -> Markup:
    """The gate's refusal `reason` as a sentence in the reader's language (HTML-safe)."""
    from tahqiq.web import when  # the package imports this module: import at call time

    for pattern, message in _REFUSALS:
        m = pattern.fullmatch(reason.strip())
        if m is None:
            continue
        values: dict[str, Markup] = {}
        for key, raw in m.groupdict().items():
            if key == "role":
                values[key] = Markup("<bdi>{}</bdi>").format(role_label(raw))
            elif key == "status":
                values[key] = Markup("<bdi>{}</bdi>").format(case_status(raw))
            elif key == "needs":
                names = [role_label(r.strip()) for r in raw.split(" or ")]
                either = names[0]
                for other in names[1:]:
                    either = gettext("%(first)s or %(second)s") % {"first": either, "second": other}
                values[key] = Markup("<bdi>{}</bdi>").format(either)
            elif key == "when":
                utc = datetime.fromisoformat(raw + "+00:00")
                values[key] = Markup('<bdi dir="ltr" class="ident">{}</bdi>').format(when(utc))
            else:
                values[key] = Markup('<bdi dir="ltr" class="ident">{}</bdi>').format(raw)
        # The message's own text is escaped (a translation cannot inject markup); the values are markup.
        return Markup.escape(gettext(message)) % values
    return Markup("{}").format(reason)


__all__ = ["BASIS_LABELS", "CASE_STATUS_LABELS", "ROLE_LABELS", "basis_label", "case_status", "refusal",
           "role_label", "schema_label", "search_kind"]
