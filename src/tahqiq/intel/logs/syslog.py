"""Linux auth.log / syslog lines as `AuthEvent` fields (docs/intel.md, "Hacking attempts in logs").

Headers: RFC 3164 (`Mar  1 12:00:01 host sshd[42]: ...`, with or without a year after the day, and
with an optional `<PRI>`), rsyslog's high-precision form (`2024-03-01T12:00:01.123+05:00 host
sshd[42]: ...`) and RFC 5424 (`<38>1 2024-03-01T12:00:01Z host sshd 42 - - ...`). Messages: the
shapes sshd, sudo, su, useradd/userdel/usermod/groupadd/gpasswd/passwd/chpasswd, login,
systemd-logind, cron and PAM write; anything else is `action: other` with the header fields.

Speed: one compiled pattern reads the header, and one pattern per program (its message shapes as
alternatives, each a named group whose name says what was matched) reads the message from where the
header ended, without slicing the line; the only object made per line beyond the strings is the
fields dict. RFC 3164 times carry no year: it comes from `year=` (the year of the file's first line)
or the file's modification time (the year of its last line), and rolls over at New Year.

The user names sshd logs for invalid users are what the client sent: an attacker can put
" from 10.0.0.1 port 22" in one, so the patterns take the last "from ADDRESS port N" of a line.
"""

from __future__ import annotations

import re
import time as _time
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from tahqiq.model.types import PAKISTAN_TIME

__all__ = ["FACILITIES", "SEVERITIES", "SyslogParser"]

FACILITIES = ("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
              "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4",
              "local5", "local6", "local7")
SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), 1)}

_HEADER = re.compile(
    r"(?:<(\d{1,3})>)?(?:"
    # RFC 5424: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
    r"1 (\S+) (\S+) (\S+) (\S+) \S+ (?:-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: \ufeff?|$)"
    # RFC 3164 (optionally with a year) or rsyslog's ISO time, then HOST PROGRAM[PID]:
    r"|(?:([A-Z][a-z]{2}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d\d:\d\d:\d\d)(?:\.\d+)?"
    r"|(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?))"
    r" (\S+) ([^\s\[:]+)(?:\[([^\]]*)\])?: ?)")

