"""The Sigma loader: real SigmaHQ rules convert into engine rules that fire on matching log events
(and not on near misses), and every rule it cannot convert faithfully is refused with its reason."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tahqiq.cli.intel_sigma_cmds import app
from tahqiq.intel.sigma import UNSUPPORTED, load_sigma
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.events import Event
from tahqiq.stream.rulefile import load_rules
from tahqiq.stream.windows import Detector

DATA = Path(__file__).parent / "data" / "sigma"
_n = 0


def ev(schema: str, t: float = 1_700_000_000.0, **fields) -> Event:
    global _n
    _n += 1
    return Event(schema, f"e{_n}", t, None, fields)


def auth(**f) -> Event:
    return ev("AuthEvent", **f)


def web(**f) -> Event:
    return ev("WebRequest", **f)


def win(**f) -> Event:
    return ev("WindowsEvent", **f)


@pytest.fixture(scope="module")
def real():
    result = load_sigma([DATA])
    return result, RuleEngine(result.rules)


def fired(engine: RuleEngine, event: Event) -> set[str]:
    return {m.rule.id for m in engine.match(event)}


def sigma(tmp_path: Path, text: str, name: str = "rule.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_one(tmp_path: Path, text: str):
    result = load_sigma([sigma(tmp_path, text)])
    return result, RuleEngine(result.rules)


# --- real rules ---------------------------------------------------------------------------------

def test_real_sample_share_and_refusals(real):
    result, _ = real
    shares = result.share_by_source()
    assert {k: (v.loaded, v.total) for k, v in shares.items()} == {
        "AuthEvent": (3, 4), "WebRequest": (3, 3), "WindowsEvent": (3, 3)}
    reasons = {Path(r.path).name: r.reason for r in result.refused}
    assert "aggregation" in reasons["lnx_auth_susp_failed_logons_single_source.yml"]
    assert all(r.rule_id and r.title for r in result.refused)


def test_cidr_filters_keep_their_networks(real):
    """The RDP rule's `IpAddress|cidr` filter: a remote desktop login from outside the private and
    loopback networks fires; one from inside any of them (IPv4, IPv6, IPv4-mapped) does not."""
    _, engine = real
    rdp = [r.id for r in engine.rules if "RDP" in r.title or "Remote Desktop" in r.title]
    assert len(rdp) == 1
    logon = {"Channel": "Security", "EventID": 4624, "LogonType": 10}
    assert rdp[0] in fired(engine, win(**logon, IpAddress="203.0.113.9"))
    assert rdp[0] in fired(engine, win(**logon, IpAddress="2001:db8::5"))
    for inside in ("10.1.2.3", "172.31.255.255", "192.168.0.1", "127.0.0.1", "::1", "fe80::1", "::ffff:10.0.0.7"):
        assert rdp[0] not in fired(engine, win(**logon, IpAddress=inside)), inside
    assert rdp[0] not in fired(engine, win(**logon, IpAddress="-"))


def test_sshd_keywords_scoped_to_sshd(real):
    _, engine = real
    rid = "sigma.e76b413a-83d0-4b94-8e4c-85db4a5b8bdc"
    assert rid in fired(engine, auth(program="sshd", line="fatal: Corrupted MAC on input. [preauth]"))
    assert rid in fired(engine, auth(program="sshd-session", line="error: CORRUPTED MAC ON INPUT"))
    assert rid not in fired(engine, auth(program="sudo", line="Corrupted MAC on input"))
    assert rid not in fired(engine, auth(program="sshd", line="Accepted publickey for root"))


def test_sudo_wildcards(real):
    _, engine = real
    rid = "sigma.7fcc54cb-f27d-4684-84b7-436af096f858"
    assert rid in fired(engine, auth(program="sudo", target_user="#-1"))
    assert rid in fired(engine, auth(program="sudo", target_user="#04294967295"))
    assert rid not in fired(engine, auth(program="sudo", target_user="#1001"))
    assert rid not in fired(engine, auth(program="sudo", target_user="root"))


def test_keyword_selection_and_not_filter(real):
    _, engine = real
    rid = "sigma.e09eb557-96d2-4de9-ba2d-30f712a5afd3"
    assert rid in fired(engine, auth(program="bash", line="root ran rm -rf /var/log/syslog"))
    assert rid not in fired(engine, auth(program="bash", line="rm -rf /var/log/syslog.1"))


def test_web_null_fields(real):
    _, engine = real
    rid = "sigma.2ea44a60-cfda-11ea-87d0-0242ac130003"
    hit = dict(method="POST", url="/tunnel.jsp?cmd=connect&target=10.0.0.5&port=22")
    assert rid in fired(engine, web(**hit))
    assert rid in fired(engine, web(**hit, referrer=""))
    assert rid not in fired(engine, web(**hit, user_agent="curl/8.0"))
    assert rid not in fired(engine, web(method="GET", url=hit["url"]))


def test_web_keywords_filter_on_status(real):
    _, engine = real
    rid = "sigma.5513deaf-f49a-46c2-a6c8-3f111b5cb453"
    line = '1.2.3.4 - - [01/Jan/2025:00:00:00 +0000] "GET /item?id=1%20UNION%20SELECT%201,2 HTTP/1.1" 200 12'
    assert rid in fired(engine, web(method="GET", status=200, line=line))
    assert rid not in fired(engine, web(method="GET", status=404, line=line))
    assert rid not in fired(engine, web(method="GET", status=200, line=line.replace("UNION", "UNIONS")))


def test_web_endswith_and_contains_all(real):
    _, engine = real
    rid = "sigma.ac5a6409-8c89-44c2-8d64-668c29a2d756"
    assert rid in fired(engine, web(url="/vpns/portal/scripts/newbm.pl"))
    assert rid in fired(engine, web(url="/VPNS/CFG/SMB.CONF"))
    assert rid not in fired(engine, web(url="/vpns/cfg/smb.conf.bak"))
    assert rid not in fired(engine, web(url="/vpns/portal/scripts/index.html"))


def test_windows_one_of_and_channel_scope(real):
    _, engine = real
    rid = "sigma.8eef149c-bd26-49f2-9e5a-9b00e3af499b"
    base = dict(Channel="Security", EventID=4624, LogonType=9, LogonProcessName="seclogo")
    assert rid in fired(engine, win(**base, TargetUserName="alice"))
    assert rid not in fired(engine, win(**base, TargetUserName="ANONYMOUS LOGON"))
    assert rid not in fired(engine, win(**{**base, "Channel": "System"}, TargetUserName="alice"))
    assert rid not in fired(engine, win(**{**base, "LogonType": 10}, TargetUserName="alice"))


def test_windows_startswith_with_backslashes(real):
    _, engine = real
    rid = "sigma.de7ce410-b3fb-4e8a-b38c-3b999e2c3420"
    base = dict(Channel="System", Provider_Name="Service Control Manager", EventID=7045)
    assert rid in fired(engine, win(**base, ServiceName="PAExec-4242-WS01", ImagePath="C:\\x.exe"))
    assert rid in fired(engine, win(**base, ServiceName="svc", ImagePath="C:\\Windows\\PAExec-4242.exe"))
    assert rid not in fired(engine, win(**base, ServiceName="svc", ImagePath="C:\\Windows\\x\\PAExec-1.exe"))
    assert rid not in fired(engine, win(**{**base, "EventID": 7036}, ServiceName="PAExec-1"))


def test_cli_writes_a_rule_file_the_engine_loads(tmp_path):
    out = tmp_path / "rules.yml"
    res = CliRunner().invoke(app, ["load", str(DATA), "--out", str(out), "--show-refused"])
    assert res.exit_code == 0, res.output
    assert "WebRequest" in res.output and "aggregation" in res.output
    rules = load_rules(out)
    assert len(rules) == 9 and all(r.id.startswith("sigma.") for r in rules)
    assert CliRunner().invoke(app, ["load", str(tmp_path / "nope")]).exit_code == 2


# --- crafted rules: what maps -------------------------------------------------------------------

WIN = "logsource: {product: windows, service: security}\n"


def test_modifiers_that_expand_to_alternatives(tmp_path):
    _, engine = load_one(tmp_path, """\
        title: crafted expansions
        id: 11111111-1111-4111-8111-111111111111
        logsource: {product: windows, service: security}
        detection:
            dash: {CommandLine|windash|contains: ' -enc '}
            b64: {ScriptBlock|base64offset|contains: 'IEX'}
            condition: dash or b64
        """)
    rid = "sigma.11111111-1111-4111-8111-111111111111"
    assert rid in fired(engine, win(Channel="Security", CommandLine="powershell /enc AAAA"))
    assert rid in fired(engine, win(Channel="Security", CommandLine="powershell -enc AAAA"))
    assert rid in fired(engine, win(Channel="Security", ScriptBlock="xx SUVY yy"))
    assert rid not in fired(engine, win(Channel="Security", CommandLine="powershell -nop"))


def test_regex_flags_cased_exists_compare_and_null(tmp_path):
    _, engine = load_one(tmp_path, """\
        title: crafted values
        id: 22222222-2222-4222-8222-222222222222
        logsource: {category: webserver}
        detection:
            rx: {c-useragent|re|i: '^sqlmap/\\d'}
            cased: {cs-method|cased: 'Get'}
            big: {sc-bytes|gt: 1000000}
            anon: {cs-username: null, cs-host|exists: true}
            condition: rx or cased or big or anon
        """)
    rid = "sigma.22222222-2222-4222-8222-222222222222"
    assert rid in fired(engine, web(user_agent="SQLMAP/1.7"))
    assert rid not in fired(engine, web(user_agent="x sqlmap/1.7"))
    assert rid in fired(engine, web(method="Get"))
    assert rid not in fired(engine, web(method="GET"))
    assert rid in fired(engine, web(bytes=2_000_000))
    assert rid not in fired(engine, web(bytes=999))
    assert rid in fired(engine, web(host="intranet"))
    assert rid not in fired(engine, web(host="intranet", user="bob"))
    assert rid not in fired(engine, web(user=""))


def test_event_count_correlation_fires_on_the_threshold(tmp_path):
    result, engine = load_one(tmp_path, """\
        title: crafted failed logon
        id: 33333333-3333-4333-8333-333333333333
        name: failed_logon
        logsource: {product: windows, service: security}
        detection:
            selection: {EventID: 4625}
            condition: selection
        ---
        title: crafted brute force
        id: 44444444-4444-4444-8444-444444444444
        correlation:
            type: event_count
            rules: [failed_logon]
            group-by: [IpAddress]
            timespan: 5m
            condition: {gt: 2}
        """)
    assert [r.id for r in result.rules] == ["sigma.44444444-4444-4444-8444-444444444444"]  # base: generate false
    assert result.rules[0].correlation.gte == 3 and result.rules[0].correlation.timespan == 300
    det = Detector(engine)
    fails = [win(Channel="Security", EventID=4625, IpAddress="203.0.113.9", t=1000.0 + i) for i in range(3)]
    assert [len(det.process(e)) for e in fails] == [0, 0, 1]
    other = win(Channel="Security", EventID=4625, IpAddress="198.51.100.1", t=1004.0)
    assert det.process(other) == []


def test_temporal_ordered_correlation(tmp_path):
    result, engine = load_one(tmp_path, """\
        title: crafted added
        id: 55555555-5555-4555-8555-555555555555
        name: added
        logsource: {product: windows, service: security}
        detection:
            selection: {EventID: 4720}
            condition: selection
        ---
        title: crafted promoted
        id: 66666666-6666-4666-8666-666666666666
        name: promoted
        logsource: {product: windows, service: security}
        detection:
            selection: {EventID: 4732}
            condition: selection
        ---
        title: crafted add then promote
        id: 77777777-7777-4777-8777-777777777777
        correlation:
            type: temporal_ordered
            rules: [added, promoted]
            group-by: [TargetUserName]
            timespan: 1h
        """)
    assert result.refused == []
    det = Detector(engine)
    assert det.process(win(Channel="Security", EventID=4732, TargetUserName="eve", t=10.0)) == []
    assert det.process(win(Channel="Security", EventID=4720, TargetUserName="eve", t=20.0)) == []
    assert len(det.process(win(Channel="Security", EventID=4732, TargetUserName="eve", t=30.0))) == 1


# --- crafted rules: refusals, one per reason ----------------------------------------------------

REFUSALS = [
    ("logsource: {product: windows, category: process_creation}\ndetection: {s: {Image: x}, condition: s}",
     "unsupported log source product:windows/category:process_creation"),
    (WIN + "detection: {s: {IpAddress|cidr: 10.0.0/33}, condition: s}", "Invalid CIDR expression"),
    (WIN + "detection: {s: {TargetUserName|fieldref: SubjectUserName}, condition: s}", "modifier fieldref"),
    (WIN + "detection: {s: {IpAddress|expand: '%admin_ips%'}, condition: s}", "modifier expand"),
    (WIN + "detection: {s: {UtcTime|hour: 3}, condition: s}", "modifier hour"),
    (WIN + "detection: {s: {CommandLine|utf16|contains: x}, condition: s}", "modifier utf16 without base64"),
    ("logsource: {category: webserver}\ndetection: {s: {c-uri-extension: php}, condition: s}",
     "unmapped field c-uri-extension"),
    ("logsource: {product: linux}\ndetection: {s: [x], condition: s | count() by host > 5}", "v1 aggregation"),
    (WIN + "detection: {s: {Message|contains: password}, condition: s}", "holds what people say or write"),
    (WIN + "detection: {s: [mimikatz], condition: s}", "Windows events have none"),
    ("logsource: {product: linux}\ndetection: {s: [x], condition: s and t}", "unknown selection 't'"),
]


@pytest.mark.parametrize(("body", "reason"), REFUSALS)
def test_refusals(tmp_path, body, reason):
    text = f"title: crafted refusal\nid: 88888888-8888-4888-8888-888888888888\n{body}\n"
    result = load_sigma([sigma(tmp_path, text)])
    assert result.rules == []
    assert len(result.refused) == 1
    refusal = result.refused[0]
    assert reason in refusal.reason
    assert refusal.rule_id == "88888888-8888-4888-8888-888888888888" and refusal.title == "crafted refusal"
    assert refusal.path.endswith("rule.yml")


def test_engine_validation_is_quoted(tmp_path):
    result = load_sigma([sigma(tmp_path, "title: ab\nlogsource: {category: webserver}\n"
                                         "detection: {s: {cs-method: GET}, condition: s}\n")])
    assert result.refused[0].reason.startswith("engine: ")
    assert "title" in result.refused[0].reason and "at least 3" in result.refused[0].reason


CORRELATION_REFUSALS = [
    ("type: temporal\n  rules: [base]\n  group-by: [IpAddress]\n  timespan: 1m", "correlation type temporal"),
    ("type: event_count\n  rules: [base]\n  group-by: [IpAddress]\n  timespan: 1m\n  condition: {lt: 3}",
     "only gte/gt thresholds"),
    ("type: event_count\n  rules: [base]\n  group-by: [IpAddress, Computer]\n  timespan: 1m\n  condition: {gte: 3}",
     "group-by on 2 fields"),
]


@pytest.mark.parametrize(("body", "reason"), CORRELATION_REFUSALS)
def test_correlation_refusals(tmp_path, body, reason):
    text = (f"title: crafted base\nname: base\n{WIN}detection: {{s: {{EventID: 4625}}, condition: s}}\n---\n"
            f"title: crafted correlation\ncorrelation:\n  {body}\n")
    result = load_sigma([sigma(tmp_path, text)])
    assert [r.title for r in result.refused] == ["crafted correlation"]
    assert reason in result.refused[0].reason
    assert result.share_by_source()["WindowsEvent"].total == 2


def test_unsupported_sources_are_counted_apart(tmp_path):
    sigma(tmp_path, "title: crafted proxy\nlogsource: {category: proxy}\ndetection: {s: {c-uri: x}, condition: s}\n",
          "a.yml")
    sigma(tmp_path, "title: crafted web\nlogsource: {category: webserver}\ndetection: {s: {c-uri: x}, condition: s}\n",
          "b.yml")
    shares = load_sigma([tmp_path]).share_by_source()
    assert (shares[UNSUPPORTED].loaded, shares[UNSUPPORTED].total) == (0, 1)
    assert (shares["WebRequest"].loaded, shares["WebRequest"].total) == (1, 1)
