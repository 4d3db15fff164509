"""Sigma rules, read with pySigma, as rules of the stream engine (tahqiq.stream.rulefile).

Only log sources Tahqiq reads are taken: Linux auth/syslog text (`product: linux`, service auth,
sshd, sudo, syslog or none) as AuthEvent, web server access logs (`category: webserver`) as
WebRequest, and the Windows Security and System logs as WindowsEvent. Each converted rule is built
as the same YAML dict a person would write and validated by the engine's own loader, so it is
exactly a hand-written rule. A rule that cannot be converted faithfully is refused with one line
saying why (the field, modifier or construct) rather than loaded with a different meaning.

Choices that keep the meaning:
- `endswith` (and wildcards inside a value) become an anchored, escaped, case-insensitive `|re`:
  the engine has no suffix index, and a regex is exact, where a widened `contains` would not be.
- `cidr` becomes the engine's own `|cidr` (the value parsed as an address, tried against the
  networks); a regex could not express a network range soundly.
- Unfielded values (Sigma keywords) match inside the whole log line (`line|contains`); Windows
  events have no such line, so keyword rules for Windows are refused.
- `windash`, `base64`, `base64offset` and `utf16*` before a base64 step are plain value
  expansions (pySigma computes the alternatives), so they load as a list of alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sigma.collection import SigmaCollection
from sigma.conditions import ConditionAND
from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationRule, SigmaCorrelationType
from sigma.correlations import SigmaCorrelationConditionOperator as CorrOp
from sigma.exceptions import (
    SigmaAuthorError,
    SigmaDateError,
    SigmaDescriptionError,
    SigmaError,
    SigmaFalsePositivesError,
    SigmaFieldsError,
    SigmaLevelError,
    SigmaLicenseError,
    SigmaModifiedError,
    SigmaReferencesError,
    SigmaRelatedError,
    SigmaScopeError,
    SigmaStatusError,
    SigmaTagError,
    SigmaTaxonomyError,
)
from sigma.modifiers import reverse_modifier_mapping
from sigma.rule import SigmaDetection, SigmaDetectionItem, SigmaRule
from sigma.types import (
    CompareOperators,
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

from tahqiq.stream import condition as cond
from tahqiq.stream.rulefile import Rule, RuleError, parse_rules

__all__ = ["LINUX_FIELDS", "UNSUPPORTED", "WEB_FIELDS", "Refusal", "Share", "SigmaLoad", "load_sigma"]

# Sigma field names -> the fields the log readers produce (see docs on the log event schemata).
LINUX_FIELDS = {
    "USER": "target_user", "COMMAND": "command", "TTY": "tty", "pam_user": "user", "pam_rhost": "src_ip",
    "user": "user", "User": "user", "host": "host", "hostname": "host", "program": "program", "pid": "pid",
    "src_ip": "src_ip", "rhost": "src_ip", "facility": "facility", "severity": "severity",
    # The syslog message part is machine output: the reader keeps it as `line`.
    "message": "line", "msg": "line",
}
WEB_FIELDS = {
    # SigmaHQ's webserver rules use cs-uri-query for the whole request target (path and query).
    "c-uri": "url", "cs-uri": "url", "cs-uri-query": "url", "c-uri-query": "uri_query",
    "c-uri-stem": "uri_path", "cs-uri-stem": "uri_path", "c-useragent": "user_agent", "cs-user-agent": "user_agent",
    "cs-useragent": "user_agent",
    "cs(User-Agent)": "user_agent", "cs-method": "method", "sc-status": "status", "cs-referer": "referrer",
    "cs-referrer": "referrer", "cs(Referer)": "referrer", "cs-host": "host", "clientip": "src_ip", "c-ip": "src_ip",
    "src_ip": "src_ip", "cs-username": "user", "sc-bytes": "bytes", "cs-version": "protocol",
}
_LINUX_SERVICES = {None: None, "auth": None, "syslog": None, "sshd": ("program|startswith", "sshd"),
                   "sudo": ("program", "sudo")}
_WINDOWS_CHANNELS = {"security": "Security", "system": "System"}
_LEVELS = {"informational": "low", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
UNSUPPORTED = "(unsupported log source)"
# pySigma's complaints about metadata only (a `related` type, a date format...): the detection
# itself is parsed and means the same, so these do not stop a rule from loading.
_METADATA_ERRORS = (SigmaAuthorError, SigmaDateError, SigmaDescriptionError, SigmaFalsePositivesError,
                    SigmaFieldsError, SigmaLevelError, SigmaLicenseError, SigmaModifiedError, SigmaReferencesError,
                    SigmaRelatedError, SigmaScopeError, SigmaStatusError, SigmaTagError, SigmaTaxonomyError)


class Refused(Exception):
    """A rule that cannot be converted faithfully; the message is the one-line reason."""


@dataclass(frozen=True)
class Refusal:
    path: str
    rule_id: str
    title: str
    reason: str


@dataclass(frozen=True)
class Share:
    loaded: int
    total: int

    @property
    def ratio(self) -> float:
        return self.loaded / self.total if self.total else 0.0


@dataclass
class SigmaLoad:
    rules: list[Rule] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    rule_dicts: list[dict[str, Any]] = field(default_factory=list)  # the converted rules as rule-file YAML
    counts: dict[str, list[int]] = field(default_factory=dict)  # schema -> [loaded, total]

    def share_by_source(self) -> dict[str, Share]:
        """Loaded / total per supported log source (event schema), plus the rules whose log source
        Tahqiq does not read, under UNSUPPORTED (never loaded)."""
        return {k: Share(v[0], v[1]) for k, v in sorted(self.counts.items())}

    def to_yaml(self) -> str:
        return yaml.safe_dump({"rules": self.rule_dicts}, sort_keys=False, allow_unicode=True, width=120)


@dataclass(frozen=True)
class _Source:
    schema: str
    fields: dict[str, str] | None  # None: Windows names map to themselves
    keyword_field: str | None
    scope: tuple[str, Any] | None  # a field condition every event of the source meets


def _source(rule: SigmaRule) -> _Source:
    ls = rule.logsource
    product, service, category = ls.product, ls.service, ls.category
    if category == "webserver":
        return _Source("WebRequest", WEB_FIELDS, "line", None)
    if product == "linux" and category is None and service in _LINUX_SERVICES:
        return _Source("AuthEvent", LINUX_FIELDS, "line", _LINUX_SERVICES[service])
    if product == "windows" and category is None and service in _WINDOWS_CHANNELS:
        return _Source("WindowsEvent", None, None, ("Channel", _WINDOWS_CHANNELS[service]))
    described = "/".join(f"{k}:{v}" for k, v in (("product", product), ("category", category),
                                                    ("service", service)) if v)
    raise Refused(f"unsupported log source {described or '(none)'}")


# --- values ---------------------------------------------------------------------------------------

def _wild_regex(parts: list[Any], case: bool) -> str:
    """A regex for a Sigma string with wildcards: anchored at each end that has no `*`."""
    lead = bool(parts) and parts[0] == SpecialChars.WILDCARD_MULTI
    trail = bool(parts) and parts[-1] == SpecialChars.WILDCARD_MULTI
    while parts and parts[0] == SpecialChars.WILDCARD_MULTI:
        parts = parts[1:]
    while parts and parts[-1] == SpecialChars.WILDCARD_MULTI:
        parts = parts[:-1]
    body = "".join(".*" if p == SpecialChars.WILDCARD_MULTI else "." if p == SpecialChars.WILDCARD_SINGLE
                   else re.escape(p) for p in parts)
    flags = "(?s)" if case else "(?is)"
    return flags + ("" if lead else "^") + body + ("" if trail else r"\Z")


def _string(value: SigmaString, keyword: bool) -> tuple[str, Any]:
    """(engine modifier, value) for a Sigma string; "exists" for one that matches any value."""
    parts = list(value.s)
    if any(isinstance(p, Placeholder) for p in parts):
        raise Refused("modifier expand (placeholders) is not supported")
    if keyword:  # an unfielded value matches anywhere in the line
        parts = [SpecialChars.WILDCARD_MULTI, *parts, SpecialChars.WILDCARD_MULTI]
    cased = isinstance(value, SigmaCasedString)
    inner = list(parts)
    lead = bool(inner) and inner[0] == SpecialChars.WILDCARD_MULTI
    trail = bool(inner) and inner[-1] == SpecialChars.WILDCARD_MULTI
    while inner and inner[0] == SpecialChars.WILDCARD_MULTI:
        inner = inner[1:]
    while inner and inner[-1] == SpecialChars.WILDCARD_MULTI:
        inner = inner[:-1]
    if not inner and (lead or trail):
        return ("exists", True)
    if cased or any(isinstance(p, SpecialChars) for p in inner):
        return ("re", _wild_regex(parts, cased))
    text = "".join(str(p) for p in inner)  # plain text only here: no wildcard, no placeholder
    if lead and trail:
        return ("contains", text)
    if trail:
        return ("startswith", text)
    if lead:
        return ("re", "(?i)" + re.escape(text) + r"\Z")
    return ("", text)


_FLAGS = {SigmaRegularExpressionFlag.IGNORECASE: "i", SigmaRegularExpressionFlag.MULTILINE: "m",
          SigmaRegularExpressionFlag.DOTALL: "s"}
_COMPARE = {CompareOperators.GT: "gt", CompareOperators.GTE: "gte", CompareOperators.LT: "lt",
            CompareOperators.LTE: "lte"}


def _value(v: Any, keyword: bool) -> tuple[str, Any]:
    if isinstance(v, SigmaString):
        return _string(v, keyword)
    if keyword:
        raise Refused(f"unfielded {type(v).__name__} values are not supported")
    if isinstance(v, SigmaBool):
        return ("", "true" if v.boolean else "false")
    if isinstance(v, SigmaNumber):
        return ("", v.number)
    if isinstance(v, SigmaNull):
        return ("exists", False)
    if isinstance(v, SigmaExists):
        return ("exists", bool(v.exists))
    if isinstance(v, SigmaRegularExpression):
        flags = "".join(sorted(_FLAGS[f] for f in v.flags))
        return ("re", (f"(?{flags})" if flags else "") + str(v.regexp))
    if isinstance(v, SigmaCIDRExpression):
        return ("cidr", str(v.network))
    if isinstance(v, SigmaCompareExpression) and v.op in _COMPARE:
        return (_COMPARE[v.op], v.number.number)
    raise Refused(f"value type {type(v).__name__} is not supported")


# --- detections as boolean expressions over field conditions -----------------------------------
# An expression is ("atom", key, [values]) | ("and"|"or", [exprs]) | ("not", expr).

def _atom(fieldname: str, op: str, values: list[Any]) -> tuple:
    if op == "exists":  # any present value / an absent field (Sigma's null is "absent or empty")
        present = ("atom", f"{fieldname}|re", ["(?s)."])
        return present if values[0] else ("not", present)
    return ("atom", f"{fieldname}|{op}" if op else fieldname, values)


def _item(item: SigmaDetectionItem, src: _Source) -> tuple:
    mods = [reverse_modifier_mapping.get(m.__name__, m.__name__) for m in item.modifiers]
    for bad in ("fieldref", "expand", "minute", "hour", "day", "week", "month", "year"):
        if bad in mods:
            raise Refused(f"modifier {bad} is not supported (field {item.field or '(keyword)'})")
    utf16 = [m for m in mods if m in ("utf16", "utf16be", "wide")]
    if utf16 and not any(m.startswith("base64") for m in mods):
        raise Refused(f"modifier {utf16[0]} without base64 is not supported (field {item.field})")
    if item.field is None:
        if src.keyword_field is None:
            raise Refused("unfielded (keyword) values need a whole-line field; Windows events have none")
        fieldname, keyword = src.keyword_field, True
    else:
        mapped = src.fields.get(item.field) if src.fields is not None else (
            item.field if _NAME.fullmatch(item.field) else None)
        if mapped is None:
            raise Refused(f"unmapped field {item.field}")
        fieldname, keyword = mapped, False
    groups: list[list[tuple[str, Any]]] = []  # each a list of OR-ed (op, value); groups are OR-ed or AND-ed
    for v in item.value:
        if isinstance(v, SigmaExpansion):
            groups.append([_value(x, keyword) for x in v.values])
        else:
            groups.append([_value(v, keyword)])
    all_of = item.value_linking is ConditionAND
    if not groups:  # `field:` with an empty list or null
        expr: tuple = _atom(fieldname, "exists", [False])
    elif all_of:
        expr = ("and", [_or_group(fieldname, g) for g in groups])
    else:
        expr = _or_group(fieldname, [pair for g in groups for pair in g])
    return ("not", expr) if item.negated else expr


def _or_group(fieldname: str, pairs: list[tuple[str, Any]]) -> tuple:
    by_op: dict[str, list[Any]] = {}
    for op, val in pairs:
        if op == "exists":
            by_op.setdefault(f"exists:{val}", []).append(val)
        elif val not in by_op.setdefault(op, []):
            by_op[op].append(val)
    atoms = [_atom(fieldname, op.split(":")[0], vals) for op, vals in by_op.items()]
    return atoms[0] if len(atoms) == 1 else ("or", atoms)


def _detection(det: SigmaDetection | SigmaDetectionItem, src: _Source) -> tuple:
    if isinstance(det, SigmaDetectionItem):
        return _item(det, src)
    kids = [_detection(d, src) for d in det.detection_items]
    if len(kids) == 1:
        return kids[0]
    return ("and" if det.item_linking is ConditionAND else "or", kids)


class _Builder:
    """Turns expressions into the engine's named selections and a condition string."""

    def __init__(self) -> None:
        self.selections: dict[str, dict[str, Any]] = {}

    def _new(self, base: str, spec: dict[str, Any]) -> str:
        name, n = base, 1
        while name in self.selections:
            n += 1
            name = f"{base}_{n}"
        self.selections[name] = spec
        return name

    def render(self, expr: tuple, base: str) -> str:
        kind = expr[0]
        if kind == "atom":
            return self._new(base, {expr[1]: expr[2] if len(expr[2]) > 1 else expr[2][0]})
        if kind == "not":
            return f"not {self._wrap(self.render(expr[1], base))}"
        if kind == "or":
            return " or ".join(self._wrap(self.render(e, base)) for e in expr[1])
        spec: dict[str, Any] = {}  # "and": field conditions with distinct keys share one selection
        name = self._new(base, spec) if any(e[0] == "atom" for e in expr[1]) else ""
        parts = [name] if name else []
        for e in expr[1]:
            if e[0] == "atom" and e[1] not in spec:
                spec[e[1]] = e[2] if len(e[2]) > 1 else e[2][0]
            else:
                parts.append(self._wrap(self.render(e, base)))
        return " and ".join(parts)

    @staticmethod
    def _wrap(text: str) -> str:
        return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else f"({text})"