_ADDR = r"[0-9A-Fa-f:.]+"
# Shapes every program may log: PAM session and authentication-failure lines, rsyslog's repeats.
_COMMON = (
    r"(?P<pam_session>pam_unix\([\w-]+:session\): session (?P<ps_what>opened|closed) for user "
    r"(?P<ps_user>[^\s(]+)(?:\(uid=\d+\))?(?: by (?P<ps_by>[^\s(]*)(?:\(uid=\d+\))?)?)"
    r"|(?P<pam_fail>pam_unix\([\w-]+:auth\): authentication failure;.*? tty=(?P<pf_tty>\S*) ruser=(?P<pf_ruser>\S*)"
    r" rhost=(?P<pf_rhost>\S*)(?:\s+user=(?P<pf_user>\S+))?)"
    r"|(?P<repeated>message repeated (?P<rp_n>\d+) times: \[ ?(?P<rp_inner>.*?) ?\]$)"
)
_SHAPES: dict[str, str] = {
    "sshd": (
        rf"(?P<ssh_login>(?P<sl_res>Accepted|Failed) (?P<sl_method>\S+) for (?P<sl_invalid>invalid user )?"
        rf"(?P<sl_user>.*) from (?P<sl_ip>{_ADDR}) port (?P<sl_port>\d+)(?: ssh2)?(?::.*)?$)"
        rf"|(?P<ssh_invalid>Invalid user (?P<si_user>.*) from (?P<si_ip>{_ADDR})(?: port (?P<si_port>\d+))?$)"
        rf"|(?P<ssh_conn>(?:Connection (?:closed|reset) by|Disconnected from|Received disconnect from|"
        rf"Did not receive identification string from|Unable to negotiate with|"
        rf"error: maximum authentication attempts exceeded for)"
        rf"(?: (?:invalid user|authenticating user|user)? ?(?P<sc_user>.*?))? (?:from )?(?P<sc_ip>{_ADDR})"
        rf" port (?P<sc_port>\d+))"),
    "sudo": (
        r"(?P<sudo>\s*(?P<sd_user>\S+) : (?:(?P<sd_err>[^;]*?) ; )?TTY=(?P<sd_tty>\S*) ; PWD=.*? ; "
        r"USER=(?P<sd_target>[^\s;]+) ;(?:.*? ;)?? COMMAND=(?P<sd_cmd>.*))"),
    "su": (
        r"(?P<su_ok>Successful su for (?P<so_target>\S+) by (?P<so_user>\S+))"
        r"|(?P<su_failed>FAILED su for (?P<sf_target>\S+) by (?P<sf_user>\S+))"
        r"|(?P<su_to>(?P<st_fail>FAILED SU )?\(to (?P<st_target>[^)]+)\) (?P<st_user>\S+) on (?P<st_tty>\S+))"
        r"|(?P<su_short>(?P<ss_sign>[+-]) (?P<ss_tty>\S+) (?P<ss_user>[^:\s]+):(?P<ss_target>\S+)$)"),
    "accounts": (
        r"(?P<new_user>new user: name=(?P<nu_name>[^,]+),)"
        r"|(?P<new_group>new group: name=(?P<ng_name>[^,]+),)"
        r"|(?P<add_group>add '(?P<ag_user>[^']+)' to (?P<ag_shadow>shadow )?group '(?P<ag_group>[^']+)')"
        r"|(?P<gpasswd_add>user (?P<ga_user>\S+) added by (?P<ga_by>\S+) to group (?P<ga_group>\S+))"
        r"|(?P<del_user>delete user '(?P<du_name>[^']+)')"
        r"|(?P<pw_changed>(?:pam_unix\([\w-]+:chauthtok\): )?password changed for (?P<pc_user>\S+))"
        r"|(?P<pw_changed_by>password for '(?P<pb_user>[^']+)' changed by '(?P<pb_by>[^']+)')"),
    "login": (
        r"(?P<login_failed>FAILED LOGIN \(\d+\) on '(?P<lf_tty>[^']+)' FOR '(?P<lf_user>[^']+)')"
        r"|(?P<login_root>ROOT LOGIN {1,2}on '(?P<lr_tty>[^']+)'(?: FROM '(?P<lr_from>[^']+)')?)"
        r"|(?P<login_on>LOGIN ON (?P<lo_tty>\S+) BY (?P<lo_user>\S+)(?: FROM (?P<lo_from>\S+))?)"),
    "systemd-logind": (
        r"(?P<logind_new>New session (?:c?\d+) of user (?P<ln_user>[^\s.]+)\.)"
        r"|(?P<logind_removed>Removed session (?:c?\d+)\.)"),
    "cron": r"(?P<cron_cmd>\((?P<cr_user>[^)]+)\) CMD \((?P<cr_cmd>.*)\)$)",
}
_PROGRAM_SHAPES = {"sshd": "sshd", "sshd-session": "sshd", "sudo": "sudo", "su": "su", "login": "login",
                   "systemd-logind": "systemd-logind", "cron": "cron", "crond": "cron",
                   **{p: "accounts" for p in ("useradd", "userdel", "usermod", "groupadd", "groupdel", "groupmod",
                                              "gpasswd", "passwd", "chpasswd", "chage", "adduser", "deluser")}}
_PATTERNS: dict[str, re.Pattern[str]] = {name: re.compile(f"(?:{shape}|{_COMMON})") for name, shape in _SHAPES.items()}
_COMMON_ONLY = re.compile(_COMMON)
_IP = re.compile(rf"{_ADDR}")


def _is_ip(text: str | None) -> bool:
    return text is not None and ("." in text or ":" in text) and _IP.fullmatch(text) is not None


# One builder per alternative: it fills the fields from the match.
Builder = Callable[[re.Match[str], dict[str, Any]], None]


def _ssh_login(m: re.Match[str], f: dict[str, Any]) -> None:
    f["action"] = "login"
    f["outcome"] = "success" if m["sl_res"] == "Accepted" else "failure"
    f["auth_method"], f["user"], f["src_ip"] = m["sl_method"], m["sl_user"], m["sl_ip"]
    f["src_port"] = int(m["sl_port"])
    if m["sl_invalid"]:
        f["invalid_user"] = True


