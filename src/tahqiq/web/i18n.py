"""The interface's languages: English (the source strings) and Urdu, right to left.

Templates mark text with ``{{ _("Search") }}`` / ``{% trans %}`` (Jinja2's i18n extension) and the
page scripts with ``Tahqiq.t("Search")`` (app.js); Babel extracts both into ``locale/messages.pot``
(``make messages``) and the translations live in ``locale/<lang>/LC_MESSAGES/messages.po``, read at
start-up (no compiled .mo files to keep in step). The reader's language comes from the ``lang``
cookie that the language switch sets (``/language/<code>``), else ``TAHQIQ_LANGUAGE``, else English.
"""

from __future__ import annotations

import io
import os
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "English", "ur": "اردو"}
RIGHT_TO_LEFT = {"ur"}
COOKIE = "lang"

_current: ContextVar[str] = ContextVar("tahqiq_language", default="en")


def default_language() -> str:
    lang = os.environ.get("TAHQIQ_LANGUAGE", "en").strip().lower()
    return lang if lang in LANGUAGES else "en"


def language_of(request: Request) -> str:
    """The language this request is answered in: the reader's choice (cookie), else the deployment's."""
    lang = (request.cookies.get(COOKIE) or "").strip().lower()
    return lang if lang in LANGUAGES else default_language()


@cache
def translations(lang: str) -> NullTranslations:
    """The catalogue of `lang`, compiled in memory from its .po file (English needs none)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)  # fuzzy entries are left out, as gettext does
    buf.seek(0)
    return Translations(fp=buf)


def use_language(lang: str) -> None:
    """Render what follows in `lang` (set per request by the page renderer)."""
    _current.set(lang if lang in LANGUAGES else "en")


def current_language() -> str:
    return _current.get()


def is_rtl(lang: str | None = None) -> bool:
    return (lang or current_language()) in RIGHT_TO_LEFT


def gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return str(translations(current_language()).pgettext(context, message))


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return str(translations(current_language()).npgettext(context, singular, plural, n))


@cache
def script_catalog(lang: str) -> dict[str, str]:
    """Every translated message of `lang`, for the page scripts' ``Tahqiq.t`` (served as one JSON)."""
    if lang == "en":
        return {}
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return {}
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in catalog
            if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy}


__all__ = ["COOKIE", "LANGUAGES", "LOCALE_DIR", "current_language", "default_language", "gettext", "is_rtl",
           "language_of", "ngettext", "npgettext", "pgettext", "script_catalog", "translations", "use_language"]