def _condition(rule: SigmaRule, src: _Source, builder: _Builder, prefix: str = "") -> str:
    """The rule's condition over engine selections (Sigma's own grammar, parsed by the engine's
    condition parser, each detection name replaced by its rendered expression)."""
    names = list(rule.detection.detections)
    texts = []
    for text in rule.detection.condition:
        if "|" in text:
            raise Refused("Sigma v1 aggregation in the condition (`| count() ...`): rewrite it as a correlation rule")
        try:
            texts.append(cond.parse(text, names))
        except cond.ConditionError as exc:
            raise Refused(f"condition {text!r}: {exc}") from None
    rendered: dict[str, str] = {}

    def walk(tree: tuple) -> str:
        if tree[0] == "sel":
            name = tree[1]
            if name not in rendered:
                base = prefix + (name if _NAME.fullmatch(name) else "sel")
                rendered[name] = _Builder._wrap(builder.render(_detection(rule.detection.detections[name], src), base))
            return rendered[name]
        if tree[0] == "not":
            return f"not {walk(tree[1])}"
        return "(" + f" {tree[0]} ".join(walk(t) for t in tree[1]) + ")"

    body = " or ".join(walk(t) for t in texts)
    if src.scope is not None:
        key, value = src.scope
        scope = builder._new(prefix + "logsource", {key: value})
        body = f"{scope} and ({body})"
    return body


