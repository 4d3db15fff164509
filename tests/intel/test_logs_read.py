"""Log readers: each format, the RFC 3164 year and its roll-over at New Year, bad lines counted and
never fatal, and the kind of a file found from its content."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tahqiq.intel.logs import LogReadStats, detect_kind, read_logs
from tahqiq.intel.logs.read import event_id
from tahqiq.intel.logs.syslog import SyslogParser
from tests.intel.evtx_writer import Record, write_evtx

PKT = timezone(timedelta(hours=5))


def _write(path: Path, lines: list[str], mtime: datetime | None = None) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def _expect(fields: dict, expected: dict) -> None:
    assert {k: fields.get(k) for k in expected} == expected


def _read(*paths: Path, **kw: object) -> tuple[list, LogReadStats]:
    stats = LogReadStats()
    return list(read_logs(paths, stats=stats, **kw)), stats  # type: ignore[arg-type]


def test_auth_log_shapes(tmp_path: Path) -> None:
    log = _write(tmp_path / "auth.log", [
        "Mar  1 12:00:01 web1 sshd[4242]: Failed password for invalid user admin from 203.0.113.7 port 52311 ssh2",
        "Mar  1 12:00:02 web1 sshd[4242]: Accepted publickey for bob from 198.51.100.2 port 5000 ssh2: RSA SHA256:x",
        "Mar  1 12:00:03 web1 sshd[4243]: Invalid user test from 203.0.113.7 port 52312",
        "Mar  1 12:00:04 web1 sudo:      bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/id",
        "Mar  1 12:00:05 web1 sudo:      eve : user NOT in sudoers ; TTY=pts/1 ; PWD=/tmp ; USER=root ; "
        "COMMAND=/bin/sh",
        "Mar  1 12:00:06 web1 su: FAILED SU (to root) bob on pts/1",
        "Mar  1 12:00:07 web1 useradd[99]: new user: name=mallory, UID=1001, GID=1001, home=/home/mallory, "
        "shell=/bin/bash, from=/dev/pts/0",
        "Mar  1 12:00:08 web1 usermod[99]: add 'mallory' to group 'sudo'",
        "Mar  1 12:00:08 web1 usermod[99]: add 'mallory' to shadow group 'sudo'",
        "Mar  1 12:00:09 web1 gpasswd[9]: user mallory added by root to group wheel",
        "Mar  1 12:00:10 web1 groupadd[9]: new group: name=devs, GID=1002",
        "Mar  1 12:00:11 web1 passwd[9]: pam_unix(passwd:chauthtok): password changed for mallory",
        "Mar  1 12:00:12 web1 login[9]: FAILED LOGIN (1) on '/dev/tty1' FOR 'root', Authentication failure",
        "Mar  1 12:00:13 web1 systemd-logind[9]: New session 3 of user bob.",
        "Mar  1 12:00:14 web1 CRON[9]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
        "Mar  1 12:00:15 web1 sshd[9]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
        "ruser= rhost=203.0.113.9  user=root",
    ])
    events, stats = _read(log, year=2024)
    assert stats.total_bad == 0 and len(events) == 16
    assert {e.schema for e in events} == {"AuthEvent"}
    f = [e.fields for e in events]
    _expect(f[0], {"host": "web1", "program": "sshd", "pid": 4242, "action": "login", "outcome": "failure",
                         "user": "admin", "src_ip": "203.0.113.7", "src_port": 52311, "auth_method": "password"})
    assert f[0]["line"].startswith("Failed password for invalid user admin")
    assert (f[1]["outcome"], f[1]["auth_method"], f[1]["user"]) == ("success", "publickey", "bob")
    assert (f[2]["action"], f[2]["user"]) == ("invalid_user", "test")
    assert (f[3]["action"], f[3]["outcome"], f[3]["target_user"], f[3]["command"]) == (
        "sudo", "success", "root", "/usr/bin/id")
    assert (f[4]["outcome"], f[4]["user"]) == ("failure", "eve")
    assert (f[5]["action"], f[5]["outcome"], f[5]["user"], f[5]["target_user"]) == ("su", "failure", "bob", "root")
    assert (f[6]["action"], f[6]["target_user"]) == ("user_added", "mallory")
    assert (f[7]["action"], f[7]["group"]) == ("group_member_added", "sudo")
    assert f[8]["action"] == "other"  # the gshadow line is not a second membership
    assert (f[9]["action"], f[9]["group"], f[9]["target_user"]) == ("group_member_added", "wheel", "mallory")
    assert (f[10]["action"], f[10]["group"]) == ("group_added", "devs")
    assert f[11]["action"] == "password_changed"
    assert (f[12]["action"], f[12]["outcome"], f[12]["user"]) == ("login", "failure", "root")
    assert (f[13]["action"], f[13]["user"]) == ("session_opened", "bob")
    assert (f[14]["action"], f[14]["user"]) == ("session_opened", "root")
    assert (f[15]["action"], f[15]["outcome"], f[15]["src_ip"]) == ("other", "failure", "203.0.113.9")
    # RFC 3164 times are local (Pakistan time by default)
    assert events[0].time == datetime(2024, 3, 1, 12, 0, 1, tzinfo=PKT).timestamp()
    ev = events[0].to_evidence()
    assert ev["source"] == {"file": "auth.log", "line": 1} and ev["occurred_at"].startswith("2024-03-01T07:00:01")


def test_syslog_header_forms_and_the_last_address_wins() -> None:
    p = SyslogParser(year=2024)
    five = p.parse("<38>1 2024-03-01T12:00:10.5Z web2 sshd 77 - [meta x=\"1\"] Failed password for root from "
                   "2001:db8::1 port 22 ssh2")
    assert not isinstance(five, str)
    assert five[0] == datetime(2024, 3, 1, 12, 0, 10, 500000, tzinfo=UTC).timestamp()
    _expect(five[1], {"host": "web2", "program": "sshd", "pid": 77, "facility": "auth", "severity": "info",
                            "src_ip": "2001:db8::1", "outcome": "failure"})
    iso = p.parse("2024-03-01T12:00:11.123+05:00 web3 sshd[5]: Accepted password for bob from 203.0.113.9 port 22 ssh2")
    assert not isinstance(iso, str) and iso[0] == datetime(2024, 3, 1, 7, 0, 11, 123000, tzinfo=UTC).timestamp()
    with_year = p.parse("Jun  2 2023 08:00:00 web1 sshd[1]: Failed password for x from 203.0.113.1 port 1 ssh2")
    assert not isinstance(with_year, str) and datetime.fromtimestamp(with_year[0], PKT).year == 2023
    # an attacker's "user name" cannot move the source address: the last "from A port N" is the one
    forged = p.parse("Mar  1 12:00:12 web1 sshd[9]: Failed password for invalid user x from 10.9.9.9 port 22 "
                     "from 203.0.113.10 port 4444 ssh2")
    assert not isinstance(forged, str)
    assert (forged[1]["src_ip"], forged[1]["src_port"]) == ("203.0.113.10", 4444)
    assert p.parse("<38>1 - web2 sshd 77 - - hello") == "no timestamp"
    assert p.parse("Feb 30 12:00:00 web1 sshd[1]: hello") == "bad timestamp"


def test_message_repeated_stands_for_each_attempt(tmp_path: Path) -> None:
    log = _write(tmp_path / "auth.log", [
        "Mar  1 12:00:09 web1 sshd[9]: message repeated 3 times: [ Failed password for root from 203.0.113.9 "
        "port 22 ssh2]"])
    events, _ = _read(log, year=2024)
    assert len(events) == 3 and len({e.id for e in events}) == 3
    assert all(e.fields["outcome"] == "failure" and e.fields["src_ip"] == "203.0.113.9" for e in events)


def test_rfc3164_year_rolls_over_at_new_year(tmp_path: Path) -> None:
    lines = ["Dec 31 23:59:58 h sshd[1]: Failed password for a from 203.0.113.1 port 1 ssh2",
             "Jan  1 00:00:01 h sshd[1]: Failed password for a from 203.0.113.1 port 1 ssh2",
             "Dec 31 23:59:59 h sshd[1]: Failed password for a from 203.0.113.1 port 1 ssh2",  # late, last year's
             "Jan  1 00:00:02 h sshd[1]: Failed password for a from 203.0.113.1 port 1 ssh2"]
    # --year is the year of the first line
    events, _ = _read(_write(tmp_path / "a.log", lines), year=2023)
    years = [datetime.fromtimestamp(e.time, PKT).year for e in events]
    assert years == [2023, 2024, 2023, 2024]
    # without --year: the file's modification time is the year of its last line
    f = _write(tmp_path / "b.log", lines, mtime=datetime(2025, 1, 1, 0, 5, tzinfo=PKT))
    events, _ = _read(f)
    assert [datetime.fromtimestamp(e.time, PKT).year for e in events] == [2024, 2025, 2024, 2025]
    # a file written in March whose lines are all from March of the same year
    g = _write(tmp_path / "c.log", ["Mar  1 10:00:00 h sshd[1]: Failed password for a from 203.0.113.1 port 1 ssh2"],
               mtime=datetime(2025, 3, 2, tzinfo=PKT))
    assert datetime.fromtimestamp(_read(g)[0][0].time, PKT).year == 2025
    # ... and one written in February whose first line says November: last year's November
    h = _write(tmp_path / "d.log", ["Nov  3 10:00:00 h sshd[1]: Failed password for a from 203.0.113.1 port 1 ssh2"],
               mtime=datetime(2025, 2, 2, tzinfo=PKT))
    assert datetime.fromtimestamp(_read(h)[0][0].time, PKT).year == 2024


def test_malformed_lines_are_counted_not_fatal(tmp_path: Path) -> None:
    log = _write(tmp_path / "auth.log", [
        "Mar  1 12:00:01 web1 sshd[1]: Failed password for root from 203.0.113.7 port 1 ssh2",
        "this is not syslog",
        "\x00\x01binary junk",
        "Feb 31 12:00:00 web1 sshd[1]: impossible date",
        "",
        "Mar  1 12:00:02 web1 sshd[1]: Failed password for root from 203.0.113.7 port 2 ssh2",
    ])
    (tmp_path / "bad.bin").write_bytes(b"\xff\xfe\x00garbage\x00" * 10)
    events, stats = _read(log, year=2024)
    assert len(events) == 2
    assert stats.bad["auth.log"] == {"not a syslog line": 2, "bad timestamp": 1}
    assert stats.examples["auth.log"][0] == (2, "not a syslog line")
    assert stats.lines["auth.log"] == 6
    _, web_stats = _read(tmp_path / "bad.bin", kind="web")
    assert web_stats.total_bad >= 1 and web_stats.total_events == 0
    with pytest.raises(ValueError, match="unknown log kind"):
        list(read_logs([log], kind="nope"))
    with pytest.raises(FileNotFoundError):
        list(read_logs([tmp_path / "missing.log"]))


def test_web_access_logs(tmp_path: Path) -> None:
    log = _write(tmp_path / "access.log", [
        '203.0.113.5 - - [01/Mar/2024:12:00:01 +0500] "POST /wp-login.php HTTP/1.1" 401 512 "-" "curl/8.0"',
        '203.0.113.6 - alice [01/Mar/2024:12:00:02 +0000] "GET /search?q=a%20b&x=1 HTTP/2.0" 200 -',
        'shop.example:443 203.0.113.7 - - [01/Mar/2024:12:00:03 +0500] "GET / HTTP/1.1" 200 10 '
        '"https://ref.example/p" "Mozilla/5.0 (X11)"',
        '203.0.113.8 - - [01/Mar/2024:12:00:04 +0500] "\\x16\\x03\\x01 junk" 400 0 "-" "-"',
        'not an access log line',
    ])
    assert detect_kind(log) == "web"
    events, stats = _read(log)
    assert stats.bad["access.log"] == {"not a web access log line": 1}
    f = [e.fields for e in events]
    _expect(f[0], {"src_ip": "203.0.113.5", "method": "POST", "url": "/wp-login.php", "uri_path": "/wp-login.php",
                         "protocol": "HTTP/1.1", "status": 401, "bytes": 512, "user_agent": "curl/8.0"})
    assert "referrer" not in f[0] and f[0]["line"].startswith("203.0.113.5")
    assert events[0].time == datetime(2024, 3, 1, 7, 0, 1, tzinfo=UTC).timestamp()
    assert (f[1]["user"], f[1]["uri_path"], f[1]["uri_query"], "bytes" in f[1]) == ("alice", "/search", "q=a%20b&x=1",
                                                                                    False)
    assert events[1].time == datetime(2024, 3, 1, 12, 0, 2, tzinfo=UTC).timestamp()
    assert (f[2]["host"], f[2]["referrer"], f[2]["user_agent"]) == ("shop.example", "https://ref.example/p",
                                                                    "Mozilla/5.0 (X11)")
    assert "method" not in f[3] and f[3]["status"] == 400  # a junk request line is kept as sent


def test_web_json_lines(tmp_path: Path) -> None:
    log = tmp_path / "access.json"
    log.write_text("\n".join([
        json.dumps({"time": "2024-03-01T12:00:01+05:00", "src_ip": "203.0.113.5", "method": "POST",
                    "url": "/login?next=/", "status": 401, "bytes": 20, "user_agent": "x"}),
        json.dumps({"time_local": "01/Mar/2024:12:00:02 +0500", "remote_addr": "203.0.113.6",
                    "request": "GET /a?b=1 HTTP/1.1", "status": "200", "body_bytes_sent": "5"}),
        json.dumps({"remote_addr": "203.0.113.7"}),
        "[1, 2]",
        "{not json",
    ]) + "\n")
    assert detect_kind(log) == "webjson"
    events, stats = _read(log)
    assert len(events) == 2
    assert stats.bad["access.json"] == {"no or bad time": 1, "not a JSON object": 1, "not JSON": 1}
    a, b = (e.fields for e in events)
    _expect(a, {"src_ip": "203.0.113.5", "uri_path": "/login", "uri_query": "next=/", "status": 401})
    _expect(b, {"src_ip": "203.0.113.6", "method": "GET", "url": "/a?b=1", "status": 200, "bytes": 5})
    assert events[1].time == datetime(2024, 3, 1, 7, 0, 2, tzinfo=UTC).timestamp()


def _security_records(t0: datetime) -> list[Record]:
    return [
        Record(4625, t0, {"TargetUserName": "administrator", "TargetDomainName": "CORP", "IpAddress": "203.0.113.5",
                          "LogonType": "3", "Status": "0xc000006d"}),
        Record(4624, t0 + timedelta(seconds=1), {"TargetUserName": "bob", "IpAddress": "::ffff:198.51.100.4",
                                                 "LogonType": "10"}),
        Record(4732, t0 + timedelta(seconds=2), {"MemberName": "-", "MemberSid": "S-1-5-21-1-2-3-1001",
                                                 "TargetUserName": "Administrators", "TargetSid": "S-1-5-32-544",
                                                 "SubjectUserName": "bob"}),
        Record(4728, t0 + timedelta(seconds=3), {"MemberName": "CN=Mal Lory,CN=Users,DC=corp,DC=example",
                                                 "MemberSid": "S-1-5-21-1-2-3-1002", "TargetUserName": "Domain Admins",
                                                 "TargetSid": "S-1-5-21-1-2-3-512"}),
        Record(1102, t0 + timedelta(seconds=4), {"SubjectUserName": "bob", "SubjectDomainName": "CORP"},
               provider="Microsoft-Windows-Eventlog", user_data="LogFileCleared"),
    ]


def _check_windows(events: list, t0: datetime) -> None:
    assert [e.schema for e in events] == ["WindowsEvent"] * 5
    f = [e.fields for e in events]
    _expect(f[0], {"EventID": 4625, "Channel": "Security", "Computer": "DC01.corp.example",
                         "Provider_Name": "Microsoft-Windows-Security-Auditing", "Level": 0,
                         "TargetUserName": "administrator", "IpAddress": "203.0.113.5", "Status": "0xc000006d",
                         "host": "DC01.corp.example", "user": "administrator", "src_ip": "203.0.113.5",
                         "action": "login", "outcome": "failure"})
    assert events[0].time == t0.timestamp()
    assert (f[1]["outcome"], f[1]["src_ip"], f[1]["user"]) == ("success", "198.51.100.4", "bob")
    assert (f[2]["action"], f[2]["group"], f[2]["target_user"]) == ("group_member_added", "Administrators",
                                                                      "S-1-5-21-1-2-3-1001")
    assert (f[3]["target_user"], f[3]["group"]) == ("Mal Lory", "Domain Admins")
    assert (f[4]["action"], f[4]["SubjectUserName"], f[4]["EventID"]) == ("log_cleared", "bob", 1102)


def test_evtx_records_flatten_to_windows_fields(tmp_path: Path) -> None:
    t0 = datetime(2024, 3, 1, 7, 0, tzinfo=UTC)
    path = tmp_path / "Security.evtx"
    write_evtx(path, _security_records(t0))
    assert detect_kind(path) == "evtx"
    events, stats = _read(path)
    assert stats.total_bad == 0 and stats.kinds == {"Security.evtx": "evtx"}
    _check_windows(events, t0)
    assert events[0].to_evidence()["source"] == {"file": "Security.evtx", "line": 1}


def test_evtx_reader_survives_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.evtx"
    bad.write_bytes(b"ElfFile\x00" + b"\x00" * 100)
    events, stats = _read(bad)
    assert events == [] and stats.total_bad == 1


def _wevtutil_xml(records: list[Record]) -> str:
    parts = []
    for n, r in enumerate(records, 1):
        stamp = r.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
        if r.user_data:
            body = (f"<UserData><{r.user_data} xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'>"
                    + "".join(f"<{k}>{v}</{k}>" for k, v in r.data.items()) + f"</{r.user_data}></UserData>")
        else:
            body = "<EventData>" + "".join(f"<Data Name='{k}'>{v}</Data>" for k, v in r.data.items()) + "</EventData>"
        parts.append(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            f"<Provider Name='{r.provider}' Guid='{{54849625-5478-4994-a5ba-3e3b0328c30d}}'/>"
            f"<EventID>{r.event_id}</EventID><Version>0</Version><Level>{r.level}</Level><Task>12544</Task>"
            f"<TimeCreated SystemTime='{stamp}'/><EventRecordID>{n}</EventRecordID>"
            f"<Channel>{r.channel}</Channel><Computer>{r.computer}</Computer><Security/></System>"
            f"{body}</Event>")
    return "".join(parts)  # wevtutil qe /f:xml writes the events one after another, without a root


def test_wevtutil_xml_export(tmp_path: Path) -> None:
    t0 = datetime(2024, 3, 1, 7, 0, tzinfo=UTC)
    path = tmp_path / "security.xml"
    path.write_text(_wevtutil_xml(_security_records(t0)), encoding="utf-8")
    assert detect_kind(path) == "winxml"
    events, stats = _read(path)
    assert stats.total_bad == 0
    _check_windows(events, t0)
    # Event Viewer's "Save as XML": UTF-16 with a declaration and an <Events> root
    saved = tmp_path / "saved.xml"
    saved.write_text('<?xml version="1.0" encoding="UTF-16"?>\n<Events>' + _wevtutil_xml(_security_records(t0))
                     + "</Events>", encoding="utf-16")
    assert detect_kind(saved) == "winxml"
    _check_windows(_read(saved)[0], t0)
    # an event without an EventID is a bad record, the others still come
    broken = tmp_path / "broken.xml"
    broken.write_text(_wevtutil_xml(_security_records(t0)).replace("<EventID>4624</EventID>", ""), encoding="utf-8")
    events, stats = _read(broken)
    assert len(events) == 4 and stats.bad["broken.xml"] == {"no EventID": 1}


def test_detect_kind_and_gzip(tmp_path: Path) -> None:
    lines = ["<38>1 2024-03-01T12:00:10Z web2 sshd 77 - - Failed password for root from 203.0.113.1 port 22 ssh2"]
    assert detect_kind(_write(tmp_path / "messages", lines)) == "syslog"
    gz = tmp_path / "auth.log.2.gz"
    with gzip.open(gz, "wt") as fh:
        fh.write("Mar  1 12:00:01 web1 sshd[1]: Failed password for root from 203.0.113.7 port 1 ssh2\n")
    assert detect_kind(gz) == "syslog"
    events, _ = _read(gz, year=2024)
    assert events[0].fields["src_ip"] == "203.0.113.7"
    # the same file read twice gives the same event ids (alerts dedupe on them)
    assert [e.id for e in _read(gz, year=2024)[0]] == [e.id for e in events]
    assert events[0].id == event_id("auth.log.2.gz", 1) != event_id("auth.log.2.gz", 1, 1) != event_id("a", 1)