def _ssh_invalid(m: re.Match[str], f: dict[str, Any]) -> None:
    f["action"], f["outcome"], f["user"], f["src_ip"] = "invalid_user", "failure", m["si_user"], m["si_ip"]
    if m["si_port"]:
        f["src_port"] = int(m["si_port"])


def _ssh_conn(m: re.Match[str], f: dict[str, Any]) -> None:
    f["action"], f["src_ip"], f["src_port"] = "other", m["sc_ip"], int(m["sc_port"])
    if m["sc_user"]:
        f["user"] = m["sc_user"]


def _sudo(m: re.Match[str], f: dict[str, Any]) -> None:
    f["action"], f["user"], f["target_user"], f["tty"], f["command"] = (
        "sudo", m["sd_user"], m["sd_target"], m["sd_tty"], m["sd_cmd"])
    f["outcome"] = "failure" if m["sd_err"] else "success"


def _su(user: str, target: str, ok: bool, f: dict[str, Any], tty: str | None = None) -> None:
    f["action"], f["user"], f["target_user"], f["outcome"] = "su", user, target, "success" if ok else "failure"
    if tty:
        f["tty"] = tty


def _session(m: re.Match[str], f: dict[str, Any]) -> None:
    f["action"] = "session_opened" if m["ps_what"] == "opened" else "session_closed"
    f["user"] = m["ps_user"]


def _pam_fail(m: re.Match[str], f: dict[str, Any]) -> None:
    # Counted as `other`: sshd, su and sudo write their own failure line for the same attempt.
    f["action"], f["outcome"] = "other", "failure"
    if m["pf_user"]:
        f["user"] = m["pf_user"]
    if _is_ip(m["pf_rhost"]):
        f["src_ip"] = m["pf_rhost"]
    if m["pf_tty"]:
        f["tty"] = m["pf_tty"]


def _account(action: str, user: str, f: dict[str, Any], group: str | None = None) -> None:
    f["action"], f["user"], f["target_user"] = action, user, user
    if group is not None:
        f["group"] = group


def _add_group(m: re.Match[str], f: dict[str, Any]) -> None:
    # useradd/usermod log the gshadow change too: that line is not a second membership
    _account("other" if m["ag_shadow"] else "group_member_added", m["ag_user"], f, m["ag_group"])


def _login_from(f: dict[str, Any], where: str | None) -> None:
    if _is_ip(where):
        f["src_ip"] = where


def _login_root(m: re.Match[str], f: dict[str, Any]) -> None:
    f["action"], f["outcome"], f["user"], f["tty"] = "login", "success", "root", m["lr_tty"]
    _login_from(f, m["lr_from"])


def _login_on(m: re.Match[str], f: dict[str, Any]) -> None:
    f["action"], f["outcome"], f["user"], f["tty"] = "login", "success", m["lo_user"], m["lo_tty"]
    _login_from(f, m["lo_from"])


_BUILDERS: dict[str, Builder] = {
    "ssh_login": _ssh_login, "ssh_invalid": _ssh_invalid, "ssh_conn": _ssh_conn, "sudo": _sudo,
    "su_ok": lambda m, f: _su(m["so_user"], m["so_target"], True, f),
    "su_failed": lambda m, f: _su(m["sf_user"], m["sf_target"], False, f),
    "su_to": lambda m, f: _su(m["st_user"], m["st_target"], not m["st_fail"], f, m["st_tty"]),
    "su_short": lambda m, f: _su(m["ss_user"], m["ss_target"], m["ss_sign"] == "+", f, m["ss_tty"]),
    "new_user": lambda m, f: _account("user_added", m["nu_name"], f),
    "new_group": lambda m, f: f.update(action="group_added", group=m["ng_name"]),
    "add_group": _add_group,
    "gpasswd_add": lambda m, f: _account("group_member_added", m["ga_user"], f, m["ga_group"]),
    "del_user": lambda m, f: _account("user_deleted", m["du_name"], f),
    "pw_changed": lambda m, f: _account("password_changed", m["pc_user"], f),
    "pw_changed_by": lambda m, f: _account("password_changed", m["pb_user"], f),
    "login_failed": lambda m, f: f.update(action="login", outcome="failure", user=m["lf_user"], tty=m["lf_tty"]),
    "login_root": _login_root, "login_on": _login_on,
    "logind_new": lambda m, f: f.update(action="session_opened", user=m["ln_user"]),
    "logind_removed": lambda m, f: f.update(action="session_closed"),
    "cron_cmd": lambda m, f: f.update(action="other", user=m["cr_user"], command=m["cr_cmd"]),
    "pam_session": _session, "pam_fail": _pam_fail,
}


