"""Plain words for the audit log: what each action code means, as a sentence about the records it
names ("opened the record of Muhammad Aslam (Person, NADRA)", "searched for a name"), in the
reader's language.

The log keeps codes (`read.entities`, `read.search`) and ids; `tahqiq.api.trail.describe` turns an
entry into facts (captions read through the gate, the kinds searched), and this module phrases
them. Messages are whole sentences with named values, marked with `N_` and translated when shown.
A code this table does not know is phrased by its family (a read, a case change) and the code is
always shown beside the sentence as a small hint.
"""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup, escape

from tahqiq.api.trail import Described, EntityRef
from tahqiq.web.i18n import N_, gettext, ngettext

# code -> (sentence naming the records, sentence without records). %(records)s: the records' names.
ACTIONS: dict[str, tuple[str | None, str]] = {
    "read.entities": (N_("opened the record of %(records)s"), N_("opened records")),
    "read.profile": (N_("opened the profile of %(records)s"), N_("opened a person's profile")),
    "read.resolved": (N_("read the merged records of %(records)s"), N_("read a person's merged records")),
    "read.subjects": (N_("read the case's subjects: %(records)s"), N_("read the case's subjects")),
    "read.graph": (N_("explored the link graph around %(records)s"), N_("explored the link graph")),
    "read.graph.start": (N_("opened the link graph at %(records)s"), N_("opened the link graph")),
    "read.graph.details": (N_("looked at the details of %(records)s in the graph"), N_("looked at a graph node")),
    "read.graph.paths": (N_("searched paths between %(records)s"), N_("searched paths in the link graph")),
    "read.case_graph": (N_("read the case's graph: %(records)s"), N_("read the case's graph")),
    "read.timeline": (N_("read the timeline of %(records)s"), N_("read the case's timeline")),
    "read.places": (N_("read the map of %(records)s"), N_("read the map of the case's events")),
    "read.notes": (N_("read notes about %(records)s"), N_("read the case's notes")),
    "read.source_records": (None, N_("read records as the source delivered them")),
    "read.quarantine": (None, N_("read a row held back at loading")),
    "read.bulk": (None, N_("started a bulk export of the store")),
    "read.bulk.done": (None, N_("finished a bulk export of the store")),
    "read.review": (N_("read the review of %(records)s"), N_("read the review queue")),
    "read.watchlist": (None, N_("read a watchlist")),
    "read.watchlist.case": (None, N_("read the case's watchlist entries")),
    "read.watchlist.bulk": (None, N_("read the watchlists in bulk")),
    "read.watchlist.person": (N_("read the watchlist entries about %(records)s"),
                              N_("read a person's watchlist entries")),
    "read.chart": (None, N_("opened a saved chart")),
    "read.charts": (None, N_("listed the case's saved charts")),
    "session.open": (None, N_("opened a case to read its data")),
    "alert.read": (N_("read alerts about %(records)s"), N_("read alerts")),
    "alert.route": (None, N_("routed alerts to districts")),
    "alert.feedback": (None, N_("recorded what came of an alert")),
    "audit.read": (None, N_("looked at the audit log")),
    "audit.names": (N_("read the names of records shown in the audit log: %(records)s"),
                    N_("read the names of records shown in the audit log")),
    "audit.head": (None, N_("checked the audit log's signed tree head")),
    "audit.export": (None, N_("downloaded the audit log")),
    "audit.prove": (None, N_("asked for proof that an entry is in the audit log")),
    "stats": (None, N_("read statistics (counts only)")),
    "auth.login": (None, N_("signed in")),
    "auth.logout": (None, N_("signed out")),
    "auth.lockout": (None, N_("was locked out after failed sign-ins")),
    "auth.unlock": (None, N_("lifted a sign-in lock")),
    "case.open": (None, N_("opened the case")),
    "case.close": (None, N_("closed the case")),
    "case.extend": (None, N_("extended the case")),
    "case.add_member": (None, N_("added a member to the case")),
    "case.remove_member": (None, N_("removed a member from the case")),
    "case.attach_subject": (N_("named %(records)s a subject of the case"), N_("named a subject of the case")),
    "chart.save": (None, N_("saved a chart")),
    "note.add": (N_("added a note about %(records)s"), N_("added a note")),
    "evidence.add": (None, N_("added evidence")),
    "evidence.list": (None, N_("listed the case's evidence")),
    "evidence.export": (None, N_("exported evidence")),
    "export": (N_("exported the case's records: %(records)s"), N_("exported the case")),
    "user.add": (None, N_("added a user account")),
    "user.disable": (None, N_("disabled a user account")),
    "user.list": (None, N_("listed the user accounts")),
    "token.create": (None, N_("created an API token")),
    "token.revoke": (None, N_("revoked an API token")),
    "retention.set": (None, N_("set a source's retention period")),
    "retention.run": (None, N_("applied the retention periods")),
    "retention.delete": (None, N_("deleted records past their retention period")),
    "watchlist.add": (None, N_("added an entry to a watchlist")),
    "watchlist.import": (None, N_("imported a watchlist")),
    "watchlist.expire": (None, N_("expired watchlist entries")),
    "resolve.read": (None, N_("read records for entity resolution")),
    "resolve.decide": (N_("decided whether %(records)s are the same person"),
                       N_("decided whether records are the same person")),
    "search.index": (None, N_("brought the name index of search up to date")),
    "screen.query": (None, N_("screened values against the watchlists")),
}
SEARCHES = ("read.search", "read.find", "read.find_name")
FAMILIES = {"read": N_("read records"), "alert": N_("acted on an alert"), "case": N_("changed the case"),
            "audit": N_("looked at the audit log"), "resolve": N_("worked on entity resolution"),
            "watchlist": N_("changed a watchlist"), "evidence": N_("handled evidence")}
