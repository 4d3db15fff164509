"""Alerts in words: one sentence per rule kind (and per kind of event), from the facts the alert
room hands over (`tahqiq.alerts.AlertFacts`), in the reader's language.

Every message is a whole sentence with named values, so that a translator can reorder it. Values
are escaped; identifiers (plates, CNICs, accounts) are wrapped in `<bdi dir="ltr">` so that they
keep their order inside Urdu text; times are local with the zone's label; windows are human
durations ("30 minutes", "3 days"), never seconds.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape

from tahqiq.alerts import AlertFacts
from tahqiq.web import bidi, when
from tahqiq.web.i18n import gettext as _
from tahqiq.web.i18n import ngettext


def ident(value: object) -> Markup:
    """An identifier kept left to right inside any text."""
    return Markup('<bdi dir="ltr" class="ident">{}</bdi>').format("" if value is None else str(value))


def span(seconds: float | int | None) -> str:
    """A duration as people say it: the largest whole unit ("30 minutes", "6 hours", "3 days").
    Each unit is its own ngettext call, so that extraction finds the messages."""
    s = int(round(seconds or 0))

    def whole(unit: int) -> int | None:
        return round(s / unit) if s >= unit and (s % unit == 0 or s >= 3 * unit) else None

    if (n := whole(86400)) is not None:
        return ngettext("%(num)s day", "%(num)s days", n) % {"num": n}
    if (n := whole(3600)) is not None:
        return ngettext("%(num)s hour", "%(num)s hours", n) % {"num": n}
    if (n := whole(60)) is not None:
        return ngettext("%(num)s minute", "%(num)s minutes", n) % {"num": n}
    return ngettext("%(num)s second", "%(num)s seconds", s) % {"num": s}


def _fmt(message: str, **values: object) -> Markup:
    """A translated message with its values escaped (Markup values, like identifiers, kept)."""
    return Markup(escape(message)) % {k: v if isinstance(v, Markup) else escape("" if v is None else str(v))
                                      for k, v in values.items()}


def _what(f: AlertFacts) -> Markup:
    return ident(f.seen[0].value) if f.seen else escape(f.rule_title)


def _place(f: AlertFacts) -> Markup:
    return bidi(f.where.name or f.where.point_id or _("an unnamed place"))


def _district(f: AlertFacts) -> Markup:
    return bidi(f.where.district or _("an unknown district"))


def _time(at: datetime | None) -> str:
    return when(at) if at else _("an unknown time")


def _amount(f: AlertFacts) -> str:
    return " ".join(x for x in (f.amount, f.currency) if x) or _("an unknown amount")


def sentence(f: AlertFacts) -> Markup:
    """What happened, in one sentence, for every rule kind of the stream room."""
    what, at, rule = _what(f), _time(f.at), f.rule_title
    camera, checkpoint = f.where.point_kind == "camera", f.where.point_kind == "checkpoint"
    if f.kind == "watchlist":
        if camera:
            return _fmt(_("Vehicle %(plate)s, on a watchlist, was read by camera %(camera)s in %(district)s "
                          "at %(time)s."), plate=what, camera=_place(f), district=_district(f), time=at)
        if checkpoint:
            return _fmt(_("CNIC %(cnic)s, on a watchlist, was checked at checkpoint %(checkpoint)s in %(district)s "
                          "at %(time)s."), cnic=what, checkpoint=_place(f), district=_district(f), time=at)
        if f.amount is not None:
            return _fmt(_("Account %(account)s, on a watchlist, took part in a transfer of %(amount)s at %(time)s."),
                        account=what, amount=_amount(f), time=at)
        return _fmt(_("%(what)s, on a watchlist, was seen in %(district)s at %(time)s."), what=what,
                    district=_district(f), time=at)
    if f.kind == "match":
        if camera:
            return _fmt(_("Vehicle %(plate)s was read by camera %(camera)s in %(district)s at %(time)s, matching "
                          "the rule “%(rule)s”."), plate=what, camera=_place(f), district=_district(f), time=at,
                        rule=rule)
        if checkpoint:
            return _fmt(_("CNIC %(cnic)s was checked at checkpoint %(checkpoint)s in %(district)s at %(time)s, "
                          "matching the rule “%(rule)s”."), cnic=what, checkpoint=_place(f), district=_district(f),
                        time=at, rule=rule)
        if f.amount is not None:
            return _fmt(_("A transfer of %(amount)s at %(time)s matched the rule “%(rule)s”."), amount=_amount(f),
                        time=at, rule=rule)
        return _fmt(_("%(what)s matched the rule “%(rule)s” at %(time)s."), what=what, rule=rule, time=at)
    w = f.window
    if w is None:  # a window rule whose evidence lost its window: say what is known
        return _fmt(_("%(what)s matched the rule “%(rule)s” at %(time)s."), what=what, rule=rule, time=at)
    values = {"what": what, "num": w.count, "span": span(w.span_s), "first": _time(w.first), "last": _time(w.last)}
    if w.type == "event_count":
        if camera:
            return _fmt(ngettext("Vehicle %(what)s was read %(num)s time within %(span)s, from %(first)s to %(last)s.",
                                 "Vehicle %(what)s was read %(num)s times within %(span)s, from %(first)s to "
                                 "%(last)s.", w.count), **values)
        if checkpoint:
            return _fmt(ngettext("CNIC %(what)s was checked %(num)s time within %(span)s, from %(first)s to %(last)s.",
                                 "CNIC %(what)s was checked %(num)s times within %(span)s, from %(first)s to "
                                 "%(last)s.", w.count), **values)
        if f.amount is not None:
            return _fmt(ngettext("Account %(what)s made %(num)s matching transfer within %(span)s, from %(first)s "
                                 "to %(last)s.", "Account %(what)s made %(num)s matching transfers within %(span)s, "
                                 "from %(first)s to %(last)s.", w.count), **values)
        return _fmt(ngettext("%(what)s: %(num)s matching event within %(span)s, from %(first)s to %(last)s.",
                             "%(what)s: %(num)s matching events within %(span)s, from %(first)s to %(last)s.",
                             w.count), **values)
    if w.type == "value_count":
        if w.counted == "camera_id":
            return _fmt(ngettext("Vehicle %(what)s was read by %(num)s camera within %(span)s, from %(first)s to "
                                 "%(last)s.", "Vehicle %(what)s was read by %(num)s different cameras within "
                                 "%(span)s, from %(first)s to %(last)s.", w.count), **values)
        if w.counted == "checkpoint_id":
            return _fmt(ngettext("CNIC %(what)s was checked at %(num)s checkpoint within %(span)s, from %(first)s to "
                                 "%(last)s.", "CNIC %(what)s was checked at %(num)s different checkpoints within "
                                 "%(span)s, from %(first)s to %(last)s.", w.count), **values)
        return _fmt(ngettext("%(what)s: %(num)s different value of %(field)s within %(span)s, from %(first)s to "
                             "%(last)s.", "%(what)s: %(num)s different values of %(field)s within %(span)s, from "
                             "%(first)s to %(last)s.", w.count), field=w.counted or "?", **values)
    # temporal_ordered
    steps = len(w.members) or 2
    return _fmt(_("%(what)s did the %(num)s steps of “%(rule)s” in order within %(span)s: the first at %(first)s, "
                  "the last at %(last)s."), **{**values, "num": steps}, rule=rule)


def group_summary(count: int, first: datetime, last: datetime) -> str:
    """"3 alerts in 25 minutes" for a card of repeats."""
    seconds = max(60.0, (last - first).total_seconds())
    return ngettext("%(num)s alert in %(span)s", "%(num)s alerts in %(span)s", count) % {"num": count,
                                                                                          "span": span(seconds)}


def status_label(status: str) -> str:
    return {"new": _("New"), "acknowledged": _("Acknowledged"), "verified": _("Verified"),
            "false_positive": _("False positive"), "dispatched": _("Dispatched"), "closed": _("Closed"),
            "open": _("Open (not closed)")}.get(status, status)


def severity_label(severity: str) -> str:
    return {"critical": _("Critical"), "high": _("High"), "medium": _("Medium"), "low": _("Low")}.get(severity,
                                                                                                    severity)


def step_sentence(step: dict[str, object]) -> Markup:
    """Who did what when: "Verified by ayesha at 2026-11-29 14:12 PKT"."""
    user, at = bidi(step.get("user")), when(step.get("at"))
    action = step.get("action")
    if action == "dispatch":
        return _fmt(_("Dispatched to %(unit)s by %(user)s at %(time)s"), unit=bidi(step.get("unit") or "?"),
                    user=user, time=at)
    message = {"acknowledge": _("Acknowledged by %(user)s at %(time)s"),
               "verify": _("Verified by %(user)s at %(time)s"),
               "false_positive": _("Marked a false positive by %(user)s at %(time)s"),
               "close": _("Closed by %(user)s at %(time)s")}.get(str(action), _("%(action)s by %(user)s at %(time)s"))
    return _fmt(message, user=user, time=at, action=str(action))


__all__ = ["group_summary", "ident", "sentence", "severity_label", "span", "status_label", "step_sentence"]