class SyslogParser:
    """Parses the lines of one file in order (the RFC 3164 year rolls over as the months do).

    `year`: the year of the file's first line; else `reference` (the file's modification time, epoch
    seconds) is taken as the time of its last line; else now. Times without a zone are in `tz`."""

    def __init__(self, *, year: int | None = None, reference: float | None = None,
                 tz: tzinfo = PAKISTAN_TIME) -> None:
        self.tz = tz
        self.fixed_year = year
        self.reference = datetime.fromtimestamp(reference if reference is not None else _time.time(), tz)
        self._year: int | None = None
        self._last_month = 0
        self._hours: dict[tuple[int, int, int, int], float] = {}

    def parse(self, line: str) -> tuple[float, dict[str, Any], int] | str:
        """(epoch seconds, AuthEvent fields, how many times the line stands for) or why it is not one."""
        m = _HEADER.match(line)
        if m is None:
            return "not a syslog line"
        pri, ts5, host5, app5, pid5, mon, day, year, hms, iso, host, prog, pid = m.groups()
        try:
            if mon is not None:
                t = self._time3164(mon, int(day), year, hms)
            else:
                stamp = iso or ts5
                if stamp == "-":
                    return "no timestamp"
                dt = datetime.fromisoformat(stamp)
                t = (dt if dt.tzinfo is not None else dt.replace(tzinfo=self.tz)).timestamp()
        except (ValueError, KeyError):
            return "bad timestamp"
        if prog is None:
            host, prog, pid = host5, app5, (None if pid5 == "-" else pid5)
        f: dict[str, Any] = {"host": host, "program": prog}
        if pid:
            f["pid"] = int(pid) if pid.isdigit() else pid
        if pri is not None:
            p = int(pri)
            if p < 192:
                f["facility"], f["severity"] = FACILITIES[p >> 3], SEVERITIES[p & 7]
        pos = m.end()
        f["line"] = line[pos:]
        times = self._message(prog, line, pos, f)
        return t, f, times

    def _message(self, prog: str, text: str, pos: int, f: dict[str, Any]) -> int:
        shape = _PROGRAM_SHAPES.get(prog) or _PROGRAM_SHAPES.get(prog.lower())
        rx = _PATTERNS[shape] if shape else _COMMON_ONLY
        m = rx.match(text, pos)
        if m is None:
            f["action"] = "other"
            return 1
        what = m.lastgroup
        if what == "repeated":  # rsyslog folded n identical lines into one: stand for all of them
            self._message(prog, m["rp_inner"], 0, f)
            return max(int(m["rp_n"]), 1)
        _BUILDERS[what](m, f)  # type: ignore[index]
        return 1

    def _time3164(self, mon: str, day: int, year: str | None, hms: str) -> float:
        month = _MONTHS[mon]
        y = int(year) if year else self._year_of(month, day)
        key = (y, month, day, int(hms[0:2]))
        base = self._hours.get(key)
        if base is None:
            base = self._hours[key] = datetime(y, month, day, key[3], tzinfo=self.tz).timestamp()
        return base + int(hms[3:5]) * 60 + int(hms[6:8])

    def _year_of(self, month: int, day: int) -> int:
        if self._year is None:
            if self.fixed_year is not None:
                self._year = self.fixed_year
            else:  # a first line dated after the file was last written is from the year before
                ref = self.reference
                later = month > ref.month or (month == ref.month and day > ref.day + 1)
                self._year = ref.year - 1 if later else ref.year
            self._last_month = month
            return self._year
        last = self._last_month
        if last - month >= 6:  # December, then January: New Year
            self._year += 1
        elif month - last >= 6:  # a late line from before New Year
            return self._year - 1
        self._last_month = month
        return self._year