# What a search looked for: the model's searchable types and names.
KINDS = {"cnic": N_("a CNIC"), "phone": N_("a phone number"), "plate": N_("a registration plate"),
         "iban": N_("an IBAN"), "chassis": N_("a chassis number"), "passport": N_("a passport number"),
         "name": N_("a name")}
KIND_NAMES = {"any": N_("Anything search accepts"), "name": N_("Name (any script or spelling)"), "cnic": N_("CNIC"),
              "phone": N_("Phone (any format)"), "plate": N_("Registration plate"), "iban": N_("IBAN"),
              "chassis": N_("Chassis number")}
DECISIONS = {"grant": N_("allowed"), "deny": N_("refused"), "info": N_("noted")}
LOOKUP_PROBLEMS = {
    "nothing": N_("This value is no CNIC, phone number, plate, IBAN or chassis number, and has no letters "
                  "for a name."),
    "no_letters": N_("A name needs at least one letter."),
    "unknown_kind": N_("Choose what kind of value was searched."),
    "not_a_cnic": N_("This is not a CNIC (13 digits, with or without dashes)."),
    "not_a_phone": N_("This is not a phone number."),
    "not_a_plate": N_("This is not a registration plate."),
    "not_a_iban": N_("This is not an IBAN."),
    "not_a_chassis": N_("This is not a chassis number."),
}


def record_name(ref: EntityRef) -> str:
    """A record as people call it: its caption, else its kind and identifier ("Vehicle LEK-200")."""
    if not ref.present:
        return gettext("a record no longer in the store")
    if ref.caption:
        return ref.caption
    if ref.identifier:
        return gettext("%(kind)s %(identifier)s") % {"kind": gettext(ref.kind or "record"),
                                                     "identifier": ref.identifier}
    return gettext(ref.kind or "record")


def _kind(ref: EntityRef) -> str:
    # gettext("") would be the catalogue's header, never a word
    return gettext(ref.kind) if ref.kind else ""


