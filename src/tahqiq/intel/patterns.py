"""STIX 2.1 patterns compiled into predicates over one observation.

An observation is a flat mapping from object paths to observed values, the form a log line or an event
takes once its fields are named after STIX: {"ipv4-addr:value": "198.51.100.7", "file:hashes.'SHA-256'":
"…", "network-traffic:dst_port": 443}. Quotes in paths are optional (file:hashes.SHA-256 is the same key);
a list value is a list property, matched when any element is ("[*]" in a path is dropped). Both AND and OR
between observation expressions are evaluated against the same observation, because a predicate looks
at one event: temporal qualifiers (WITHIN, REPEATS, START/STOP) and FOLLOWEDBY need a window of events and
are refused with PatternError rather than silently answered wrong.

Parsing is stix2-patterns' grammar through stix2's visitor (the AST both projects maintain); absent
properties make a comparison false, NOT included, as the STIX specification says.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from stix2 import patterns as ast
from stix2.pattern_visitor import create_pattern_object
from stix2patterns.exceptions import ParseException

__all__ = ["CompiledPattern", "PatternError", "compile_pattern", "normalise_observation", "path_key",
           "simple_atom", "simple_atoms"]

Observation = Mapping[str, object]
Predicate = Callable[[Observation], bool]


class PatternError(ValueError):
    """A pattern that does not parse, or uses a construct this matcher does not evaluate."""


@dataclass(frozen=True)
class CompiledPattern:
    """A pattern ready to test observations: `paths` are the keys it reads (an observation holding none of
    them cannot match, which lets the matcher skip it)."""

    text: str
    paths: frozenset[str]
    predicate: Predicate

    def __call__(self, observation: Observation) -> bool:
        return self.predicate(observation)


def path_key(text: str) -> str:
    """The canonical form of an object path written as a key: quotes and "[*]" removed."""
    return text.replace("'", "").replace("[*]", "")


def normalise_observation(observation: Mapping[str, object]) -> dict[str, object]:
    """The observation with canonical keys (see path_key), as compiled predicates read it."""
    return {path_key(k): v for k, v in observation.items()}


def _path(p: ast.ObjectPath) -> str:
    parts = []
    for comp in p.property_path:
        if isinstance(comp, ast.ListObjectPathComponent):
            parts.append(comp.property_name if str(comp.index) == "*" else f"{comp.property_name}[{comp.index}]")
        else:
            parts.append(str(comp.property_name))
    return path_key(f"{p.object_type_name}:{'.'.join(parts)}")


_ESCAPE = re.compile(r"\\(.)")


def _constant(c: object) -> object:
    if isinstance(c, ast.ListConstant):
        return tuple(_constant(x) for x in c.value)
    if isinstance(c, ast.TimestampConstant):
        return _as_datetime(c.value)
    if isinstance(c, ast.HexConstant):
        return bytes.fromhex(str(c.value))
    if isinstance(c, ast.BinaryConstant):
        return base64.b64decode(str(c.value))
    if isinstance(c, ast.StringConstant):
        return _ESCAPE.sub(r"\1", str(c.value))
    return getattr(c, "value", c)


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _coerce(observed: object, constant: object) -> object:
    """The observed value in the constant's type, or a sentinel that equals nothing."""
    if isinstance(constant, bool):
        return observed if isinstance(observed, bool) else _NOTHING
    if _is_number(constant):
        return observed if _is_number(observed) else _NOTHING
    if isinstance(constant, datetime):
        parsed = _as_datetime(observed)
        return _NOTHING if parsed is None else parsed
    if isinstance(constant, bytes):
        if isinstance(observed, bytes):
            return observed
        if isinstance(observed, str):
            try:
                return bytes.fromhex(observed)
            except ValueError:
                try:
                    return base64.b64decode(observed, validate=True)
                except ValueError:
                    return _NOTHING
        return _NOTHING
    if isinstance(constant, str):
        return observed if isinstance(observed, str) else _NOTHING
    return _NOTHING


_NOTHING = object()


def _like(pattern: str) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


@lru_cache(maxsize=4096)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _subset(a: object, b: object) -> bool:
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    na, nb = _network(a), _network(b)
    return na is not None and nb is not None and na.version == nb.version and na.subnet_of(nb)  # type: ignore[arg-type]


def _test(op: str, rhs: object, lower: bool) -> Callable[[object], bool]:
    """A test of one observed scalar against the constant for operator `op`."""
    if lower and isinstance(rhs, str):
        rhs = rhs.lower()
    if op == "MATCHES":
        try:
            rx = re.compile(str(rhs))
        except re.error as exc:
            raise PatternError(f"MATCHES regular expression does not compile: {exc}") from None
        return lambda v: isinstance(v, str) and rx.search(v) is not None
    if op == "LIKE":
        rx_like = _like(str(rhs))
        return lambda v: isinstance(v, str) and rx_like.fullmatch(v) is not None
    if op == "ISSUBSET":
        return lambda v: _subset(v, rhs)
    if op == "ISSUPERSET":
        return lambda v: _subset(rhs, v)
    if op == "IN":
        options = rhs if isinstance(rhs, tuple) else (rhs,)
        return lambda v: any(_equal(v, o, lower) for o in options)
    if op in ("=", "!="):
        equal = op == "="
        return lambda v: _coerce(v, rhs) is not _NOTHING and (_equal(v, rhs, lower) == equal)
    order = _ORDER.get(op)
    if order is None:
        raise PatternError(f"comparison operator {op} is not supported")
    return lambda v: _ordered(v, rhs, order)