# --- rules ------------------------------------------------------------------------------------------

def _rule_id(rule: SigmaRule | SigmaCorrelationRule) -> str:
    return str(rule.id) if rule.id else (rule.name or "")


def _meta(rule: SigmaRule | SigmaCorrelationRule) -> dict[str, Any]:
    ident = _rule_id(rule) or Path(str(rule.source.path if rule.source else "rule")).stem
    author = f" by {rule.author}" if rule.author else ""
    desc = (rule.description or "").strip()
    level = rule.level.name.lower() if rule.level else "medium"
    return {"id": "sigma." + re.sub(r"[^a-z0-9._-]+", "-", ident.lower())[:90], "title": rule.title,
            "description": f"{desc}\n(Sigma rule {ident}{author}; Detection Rule License 1.1)".strip(),
            "severity": _LEVELS.get(level, "medium")}


def _convert(rule: SigmaRule) -> tuple[dict[str, Any], str]:
    src = _source(rule)
    builder = _Builder()
    condition = _condition(rule, src, builder)
    detection = {**builder.selections, "condition": condition}
    return {**_meta(rule), "schema": src.schema, "detection": detection}, src.schema


def _group_field(name: str, src: _Source) -> str:
    mapped = src.fields.get(name) if src.fields is not None else (name if _NAME.fullmatch(name) else None)
    if mapped is None:
        raise Refused(f"unmapped field {name} in the correlation")
    return mapped


