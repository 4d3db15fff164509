"""The analysts' web application: server-rendered pages (Jinja2 + htmx), static assets, offline map.

The server side (authentication, JSON API, gated queries) lives in ``tahqiq.api``; this package owns
what the browser sees. ``tahqiq.api.app.create_app`` mounts ``STATIC_DIR`` at ``/static`` and
includes ``tahqiq.web.pages.router`` and ``tahqiq.web.maps.router``. Front-end libraries come from
npm (web/package.json) and are copied into ``static/vendor`` by ``make assets``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
VENDOR_DIR = STATIC_DIR / "vendor"
DATA_DIR = WEB_DIR / "data"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def bidi(value: object) -> Markup:
    """Text that may be Urdu, isolated so that it cannot scramble the line around it: Urdu script
    gets lang="ur" (the Nastaliq font) and right-to-left direction; anything else dir="auto"."""
    text = "" if value is None else str(value)
    if _ARABIC.search(text):
        return Markup('<bdi lang="ur" dir="rtl">{}</bdi>').format(text)
    return Markup('<bdi dir="auto">{}</bdi>').format(escape(text))


def when(value: object) -> str:
    """A timestamp as analysts read it: date and minutes, no microseconds. Stored times are UTC and
    say so; event times from sources keep the local time they were recorded in (e.g. +05:00)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") + (" UTC" if value.utcoffset() is not None else "")
    text = "" if value is None else str(value)
    return text[:16].replace("T", " ") if re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text) else text


templates.env.filters["bidi"] = bidi
templates.env.filters["when"] = when

__all__ = ["DATA_DIR", "STATIC_DIR", "TEMPLATES_DIR", "VENDOR_DIR", "WEB_DIR", "bidi", "templates", "when"]