def _equal(observed: object, constant: object, lower: bool) -> bool:
    value = _coerce(observed, constant)
    if value is _NOTHING:
        return False
    if lower and isinstance(value, str):
        value = value.lower()
    return value == constant


_ORDER: dict[str, Callable[[object, object], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,  # type: ignore[operator]
}


def _ordered(observed: object, constant: object, order: Callable[[object, object], bool]) -> bool:
    value = _coerce(observed, constant)
    if value is _NOTHING or isinstance(constant, bool):
        return False
    try:
        return order(value, constant)
    except TypeError:
        return False


def _comparison(node: ast._ComparisonExpression, paths: set[str]) -> Predicate:
    key = _path(node.lhs)
    paths.add(key)
    lower = ":hashes." in key
    test = _test(node.operator, _constant(node.rhs), lower)
    negated = bool(node.negated)

    def predicate(obs: Observation) -> bool:
        if key not in obs:
            return False
        observed = obs[key]
        values = observed if isinstance(observed, list | tuple) else (observed,)
        if not values:
            return False
        hit = any(test(v) for v in values)
        return not hit if negated else hit

    return predicate


def _build(node: object, paths: set[str]) -> Predicate:
    if isinstance(node, ast.QualifiedObservationExpression):
        name = {"WithinQualifier": "WITHIN", "RepeatQualifier": "REPEATS",
                "StartStopQualifier": "START/STOP"}.get(type(node.qualifier).__name__, "a qualifier")
        raise PatternError(f"the temporal qualifier {name} needs a window of events; it is not supported")
    if isinstance(node, ast.FollowedByObservationExpression):
        raise PatternError("FOLLOWEDBY needs an ordered window of events; it is not supported")
    if isinstance(node, ast.ParentheticalExpression):
        return _build(node.expression, paths)
    if isinstance(node, ast.ObservationExpression):
        return _build(node.operand, paths)
    if isinstance(node, ast._CompoundObservationExpression | ast._BooleanExpression):
        parts = [_build(op, paths) for op in node.operands]
        if node.operator == "AND":
            return lambda obs: all(p(obs) for p in parts)
        return lambda obs: any(p(obs) for p in parts)
    if isinstance(node, ast._ComparisonExpression):
        return _comparison(node, paths)
    raise PatternError(f"pattern construct {type(node).__name__} is not supported")


@lru_cache(maxsize=4096)
def _parse(text: str) -> object:
    try:
        return create_pattern_object(text, version="2.1")
    except ParseException as exc:
        raise PatternError(f"pattern does not parse: {exc}") from None
    except (ValueError, TypeError, AttributeError) as exc:   # stix2's checks, e.g. AND across object types
        raise PatternError(f"pattern is not valid: {exc}") from None


def compile_pattern(text: str) -> CompiledPattern:
    """Compile a STIX 2.1 pattern; PatternError names what is wrong or unsupported."""
    paths: set[str] = set()
    predicate = _build(_parse(text), paths)
    return CompiledPattern(text, frozenset(paths), predicate)


_ATOM_PATHS = {"ipv4-addr:value": "ipv4", "ipv6-addr:value": "ipv6", "domain-name:value": "domain",
               "url:value": "url", "email-addr:value": "email", "file:hashes.MD5": "md5",
               "file:hashes.SHA-1": "sha1", "file:hashes.SHA1": "sha1", "file:hashes.SHA-256": "sha256",
               "file:hashes.SHA256": "sha256", "file:hashes.SHA-512": "sha512", "file:hashes.SHA512": "sha512"}


def _atoms(node: object, out: list[tuple[str, str]]) -> bool:
    if isinstance(node, ast.ParentheticalExpression):
        return _atoms(node.expression, out)
    if isinstance(node, ast.ObservationExpression):
        return _atoms(node.operand, out)
    if isinstance(node, ast.OrObservationExpression | ast.OrBooleanExpression):
        return all(_atoms(op, out) for op in node.operands)
    if not isinstance(node, ast._ComparisonExpression) or node.negated:
        return False
    kind = _ATOM_PATHS.get(_path(node.lhs))
    value = _constant(node.rhs)
    if kind is None:
        return False
    values = value if node.operator == "IN" and isinstance(value, tuple) else (value,)
    if not all(isinstance(v, str) for v in values):
        return False
    if node.operator == "ISSUBSET" and kind in ("ipv4", "ipv6"):
        out.extend(("cidr", str(v)) for v in values)
        return True
    if node.operator not in ("=", "IN"):
        return False
    out.extend(("cidr" if kind in ("ipv4", "ipv6") and "/" in str(v) else kind, str(v)) for v in values)
    return True


def simple_atoms(pattern: str) -> tuple[tuple[str, str], ...] | None:
    """The (kind, value) pairs of a pattern that only says "any of these values" — = and IN comparisons
    (and ISSUBSET for IP networks) on the value of an address, domain, URL, e-mail or file hash, joined by
    OR — so the matcher indexes them like plain indicators; None for any other pattern (and for one that
    does not parse)."""
    try:
        node = _parse(pattern)
    except PatternError:
        return None
    out: list[tuple[str, str]] = []
    return tuple(out) if _atoms(node, out) and out else None


def simple_atom(pattern: str) -> tuple[str, str] | None:
    """The (kind, value) of a pattern that is one simple comparison, e.g. [ipv4-addr:value = '1.2.3.4']."""
    atoms = simple_atoms(pattern)
    return atoms[0] if atoms is not None and len(atoms) == 1 else None