def _convert_correlation(rule: SigmaCorrelationRule) -> tuple[dict[str, Any], str]:
    bases = [ref.rule for ref in rule.referenced_rules]
    if any(not isinstance(b, SigmaRule) for b in bases):
        raise Refused("correlation of correlations is not supported")
    srcs = [_source(b) for b in bases if isinstance(b, SigmaRule)]
    if len({s.schema for s in srcs}) != 1:
        raise Refused("correlated rules read different log sources")
    src = srcs[0]
    if len(rule.aliases):
        raise Refused("correlation field aliases are not supported")
    groups = rule.group_by or []
    if len(groups) != 1:
        raise Refused(f"group-by on {len(groups)} fields; the engine keys a window on exactly one field")
    corr: dict[str, Any] = {"group_by": _group_field(groups[0], src), "timespan": rule.timespan.seconds}
    builder = _Builder()
    conds = [_condition(b, src, builder, f"r{i}_") for i, b in enumerate(bases, 1) if isinstance(b, SigmaRule)]
    detection: dict[str, Any] = dict(builder.selections)
    if rule.type in (SigmaCorrelationType.EVENT_COUNT, SigmaCorrelationType.VALUE_COUNT):
        c = rule.condition
        op = c.op if isinstance(c, SigmaCorrelationCondition) else None
        if not isinstance(c, SigmaCorrelationCondition) or op not in (CorrOp.GTE, CorrOp.GT):
            raise Refused(f"correlation condition {op.name.lower() if op else '?'}: only gte/gt thresholds map")
        count = int(c.count) + (1 if op is CorrOp.GT else 0)
        corr.update(type=rule.type.name.lower(), gte=max(count, 1))
        if rule.type is SigmaCorrelationType.VALUE_COUNT:
            ref = getattr(c, "fieldref", None)
            if not isinstance(ref, str):
                raise Refused("value_count over several fields is not supported")
            corr["field"] = _group_field(ref, src)
        detection["condition"] = " or ".join(f"({t})" for t in conds)
    elif rule.type is SigmaCorrelationType.TEMPORAL_ORDERED:
        corr.update(type="temporal_ordered", steps=[{"condition": t} for t in conds])
    else:
        raise Refused(f"correlation type {rule.type.name.lower()} is not supported")
    return {**_meta(rule), "schema": src.schema, "detection": detection, "correlation": corr}, src.schema


