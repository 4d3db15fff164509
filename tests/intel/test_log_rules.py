"""Each log rule (tahqiq/intel/rules/logs.yml) fires on a crafted attack log and stays quiet on the
benign log that looks most like it. The logs go through the real readers and the real rule engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from tahqiq.intel.matcher import IndicatorMatcher
from tahqiq.intel.model import Indicator
from tahqiq.intel.scan import LogScan, scan_logs
from tests.intel.evtx_writer import Record, write_evtx

PKT = timezone(timedelta(hours=5))
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=PKT)
ATTACKER, OTHER = "203.0.113.50", "198.51.100.77"


def _syslog(when: datetime, program: str, message: str, host: str = "web1") -> str:
    return f"{when.strftime('%b')} {when.day:>2} {when.strftime('%H:%M:%S')} {host} {program}: {message}"


def _failed(when: datetime, user: str = "root", ip: str = ATTACKER) -> str:
    return _syslog(when, "sshd[411]", f"Failed password for {user} from {ip} port 40022 ssh2")


def _accepted(when: datetime, user: str = "root", ip: str = ATTACKER) -> str:
    return _syslog(when, "sshd[412]", f"Accepted password for {user} from {ip} port 40023 ssh2")


def _scan(tmp_path: Path, lines: list[str], name: str = "auth.log", **kw: object) -> LogScan:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return scan_logs([path], year=2024, **kw)  # type: ignore[arg-type]


def _evtx_scan(tmp_path: Path, records: list[Record], **kw: object) -> LogScan:
    path = tmp_path / "Security.evtx"
    write_evtx(path, records)
    return scan_logs([path], **kw)  # type: ignore[arg-type]


def _seconds(n: int, step: int = 10) -> list[datetime]:
    return [T0 + timedelta(seconds=step * k) for k in range(n)]


# --- brute force ------------------------------------------------------------------------------------

def test_brute_force_fires_at_ten_failures_in_ten_minutes(tmp_path: Path) -> None:
    scan = _scan(tmp_path, [_failed(t) for t in _seconds(10)])
    assert scan.per_rule["logs.brute-force"] == 1
    d = next(d for d in scan.detections if d.rule.id == "logs.brute-force")
    assert (d.key_kind, d.key_value) == ("src_ip", ATTACKER)
    assert d.evidence["window"]["count"] == 10 and d.evidence["events"][0]["source"]["file"] == "auth.log"


def test_brute_force_quiet_below_the_threshold_or_spread_out(tmp_path: Path) -> None:
    assert _scan(tmp_path, [_failed(t) for t in _seconds(9)]).per_rule["logs.brute-force"] == 0
    spread = [_failed(T0 + timedelta(minutes=12 * k)) for k in range(10)]  # one every 12 minutes
    assert _scan(tmp_path, spread).per_rule["logs.brute-force"] == 0


def test_brute_force_on_windows_4625(tmp_path: Path) -> None:
    def fail(k: int, ip: str) -> Record:
        return Record(4625, T0 + timedelta(seconds=5 * k), {"TargetUserName": "administrator", "IpAddress": ip,
                                                            "LogonType": "3", "Status": "0xc000006d"})

    assert _evtx_scan(tmp_path, [fail(k, ATTACKER) for k in range(10)]).per_rule["logs.brute-force"] == 1
    mixed = [fail(k, ATTACKER if k % 2 else OTHER) for k in range(10)]  # 5 each from two addresses
    assert _evtx_scan(tmp_path, mixed).per_rule["logs.brute-force"] == 0


def _web(when: datetime, path: str, status: int, ip: str = ATTACKER) -> str:
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0500")
    return f'{ip} - - [{stamp}] "POST {path} HTTP/1.1" {status} 120 "-" "python-requests/2.31"'


def test_web_brute_force_on_login_paths(tmp_path: Path) -> None:
    attack = [_web(t, "/wp-login.php", 401) for t in _seconds(20, 5)]
    assert _scan(tmp_path, attack, "access.log").per_rule["logs.web-brute-force"] == 1
    below = [_web(t, "/wp-login.php", 401) for t in _seconds(19, 5)]
    assert _scan(tmp_path, below, "access.log").per_rule["logs.web-brute-force"] == 0
    api = [_web(t, "/api/v1/reports", 401) for t in _seconds(30, 5)]  # an API client without its token
    assert _scan(tmp_path, api, "access.log").per_rule["logs.web-brute-force"] == 0


# --- password spraying ---------------------------------------------------------------------------------

def test_password_spraying_many_accounts_from_one_address(tmp_path: Path) -> None:
    users = ["alice", "bob", "carol", "dave", "erin"]
    scan = _scan(tmp_path, [_failed(t, u) for t, u in zip(_seconds(5, 60), users, strict=True)])
    assert scan.per_rule["logs.password-spraying"] == 1
    d = next(d for d in scan.detections if d.rule.id == "logs.password-spraying")
    assert sorted(m["value"] for m in d.evidence["window"]["members"]) == users


def test_one_user_mistyping_is_not_spraying_nor_brute_force(tmp_path: Path) -> None:
    scan = _scan(tmp_path, [_failed(t, "alice", OTHER) for t in _seconds(8, 20)] + [_accepted(T0 + timedelta(minutes=4),
                                                                                              "alice", OTHER)])
    assert scan.per_rule["logs.password-spraying"] == 0 and scan.per_rule["logs.brute-force"] == 0


def test_spraying_counts_distinct_accounts_not_attempts(tmp_path: Path) -> None:
    four = [_failed(t, u) for t, u in zip(_seconds(4, 60), ["alice", "bob", "carol", "dave"], strict=True)]
    assert _scan(tmp_path, four + [_failed(T0 + timedelta(minutes=5), "alice")]).per_rule["logs.password-spraying"] == 0


# --- success after brute force ---------------------------------------------------------------------

def test_success_after_brute_force(tmp_path: Path) -> None:
    lines = [_failed(t) for t in _seconds(5)] + [_accepted(T0 + timedelta(minutes=2))]
    scan = _scan(tmp_path, lines)
    assert scan.per_rule["logs.success-after-brute-force"] == 1
    d = next(d for d in scan.detections if d.rule.id == "logs.success-after-brute-force")
    assert len(d.evidence["window"]["members"]) == 6


def test_success_after_a_few_typos_or_from_elsewhere_is_quiet(tmp_path: Path) -> None:
    typos = [_failed(t, "alice", OTHER) for t in _seconds(2)] + [_accepted(T0 + timedelta(minutes=1), "alice", OTHER)]
    assert _scan(tmp_path, typos).per_rule["logs.success-after-brute-force"] == 0
    elsewhere = [_failed(t) for t in _seconds(6)] + [_accepted(T0 + timedelta(minutes=2), "root", OTHER)]
    assert _scan(tmp_path, elsewhere).per_rule["logs.success-after-brute-force"] == 0
    late = [_failed(t) for t in _seconds(6)] + [_accepted(T0 + timedelta(hours=2))]
    assert _scan(tmp_path, late).per_rule["logs.success-after-brute-force"] == 0


# --- new administrators ----------------------------------------------------------------------------

def test_linux_admin_group_add(tmp_path: Path) -> None:
    scan = _scan(tmp_path, [_syslog(T0, "usermod[77]", "add 'mallory' to group 'sudo'"),
                            _syslog(T0, "usermod[77]", "add 'mallory' to shadow group 'sudo'")])
    assert scan.per_rule["logs.linux-admin-group-add"] == 1
    d = scan.detections[0]
    assert (d.key_kind, d.key_value) == ("target_user", "mallory")
    benign = _scan(tmp_path, [_syslog(T0, "usermod[77]", "add 'mallory' to group 'docker'"),
                              _syslog(T0, "gpasswd[7]", "user bob added by root to group video")])
    assert benign.per_rule["logs.linux-admin-group-add"] == 0


def test_linux_new_user_then_admin_within_an_hour(tmp_path: Path) -> None:
    new = _syslog(T0, "useradd[70]", "new user: name=mallory, UID=1001, GID=1001, home=/home/mallory, "
                                     "shell=/bin/bash, from=/dev/pts/0")
    soon = _scan(tmp_path, [new, _syslog(T0 + timedelta(minutes=10), "usermod[71]", "add 'mallory' to group 'wheel'")])
    assert soon.per_rule["logs.linux-new-user-then-admin"] == 1
    later = _scan(tmp_path, [new, _syslog(T0 + timedelta(hours=2), "usermod[71]", "add 'mallory' to group 'wheel'")])
    assert later.per_rule["logs.linux-new-user-then-admin"] == 0  # still an admin group add, but not the pair
    assert later.per_rule["logs.linux-admin-group-add"] == 1
    other = _scan(tmp_path, [new, _syslog(T0 + timedelta(minutes=10), "usermod[71]", "add 'bob' to group 'wheel'")])
    assert other.per_rule["logs.linux-new-user-then-admin"] == 0


def _member_added(when: datetime, group: str, group_sid: str, member_sid: str, event_id: int = 4732) -> Record:
    return Record(event_id, when, {"MemberName": "-", "MemberSid": member_sid, "TargetUserName": group,
                                   "TargetDomainName": "Builtin", "TargetSid": group_sid, "SubjectUserName": "eve"})


def test_windows_admin_group_add_by_name_or_sid(tmp_path: Path) -> None:
    sid = "S-1-5-21-100-200-300-1105"
    records = [_member_added(T0, "Administrators", "S-1-5-32-544", sid),
               _member_added(T0, "Administratoren", "S-1-5-32-544", sid),  # German Windows: by SID
               _member_added(T0, "Domain Admins", "S-1-5-21-100-200-300-512", sid, 4728)]
    assert _evtx_scan(tmp_path, records).per_rule["logs.windows-admin-group-add"] == 3
    benign = [_member_added(T0, "Remote Desktop Users", "S-1-5-32-555", sid),
              _member_added(T0, "Helpdesk", "S-1-5-21-100-200-300-1200", sid, 4728)]
    assert _evtx_scan(tmp_path, benign).per_rule["logs.windows-admin-group-add"] == 0


def test_windows_new_user_then_admin_joined_on_the_sid(tmp_path: Path) -> None:
    sid = "S-1-5-21-100-200-300-1105"
    created = Record(4720, T0, {"TargetUserName": "svc_backup2", "TargetSid": sid, "SubjectUserName": "eve"})
    soon = _member_added(T0 + timedelta(minutes=5), "Administrators", "S-1-5-32-544", sid)
    assert _evtx_scan(tmp_path, [created, soon]).per_rule["logs.windows-new-user-then-admin"] == 1
    someone_else = _member_added(T0 + timedelta(minutes=5), "Administrators", "S-1-5-32-544", sid[:-1] + "6")
    assert _evtx_scan(tmp_path, [created, someone_else]).per_rule["logs.windows-new-user-then-admin"] == 0
    not_admin = _member_added(T0 + timedelta(minutes=5), "Backup Operators", "S-1-5-32-551", sid)
    assert _evtx_scan(tmp_path, [created, not_admin]).per_rule["logs.windows-new-user-then-admin"] == 0


# --- log cleared -----------------------------------------------------------------------------------

def test_log_cleared(tmp_path: Path) -> None:
    cleared = [Record(1102, T0, {"SubjectUserName": "eve", "SubjectDomainName": "CORP"},
                      provider="Microsoft-Windows-Eventlog", user_data="LogFileCleared"),
               Record(104, T0, {"SubjectUserName": "eve"}, channel="System",
                      provider="Microsoft-Windows-Eventlog", user_data="LogFileCleared")]
    assert _evtx_scan(tmp_path, cleared).per_rule["logs.log-cleared"] == 2
    # event 104 of another provider is something else entirely
    other = [Record(104, T0, {"param1": "x"}, channel="Application", provider="Microsoft-Windows-Winlogon")]
    assert _evtx_scan(tmp_path, other).per_rule["logs.log-cleared"] == 0


# --- indicator hits ----------------------------------------------------------------------------------

def _matcher() -> IndicatorMatcher:
    return IndicatorMatcher.build([
        Indicator("indicator--11111111-1111-4111-8111-111111111111", "ipv4", ATTACKER, name="SSH scanner",
                  confidence=85, tlp="green", source="pk-cert-feed",
                  valid_from=datetime(2024, 1, 1, tzinfo=UTC), valid_until=datetime(2024, 6, 1, tzinfo=UTC)),
        Indicator("indicator--22222222-2222-4222-8222-222222222222", "domain", "evil.example", confidence=60,
                  tlp="amber", source="misp-community"),
    ])


def test_indicator_hit_on_a_login_address_carries_the_indicator(tmp_path: Path) -> None:
    scan = _scan(tmp_path, [_failed(T0), _failed(T0, "root", OTHER)], matcher=_matcher())
    assert scan.per_rule["logs.indicator-address"] == 1
    d = next(d for d in scan.detections if d.rule.id == "logs.indicator-address")
    assert d.key_value == ATTACKER
    (ind,) = d.evidence["indicators"]
    assert ind["indicator_id"] == "indicator--11111111-1111-4111-8111-111111111111"
    assert (ind["source"], ind["confidence"], ind["tlp"], ind["field"]) == ("pk-cert-feed", 85, "green", "src_ip")


def test_indicator_outside_its_validity_or_unlisted_address_is_quiet(tmp_path: Path) -> None:
    old = T0.replace(year=2023)  # before valid_from
    path = tmp_path / "auth.log"
    path.write_text(_failed(old) + "\n")
    assert scan_logs([path], year=2023, matcher=_matcher()).per_rule["logs.indicator-address"] == 0
    assert _scan(tmp_path, [_failed(T0, "root", OTHER)], matcher=_matcher()).per_rule["logs.indicator-address"] == 0
    assert _scan(tmp_path, [_failed(T0)]).per_rule["logs.indicator-address"] == 0  # no matcher: nothing matches


def test_indicator_domain_in_a_referrer(tmp_path: Path) -> None:
    stamp = T0.strftime("%d/%b/%Y:%H:%M:%S +0500")
    hit = f'{OTHER} - - [{stamp}] "GET /landing HTTP/1.1" 200 10 "http://cdn.evil.example/kit.js" "Mozilla/5.0"'
    miss = f'{OTHER} - - [{stamp}] "GET /landing HTTP/1.1" 200 10 "http://notevil.example/" "Mozilla/5.0"'
    scan = _scan(tmp_path, [hit, miss], "access.log", matcher=_matcher())
    assert scan.per_rule["logs.indicator-web"] == 1
    (ind,) = next(d for d in scan.detections if d.rule.id == "logs.indicator-web").evidence["indicators"]
    assert (ind["source"], ind["field"]) == ("misp-community", "referrer")
