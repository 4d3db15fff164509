"""Detection rules in YAML, validated with pydantic. Errors name the file, the rule and the field.

    rules:
      - id: anpr.wanted-plate
        title: Wanted vehicle read by an ANPR camera
        severity: high                     # low | medium | high | critical
        schema: PlateRead                  # or a list; omit for every schema
        key: plate                         # the field naming the alert's subject
        detection:                         # Sigma-like: selections of field conditions...
          wanted: {plate|watchlist: plate}
          sure: {confidence|gte: 0.8}
          condition: wanted and sure       # ...combined by and / or / not
        correlation:                       # optional: windowed, in event time
          type: value_count                # event_count | value_count | temporal_ordered
          group_by: plate
          field: camera_id                 # value_count: distinct values of this field
          timespan: 10m
          gte: 3

Field conditions: `field: value` (equals; a list means any of), `field|in: [..]`, `field|contains`,
`field|startswith` (or `|prefix`), `field|re` (or `|regex`), `field|gt|gte|lt|lte: number`,
`field|between: [lo, hi]`, `field|watchlist: KIND` (the field's value is on a watchlist, exactly or,
for plates, CNICs and phones, one misread or slip away: screen.confusions), `field|watchlist_exact:
KIND` (exactly: a hit of score 1.0), `field|indicator: KIND` (the field's value matches a threat
intelligence indicator of that kind: ip, domain, url, hash, email, phone, iban, wallet or any; the
engine asks the indicator lookup it was given), `field|cidr: [10.0.0.0/8, 2001:db8::/32]` (the field's
value is an IP address inside one of the networks).
Text matching is case-insensitive except for regular expressions. See docs/alerts.md.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tahqiq.screen.hits import KEY_KINDS
from tahqiq.stream import condition as cond
from tahqiq.stream.events import KEY_FIELDS

DEFAULT_RULES = Path(__file__).parent / "rules"
SEVERITIES = ("low", "medium", "high", "critical")
OPS = {"": "eq", "in": "eq", "contains": "contains", "startswith": "prefix", "prefix": "prefix", "re": "regex",
       "regex": "regex", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte", "between": "between",
       "watchlist": "watchlist", "watchlist_exact": "watchlist_exact", "indicator": "indicator", "cidr": "cidr"}
WATCH_OPS = ("watchlist", "watchlist_exact")
# What `field|indicator: KIND` may ask the indicator lookup for (tahqiq.intel's matcher kinds).
INDICATOR_OPS_KINDS = ("ip", "domain", "url", "hash", "email", "phone", "iban", "wallet", "any")
# Hard limit of the product: no rule may inspect what people say or write (docs/governance.md §7).
# Text conditions are for structured fields such as identifiers, URLs and place names.
CONTENT_FIELDS = {"text", "content", "message", "body", "post", "caption", "comment", "transcript", "speech",
                  "tweet", "status_text", "title_text", "sms", "chat"}
_SPAN = re.compile(r"(\d+)\s*(s|m|h|d)")
_SPAN_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file, rule and field."""


@dataclass(frozen=True)
class Atom:
    """One field condition; `values` holds the alternatives (any of them matches)."""

    field: str
    op: str  # eq contains prefix regex gt gte lt lte between watchlist watchlist_exact indicator
    values: tuple[Any, ...]  # texts (lower-cased but for regex), numbers, or a watchlist kind


def span_seconds(text: str | int) -> int:
    if isinstance(text, int) and text > 0:
        return text
    m = _SPAN.fullmatch(str(text).strip())
    if not m or int(m.group(1)) <= 0:
        raise ValueError(f"timespan must look like 90s, 10m, 2h or 1d, not {text!r}")
    return int(m.group(1)) * _SPAN_SECONDS[m.group(2)]