def _source(ref: EntityRef, sources: Mapping[str, str] | None) -> str:
    """The source by its label in the reader's language ("NADRA ID registry extract"), not its code."""
    if not ref.source:
        return ""
    label = (sources or {}).get(ref.source)
    return gettext(label) if label else ref.source


def record_label(ref: EntityRef, sources: Mapping[str, str] | None = None) -> str:
    """Name, kind and source as plain text: "Muhammad Aslam (Person, NADRA ID registry extract)"."""
    if not ref.present or not ref.caption:
        return record_name(ref)
    return gettext("%(name)s (%(kind)s, %(source)s)") % {"name": ref.caption, "kind": _kind(ref),
                                                         "source": _source(ref, sources)}


def record_html(ref: EntityRef, sources: Mapping[str, str] | None = None) -> Markup:
    """The same, as a link to this record's own trail (who else read it); names isolated (<bdi>)."""
    if not ref.present:
        return Markup('<span class="muted">{}</span>').format(record_name(ref))
    if ref.caption:
        isolated = '<bdi lang="ur" dir="rtl">{}</bdi>' if ref.rtl else '<bdi dir="auto">{}</bdi>'
        name = Markup(isolated).format(ref.caption)
        name = Markup(escape(gettext("%(name)s (%(kind)s, %(source)s)"))) % {
            "name": name, "kind": _kind(ref), "source": _source(ref, sources)}
    elif ref.identifier:
        name = Markup(escape(gettext("%(kind)s %(identifier)s"))) % {
            "kind": gettext(ref.kind or "record"),
            "identifier": Markup('<bdi dir="ltr">{}</bdi>').format(ref.identifier)}
    else:
        name = escape(gettext(ref.kind or "record"))
    return Markup('<a href="/oversight?entity={}" title="{}" data-testid="record-link">{}</a>').format(
        ref.id, gettext("Who read this record"), name)


def what(d: Described, *, html: bool = True, sources: Mapping[str, str] | None = None) -> Markup | str:
    """The entry as one sentence about its records (HTML with links, or plain text for a CSV);
    `sources` names the sources (code -> label, `Gate.source_labels`)."""
    names = [record_html(e, sources) if html else record_label(e, sources) for e in d.entities]
    if d.more_entities:
        more = ngettext("%(num)s more", "%(num)s more", d.more_entities) % {"num": d.more_entities}
        names.append(escape(more) if html else more)
    records: Markup | str = Markup(", ").join(names) if html else ", ".join(str(n) for n in names)
    if d.action in SEARCHES:
        kinds = [gettext(KINDS[k]) for k in d.searched if k in KINDS] or [gettext("a value")]
        sentence = gettext("searched for %(what)s") % {"what": gettext("%(first)s or %(second)s") % {
            "first": ", ".join(kinds[:-1]), "second": kinds[-1]} if len(kinds) > 1 else kinds[0]}
        if d.count is not None and d.decision == "grant":
            sentence = ngettext("%(search)s and was shown %(num)s record", "%(search)s and was shown %(num)s records",
                                d.count) % {"search": sentence, "num": d.count}
        return escape(sentence) if html else sentence
    with_records, without = ACTIONS.get(d.action, (None, FAMILIES.get(d.action.split(".")[0], N_("did something"))))
    if with_records and names:
        message = gettext(with_records)
        return Markup(escape(message)) % {"records": records} if html else message % {"records": records}
    if d.action == "audit.read" and d.filters and d.filters.get("value"):
        without = N_("looked up who searched a value, in the audit log")
    return escape(gettext(without)) if html else gettext(without)


def decision_label(decision: str) -> str:
    return gettext(DECISIONS[decision]) if decision in DECISIONS else decision


def lookup_problem(code: str) -> str:
    return gettext(LOOKUP_PROBLEMS.get(code, N_("This value cannot be looked up.")))


__all__ = ["ACTIONS", "DECISIONS", "KINDS", "KIND_NAMES", "decision_label", "lookup_problem", "record_html",
           "record_label", "record_name", "what"]
