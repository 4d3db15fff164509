"""The analysts' web application: server-rendered pages (Jinja2 + htmx), static assets, offline map.

The server side (authentication, JSON API, gated queries) lives in ``tahqiq.api``; this package owns
what the browser sees. ``tahqiq.api.app.create_app`` mounts ``STATIC_DIR`` at ``/static`` and
includes ``tahqiq.web.pages.router`` and ``tahqiq.web.maps.router``. Front-end libraries come from
npm (web/package.json) and are copied into ``static/vendor`` by ``make assets``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from tahqiq.config import local_zone
from tahqiq.web import i18n, labels

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
VENDOR_DIR = STATIC_DIR / "vendor"
DATA_DIR = WEB_DIR / "data"

templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(),
                                           extensions=["jinja2.ext.i18n"]))
templates.env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
    i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext, npgettext=i18n.npgettext)

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def bidi(value: object) -> Markup:
    """Text that may be Urdu, isolated so that it cannot scramble the line around it: Urdu script
    gets lang="ur" (the Nastaliq font) and right-to-left direction; anything else dir="auto"."""
    text = "" if value is None else str(value)
    if _ARABIC.search(text):
        return Markup('<bdi lang="ur" dir="rtl">{}</bdi>').format(text)
    return Markup('<bdi dir="auto">{}</bdi>').format(escape(text))


def ident(value: object) -> Markup:
    """An identifier (CNIC, phone, plate, IBAN, chassis, case reference) kept left to right wherever it
    stands, above all inside an Urdu line, where "35202-1234567-1" would otherwise be reordered:
    ``{{ cnic | ident }}`` gives ``<bdi dir="ltr" class="ident">35202-1234567-1</bdi>``."""
    text = "" if value is None else str(value)
    return Markup('<bdi dir="ltr" class="ident">{}</bdi>').format(text)


def local_time(value: datetime) -> datetime:
    """`value` in the reader's zone (naive datetimes are UTC: that is how the store keeps them)."""
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(local_zone())


def when(value: object, seconds: bool = False) -> str:
    """A time as people read it: local date and minutes with the zone's name ("2026-11-29 14:10
    PKT"). ISO strings are parsed first, so a source's "+05:00" and the store's UTC read the same."""
    if isinstance(value, str) and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", value):
        text = value
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text[:16].replace("T", " ")
    if isinstance(value, datetime):
        local = local_time(value)
        return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + f" {local.tzname()}"
    return "" if value is None else str(value)


def when_shown(value: object, seconds: bool = False) -> str:
    """The `when` template filter: `when`, kept in its left-to-right order inside an Urdu line
    ("2026-11-29 14:10 PKT" would otherwise read "PKT 14:10 2026-11-29" there). The isolating marks
    (U+2066 ... U+2069) are invisible and work inside attributes too; English pages get none, and
    `when` itself, for files and JSON, never has them."""
    text = when(value, seconds)
    return f"\u2066{text}\u2069" if text and i18n.is_rtl() else text


def zone_label() -> str:
    """The short name of the reader's zone now ("PKT"), for column headings and the page scripts."""
    return datetime.now(local_zone()).tzname() or str(local_zone())


templates.env.filters["bidi"] = bidi
templates.env.filters["when"] = when_shown
templates.env.filters["ident"] = ident
templates.env.globals["role_label"] = labels.role_label
templates.env.globals["basis_label"] = labels.basis_label
templates.env.globals["case_status"] = labels.case_status
templates.env.filters["refusal"] = labels.refusal
templates.env.globals["zone_label"] = zone_label
templates.env.globals["zone_name"] = lambda: str(local_zone())
templates.env.globals["languages"] = i18n.LANGUAGES
templates.env.globals["rtl_languages"] = i18n.RIGHT_TO_LEFT

__all__ = ["DATA_DIR", "STATIC_DIR", "TEMPLATES_DIR", "VENDOR_DIR", "WEB_DIR", "bidi", "ident", "local_time",
           "templates", "when", "when_shown", "zone_label"]
