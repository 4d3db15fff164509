"""Web server access logs as `WebRequest` fields: Apache/nginx common and combined log formats (with
an optional leading virtual host, as Apache's vhost_combined writes it) and JSON lines with the same
keys (or nginx's usual `remote_addr`, `request`, `body_bytes_sent`, ... names).

A request line that is not "METHOD TARGET PROTOCOL" (scanners send junk) keeps `url` as sent and
no method. Times in `[10/Oct/2024:13:55:36 +0500]` carry their zone; a JSON time without one is
in `tz`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from tahqiq.model.types import PAKISTAN_TIME

__all__ = ["parse_clf", "parse_json_line", "web_time"]

_CLF = re.compile(
    r"(?:(\S+) (?=\S+ \S+ \S+ \[))?"          # virtual host (vhost_combined), only when 4 fields follow
    r"(\S+) \S+ (\S+) \[([^\]]+)\] "            # client, identd (ignored), user, [time]
    r"\"((?:[^\"\\]|\\.)*)\" (\d{3}) (\d+|-)"   # "request" status bytes
    r"(?: \"((?:[^\"\\]|\\.)*)\" \"((?:[^\"\\]|\\.)*)\")?")  # "referrer" "user agent" (combined)
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), 1)}
_DAYS: dict[str, float] = {}  # "10/Oct/2024 +0500" -> epoch of that day's midnight there
_JSON_KEYS = {"remote_addr": "src_ip", "client": "src_ip", "client_ip": "src_ip", "remote_user": "user",
              "request_method": "method", "request_uri": "url", "body_bytes_sent": "bytes", "bytes_sent": "bytes",
              "http_referer": "referrer", "referer": "referrer", "http_user_agent": "user_agent",
              "server_name": "host", "vhost": "host", "http_host": "host"}
_TIME_KEYS = ("time", "timestamp", "@timestamp", "time_iso8601", "time_local", "date")


def web_time(text: str) -> float:
    """Seconds since the epoch of a CLF time `10/Oct/2024:13:55:36 +0500`; ValueError if it is not one."""
    if len(text) < 20 or text[2] != "/" or text[6] != "/" or text[11] != ":":
        raise ValueError(text)
    key = text[:11] + text[20:]
    base = _DAYS.get(key)
    if base is None:
        zone = text[21:26] if len(text) >= 26 else "+0000"
        sign = -1 if zone[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])))
        base = datetime(int(text[7:11]), _MONTHS[text[3:6]], int(text[0:2]), tzinfo=tz).timestamp()
        if len(_DAYS) < 10_000:
            _DAYS[key] = base
    return base + int(text[12:14]) * 3600 + int(text[15:17]) * 60 + int(text[18:20])


def _request(f: dict[str, Any], request: str) -> None:
    method, _, rest = request.partition(" ")
    target, _, protocol = rest.rpartition(" ")
    if not (method.isalpha() and method.isupper() and target and protocol.startswith("HTTP/")):
        f["url"] = request  # not a request line
        return
    f["method"], f["url"], f["protocol"] = method, target, protocol
    _split_url(f, target)


def _split_url(f: dict[str, Any], target: str) -> None:
    path, q, query = target.partition("?")
    f["uri_path"] = path
    if q:
        f["uri_query"] = query


def parse_clf(line: str) -> tuple[float, dict[str, Any]] | str:
    """(epoch seconds, WebRequest fields) of a common/combined log line, or why it is not one."""
    m = _CLF.match(line)
    if m is None:
        return "not a web access log line"
    vhost, ip, user, when, request, status, size, referrer, agent = m.groups()
    try:
        t = web_time(when)
    except (ValueError, KeyError):
        return "bad timestamp"
    f: dict[str, Any] = {"src_ip": ip, "status": int(status), "line": line}
    if vhost is not None:
        f["host"] = vhost.rsplit(":", 1)[0] if vhost.count(":") == 1 else vhost
    if user != "-":
        f["user"] = user
    if size != "-":
        f["bytes"] = int(size)
    _request(f, request)
    if referrer and referrer != "-":
        f["referrer"] = referrer
    if agent and agent != "-":
        f["user_agent"] = agent
    return t, f


def parse_json_line(line: str, tz: tzinfo = PAKISTAN_TIME) -> tuple[float, dict[str, Any]] | str:
    """(epoch seconds, WebRequest fields) of a JSON access-log line, or why it is not one."""
    try:
        record = json.loads(line)
    except ValueError:
        return "not JSON"
    if not isinstance(record, dict):
        return "not a JSON object"
    f: dict[str, Any] = {}
    when: Any = None
    for key, value in record.items():
        if value is None or value == "" or value == "-":
            continue
        if key in _TIME_KEYS and when is None:
            when = value
            continue
        name = _JSON_KEYS.get(str(key), str(key))
        if name not in f:
            f[name] = value
    if "src_ip" not in f:
        return "no client address (src_ip or remote_addr)"
    try:
        t = _json_time(when, tz)
    except (TypeError, ValueError, KeyError):
        return "no or bad time"
    request = f.pop("request", None)
    if isinstance(request, str) and "url" not in f:
        _request(f, request)
    elif isinstance(f.get("url"), str) and "uri_path" not in f:
        _split_url(f, f["url"])
    for name in ("status", "bytes"):
        if name in f:
            try:
                f[name] = int(f[name])
            except (TypeError, ValueError):
                del f[name]
    f["line"] = line
    return t, f


def _json_time(value: Any, tz: tzinfo) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        raise ValueError("no time")
    if len(value) > 20 and value[2] == "/" and value[6] == "/":
        return web_time(value)
    dt = datetime.fromisoformat(value)
    return (dt if dt.tzinfo is not None else dt.replace(tzinfo=tz)).timestamp()
