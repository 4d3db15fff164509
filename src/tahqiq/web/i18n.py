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
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import IO

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


def N_(message: str) -> str:
    """Mark `message` for extraction where it is defined (a module-level table) and translate it
    where it is shown, with `gettext(message)`: at import time the reader's language is unknown."""
    return message


def gettext(message: str) -> str:
    if not message:  # gettext("") is the catalogue's header (its metadata), never what a page wants
        return ""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return str(translations(current_language()).pgettext(context, message))


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return str(translations(current_language()).npgettext(context, singular, plural, n))


@cache
def script_catalog(lang: str) -> dict[str, str | list[str]]:
    """Every translated message of `lang`, for the page scripts' ``Tahqiq.t`` and ``Tahqiq.nt``
    (served as one JSON): a message's translation, or for a plural message (keyed by its singular)
    the list of its forms, chosen in app.js by the language's plural rule."""
    if lang == "en":
        return {}
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return {}
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out: dict[str, str | list[str]] = {}
    for m in catalog:
        if not m.id or m.fuzzy or m.context:
            continue
        if isinstance(m.id, str) and isinstance(m.string, str) and m.string:
            out[m.id] = m.string
        elif isinstance(m.id, (tuple, list)) and isinstance(m.string, (tuple, list)) and all(m.string):
            out[str(m.id[0])] = [str(form) for form in m.string]
    return out


def extract_model_labels(fileobj: object, keywords: object, comment_tags: object,
                         options: object) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for the entity model (babel.cfg maps src/tahqiq/model/schema.yml to it): the
    labels people read (schemata, properties, types, as `tahqiq.model.schema.model()` gives them,
    declared or derived) go into the catalogue, so that pages show ``{{ _(fact.label) }}`` in the
    reader's language. The model stays the one place where labels are written."""
    from tahqiq.model.schema import model

    m = model()
    seen: set[str] = set()

    def once(label: str, where: str) -> Iterator[tuple[int, str, str, list[str]]]:
        if label and label not in seen:
            seen.add(label)
            yield 0, "_", label, [f"entity model: {where}"]

    for t in m.types.values():
        yield from once(t.label, f"type {t.name}")
    for schema in m.schemata.values():
        yield from once(schema.label, f"schema {schema.name}")
        for p in schema.properties.values():
            yield from once(p.label, f"property {schema.name}.{p.name}")
    # The graph's relation names are the model's labels, or derived from its identifier types
    # ("same_cnic" -> "Same CNIC"): the link chart and the entity page show them translated.
    from tahqiq.graph import relation_label, relation_names

    for relation in relation_names():
        yield from once(relation_label(relation), f"graph relation {relation}")


def extract_source_labels(fileobj: IO[bytes], keywords: object, comment_tags: object,
                          options: object) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for the ingest mappings (babel.cfg maps src/tahqiq/generate/mappings/*.yml to
    it): a mapping's `label` names its source on the pages ("Police FIRs (synthetic)"), shown
    through `source_label(name)` in the reader's language."""
    import yaml

    doc = yaml.safe_load(fileobj.read().decode("utf-8")) or {}
    label = doc.get("label") if isinstance(doc, dict) else None
    if isinstance(label, str) and label.strip():
        yield 0, "_", label.strip(), [f"source {doc.get('source') or ''}".strip()]


def untranslated(lang: str) -> list[str]:
    """The messages of `lang`'s catalogue that have no translation yet (or only a fuzzy one)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    missing = []
    for m in catalog:
        if not m.id:
            continue
        forms = m.string if isinstance(m.string, (tuple, list)) else [m.string]
        if m.fuzzy or not all(forms):
            missing.append(m.id[0] if isinstance(m.id, (tuple, list)) else m.id)
    return missing


def report_untranslated(langs: list[str]) -> None:
    """`make messages` ends with this: what the translators still have to do."""
    for lang in langs:
        missing = untranslated(lang)
        print(f"{lang}: {len(missing)} message(s) to translate in {LOCALE_DIR / lang / 'LC_MESSAGES' / 'messages.po'}")
        for message in missing:
            print(f"  {message!r}")


__all__ = ["COOKIE", "LANGUAGES", "LOCALE_DIR", "N_", "current_language", "default_language", "extract_model_labels",
           "extract_source_labels",
           "gettext", "is_rtl", "language_of", "ngettext", "npgettext", "pgettext", "report_untranslated",
           "script_catalog", "translations", "untranslated", "use_language"]