def _atoms(field_spec: str, value: Any) -> list[Atom]:
    fieldname, _, modifier = field_spec.partition("|")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", fieldname):
        raise ValueError("a field name is letters, digits and '_'")
    if fieldname.lower() in CONTENT_FIELDS:
        raise ValueError(f"{fieldname!r} holds what people say or write; Tahqiq does not classify speech, posts "
                         "or communications (docs/governance.md §7)")
    if modifier not in OPS:
        raise ValueError(f"unknown modifier {modifier!r} (known: {', '.join(m for m in OPS if m)})")
    op = OPS[modifier]
    values = list(value) if isinstance(value, list) else [value]
    if not values:
        raise ValueError("empty list")
    if op == "between":
        if not (len(values) == 2 and all(_is_number(v) for v in values) and values[0] <= values[1]):
            raise ValueError("between needs [low, high] numbers with low <= high")
        return [Atom(fieldname, "between", (float(values[0]), float(values[1])))]
    if op in ("gt", "gte", "lt", "lte"):
        if len(values) != 1 or not _is_number(values[0]):
            raise ValueError("needs one number")
        return [Atom(fieldname, op, (float(values[0]),))]
    if op in WATCH_OPS:
        if len(values) != 1 or values[0] not in KEY_KINDS:
            raise ValueError(f"watchlist kind must be one of {', '.join(KEY_KINDS)}")
        return [Atom(fieldname, op, (values[0],))]
    if op == "indicator":
        if len(values) != 1 or values[0] not in INDICATOR_OPS_KINDS:
            raise ValueError(f"indicator kind must be one of {', '.join(INDICATOR_OPS_KINDS)}")
        return [Atom(fieldname, op, (values[0],))]
    if any(isinstance(v, (dict, list)) or v is None for v in values):
        raise ValueError("values must be text or numbers")
    if op == "cidr":
        nets = []
        for v in values:
            try:
                nets.append(str(ipaddress.ip_network(str(v).strip(), strict=False)))
            except ValueError:
                raise ValueError(f"{v!r} is not an IP network (e.g. 10.0.0.0/8, 2001:db8::/32)") from None
        return [Atom(fieldname, op, tuple(dict.fromkeys(nets)))]
    if op == "regex":
        for v in values:
            try:
                re.compile(str(v))
            except re.error as exc:
                raise ValueError(f"invalid regular expression {v!r}: {exc}") from None
        return [Atom(fieldname, op, tuple(str(v) for v in values))]
    texts = tuple(dict.fromkeys(str(v).lower() for v in values))
    if op in ("contains", "prefix") and any(not t for t in texts):
        raise ValueError("empty text matches everything")
    return [Atom(fieldname, op, texts)]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    condition: str
    group_by: str | None = None


class Correlation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["event_count", "value_count", "temporal_ordered"]
    group_by: str | None = None
    timespan: int
    gte: int | None = Field(None, ge=1)
    field: str | None = None
    steps: list[Step] | None = None

    @field_validator("timespan", mode="before")
    @classmethod
    def _span(cls, v: str | int) -> int:
        return span_seconds(v)

    @model_validator(mode="after")
    def _complete(self) -> Correlation:
        if self.type in ("event_count", "value_count") and self.gte is None:
            raise ValueError(f"{self.type} needs gte (the threshold)")
        if self.type == "value_count" and not self.field:
            raise ValueError("value_count needs field (whose distinct values are counted)")
        if self.type == "temporal_ordered" and (not self.steps or len(self.steps) < 2):
            raise ValueError("temporal_ordered needs steps: at least two conditions, in order")
        if self.type != "temporal_ordered" and self.steps:
            raise ValueError("steps belong to temporal_ordered correlations")
        needs_key = [s for s in self.steps or [] if not s.group_by] if self.type == "temporal_ordered" else [self]
        if not self.group_by and needs_key:
            raise ValueError("group_by is needed (the field whose value keys the window, e.g. plate)")
        return self


class RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,99}$")
    title: str = Field(min_length=3, max_length=200)
    description: str = ""
    severity: Literal["low", "medium", "high", "critical"] = "medium"
    schemas: list[str] | None = Field(None, alias="schema")
    key: str | None = None
    enabled: bool = True
    detection: dict[str, Any]
    correlation: Correlation | None = None

    @field_validator("schemas", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


@dataclass
class Rule:
    """A validated rule: selections as atom lists, the condition tree, and the correlation."""

    id: str
    title: str
    severity: str
    schemas: tuple[str, ...] | None
    key: str | None
    selections: dict[str, list[Atom]]
    condition: tuple
    correlation: Correlation | None
    step_trees: list[tuple]
    source: str = ""

    @property
    def key_kind(self) -> str | None:
        return KEY_FIELDS.get(self.key, self.key) if self.key else None


def _build(model: RuleModel, where: str) -> Rule:
    detection = dict(model.detection)
    text = detection.pop("condition", None)
    if not detection:
        raise RuleError(f"{where}: detection: define at least one selection")
    selections: dict[str, list[Atom]] = {}
    for name, spec in detection.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(name)) or name in ("and", "or", "not", "them", "of", "all"):
            raise RuleError(f"{where}: detection.{name}: a selection name is a word (letters, digits, '_', '-') "
                            "other than and, or, not, of, all, them")
        if not isinstance(spec, dict) or not spec:
            raise RuleError(f"{where}: detection.{name}: a selection maps field conditions to values")
        atoms: list[Atom] = []
        for field_spec, value in spec.items():
            try:
                atoms.extend(_atoms(str(field_spec), value))
            except ValueError as exc:
                raise RuleError(f"{where}: detection.{name}.{field_spec}: {exc}") from None
        selections[name] = atoms
    corr = model.correlation
    names = list(selections)
    step_trees: list[tuple] = []
    try:
        if corr is not None and corr.type == "temporal_ordered":
            step_trees = [cond.parse(s.condition, names) for s in corr.steps or []]  # the model requires 2+
            tree = cond.parse(text, names) if text else ("or", step_trees)
        else:
            if not text:
                raise RuleError(f"{where}: detection.condition: missing (e.g. condition: {names[0]})")
            tree = cond.parse(str(text), names)
    except cond.ConditionError as exc:
        raise RuleError(f"{where}: detection.condition: {exc}") from None
    key = model.key or (corr.group_by if corr else None)
    if key is None:
        key = next((a.field for sel in selections.values() for a in sel
                    if a.op in WATCH_OPS or a.op == "indicator"), None)
    return Rule(model.id, model.title, model.severity, tuple(model.schemas) if model.schemas else None, key,
                selections, tree, corr, step_trees)


def parse_rules(data: Any, source: str = "<rules>") -> list[Rule]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleError(f"{source}: expected a mapping with a list under 'rules:'")
    out: list[Rule] = []
    for n, raw in enumerate(data["rules"], 1):
        label = raw.get("id") if isinstance(raw, dict) else None
        where = f"{source}: rule {label!r}" if label else f"{source}: rule #{n}"
        try:
            model = RuleModel.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"]) or "(rule)"
            raise RuleError(f"{where}: {loc}: {first['msg']}") from None
        if model.enabled:
            rule = _build(model, where)
            rule.source = source
            out.append(rule)
    return out


def load_rules(*paths: Path | str) -> list[Rule]:
    """Rules from YAML files and folders (*.yml, *.yaml; sorted); default: the shipped rules."""
    files: list[Path] = []
    for p in [Path(x) for x in paths] or [DEFAULT_RULES]:
        if p.is_dir():
            files += sorted(list(p.glob("*.yml")) + list(p.glob("*.yaml")))
        elif p.exists():
            files.append(p)
        else:
            raise RuleError(f"{p}: no such file or folder")
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for f in files:
        try:
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RuleError(f"{f}: not valid YAML: {exc}") from None
        for rule in parse_rules(data, str(f)):
            if rule.id in seen:
                raise RuleError(f"{f}: rule {rule.id!r}: id already used in {seen[rule.id]}")
            seen[rule.id] = str(f)
            rules.append(rule)
    return rules