def _where(rule: SigmaRule | SigmaCorrelationRule) -> str:
    return str(rule.source.path) if rule.source and rule.source.path else ""


def load_sigma(paths: Sequence[Path]) -> SigmaLoad:
    """Read Sigma rule files and folders (*.yml, *.yaml, recursively) and convert what maps."""
    out = SigmaLoad()
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(x for x in p.rglob("*") if x.suffix in (".yml", ".yaml") and x.is_file())
        elif p.exists():
            files.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    collections = []
    for f in files:
        try:
            collections.append(SigmaCollection.load_ruleset([f], collect_errors=True, resolve_references=False))
        except (SigmaError, yaml.YAMLError, ValueError) as exc:
            out.refused.append(Refusal(str(f), "", f.name, f"not a readable Sigma file: {exc}"))
    collection = SigmaCollection.merge(collections, resolve_references=False)
    seen: dict[str, str] = {}
    silent: set[int] = set()  # base rules of correlations that do not generate alerts themselves
    for rule in collection.rules:
        if isinstance(rule, SigmaCorrelationRule) and not any(not isinstance(e, _METADATA_ERRORS)
                                                               for e in rule.errors):
            try:
                rule.resolve_rule_references(collection)
            except SigmaError as exc:
                rule.errors.append(exc)
                continue
            if not rule.generate:
                silent.update(id(ref.rule) for ref in rule.referenced_rules)
    for rule in collection.rules:
        schema = UNSUPPORTED
        try:
            if isinstance(rule, SigmaRule):
                schema = _source(rule).schema
            errors = [e for e in rule.errors if not isinstance(e, _METADATA_ERRORS)]
            if errors:  # the path is in the refusal already
                raise Refused(f"pySigma: {errors[0]}".replace(f" in {_where(rule)}", ""))
            if isinstance(rule, SigmaCorrelationRule):
                data, schema = _convert_correlation(rule)
            else:
                data, schema = _convert(rule)
            if data["id"] in seen:
                raise Refused(f"rule id already loaded from {seen[data['id']]}")
            built = parse_rules({"rules": [data]}, _where(rule) or "<sigma>")
            seen[data["id"]] = _where(rule)
        except Refused as exc:
            out.refused.append(Refusal(_where(rule), _rule_id(rule), rule.title or "", str(exc)))
        except RuleError as exc:
            out.refused.append(Refusal(_where(rule), _rule_id(rule), rule.title or "", f"engine: {exc}"))
        else:
            out.counts.setdefault(schema, [0, 0])[0] += 1
            if id(rule) not in silent:
                out.rules += built
                out.rule_dicts.append(data)
        finally:
            if isinstance(rule, SigmaCorrelationRule) and schema == UNSUPPORTED:
                schema = _correlation_schema(rule)
            out.counts.setdefault(schema, [0, 0])[1] += 1
    return out


def _correlation_schema(rule: SigmaCorrelationRule) -> str:
    try:
        bases = [ref.rule for ref in rule.referenced_rules]
        return _source(bases[0]).schema if bases and isinstance(bases[0], SigmaRule) else UNSUPPORTED
    except (Refused, AttributeError):
        return UNSUPPORTED
