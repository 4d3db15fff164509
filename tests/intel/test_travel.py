"""Impossible travel: places from a GeoTable (nested CIDR networks, IPv4 and IPv6), one account's
consecutive successful logins, and the speed between them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tahqiq.intel.logs import GeoTable, Place, TravelDetector, distance_km
from tahqiq.intel.scan import scan_logs
from tahqiq.stream.events import Event
from tests.intel.evtx_writer import Record, write_evtx

GEO_CSV = """network,latitude,longitude,country,city
81.2.64.0/18,31.5204,74.3587,PK,Lahore
81.2.69.0/24,24.8607,67.0011,PK,Karachi
81.2.69.128/26,33.6844,73.0479,PK,Islamabad
89.160.0.0/16,51.5072,-0.1276,GB,London
2a02:8100::/32,52.5200,13.4050,DE,Berlin
"""
T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def geo(tmp_path: Path) -> GeoTable:
    path = tmp_path / "geo.csv"
    path.write_text(GEO_CSV)
    return GeoTable.load(path)


def test_geotable_most_specific_network_wins(geo: GeoTable) -> None:
    assert geo.size == 5
    assert geo.lookup("81.2.70.1").city == "Lahore"            # type: ignore[union-attr]
    assert geo.lookup("81.2.69.5").city == "Karachi"           # type: ignore[union-attr]
    assert geo.lookup("81.2.69.130").city == "Islamabad"       # type: ignore[union-attr]
    assert geo.lookup("81.2.69.200").city == "Karachi"         # after the nested /26: back to the /24
    assert geo.lookup("81.2.128.1") is None                    # past the /18
    assert geo.lookup("2a02:8100:1::5").city == "Berlin"       # type: ignore[union-attr]
    assert geo.lookup("::ffff:89.160.1.1").city == "London"    # type: ignore[union-attr]
    assert geo.lookup("10.1.2.3") is None and geo.lookup("not an ip") is None


def test_geotable_rejects_a_bad_csv(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("net,lat,lon\n1.2.3.0/24,1,2\n")
    with pytest.raises(ValueError, match="network, latitude, longitude"):
        GeoTable.load(bad)
    bad.write_text("network,latitude,longitude\n1.2.3.0/33,1,2\n")
    with pytest.raises(ValueError, match="line 2"):
        GeoTable.load(bad)


def test_distance() -> None:
    lahore, london = Place("a", 31.5204, 74.3587), Place("b", 51.5072, -0.1276)
    assert distance_km(lahore, london) == pytest.approx(6290, rel=0.01)
    assert distance_km(lahore, lahore) == 0.0


def _login(n: int, when: datetime, ip: str, user: str = "bob", outcome: str = "success") -> Event:
    return Event("AuthEvent", f"e{n}", when.timestamp(), None,
                 {"host": "web1", "action": "login", "outcome": outcome, "user": user, "src_ip": ip})


def test_impossible_travel_fires_with_both_logins_as_evidence(geo: GeoTable) -> None:
    det = TravelDetector(geo)
    assert det.process(_login(1, T0, "81.2.70.1")) == []                       # Lahore
    (d,) = det.process(_login(2, T0 + timedelta(hours=1), "89.160.3.4"))      # London an hour later
    assert (d.rule.id, d.key_kind, d.key_value) == ("logs.impossible-travel", "user", "bob")
    travel = d.evidence["travel"]
    assert (travel["from"]["city"], travel["to"]["city"]) == ("Lahore", "London")
    assert travel["speed_kmh"] == pytest.approx(6290, rel=0.01) and travel["hours"] == 1.0
    assert [e["id"] for e in d.evidence["events"]] == ["e1", "e2"]
    # the same pair again gives the same dedupe key (alerts are insert-or-ignore on it)
    again = TravelDetector(geo)
    again.process(_login(1, T0, "81.2.70.1"))
    assert again.process(_login(2, T0 + timedelta(hours=1), "89.160.3.4"))[0].dedupe_key == d.dedupe_key


def test_possible_travel_and_other_cases_are_quiet(geo: GeoTable) -> None:
    det = TravelDetector(geo)
    det.process(_login(1, T0, "81.2.70.1"))
    assert det.process(_login(2, T0 + timedelta(hours=8), "89.160.3.4")) == []   # 786 km/h: a flight
    assert det.process(_login(3, T0 + timedelta(hours=8), "89.160.3.4", "alice")) == []  # another account
    assert det.process(_login(4, T0 + timedelta(hours=8, minutes=1), "81.2.70.1", outcome="failure")) == []
    assert det.process(_login(5, T0 + timedelta(hours=8, minutes=2), "10.0.0.8")) == []  # no place
    # Lahore to Islamabad (~270 km) in 10 minutes is impossible; under the minimum distance it is not judged
    near = TravelDetector(geo)
    near.process(_login(1, T0, "81.2.70.1"))
    assert len(near.process(_login(2, T0 + timedelta(minutes=10), "81.2.69.130"))) == 1
    lenient = TravelDetector(geo, min_distance_km=500)
    lenient.process(_login(1, T0, "81.2.70.1"))
    assert lenient.process(_login(2, T0 + timedelta(minutes=10), "81.2.69.130")) == []
    # a slower limit is configurable
    slow = TravelDetector(geo, max_speed_kmh=500)
    slow.process(_login(1, T0, "81.2.70.1"))
    assert len(slow.process(_login(2, T0 + timedelta(hours=8), "89.160.3.4"))) == 1


def test_scan_runs_travel_over_linux_and_windows_logs(tmp_path: Path, geo: GeoTable) -> None:
    auth = tmp_path / "auth.log"
    auth.write_text("Mar  1 15:00:00 web1 sshd[1]: Accepted password for bob from 81.2.70.1 port 5 ssh2\n"
                    "Mar  1 15:30:00 web1 sshd[1]: Accepted password for bob from 89.160.3.4 port 6 ssh2\n")
    evtx = tmp_path / "Security.evtx"
    write_evtx(evtx, [Record(4624, T0, {"TargetUserName": "alice", "TargetDomainName": "CORP",
                                        "IpAddress": "2a02:8100:1::5", "LogonType": "10"}),
                      Record(4624, T0 + timedelta(minutes=20), {"TargetUserName": "alice", "TargetDomainName": "CORP",
                                                                "IpAddress": "81.2.69.5", "LogonType": "10"})])
    scan = scan_logs([auth, evtx], year=2024, geo=geo)
    assert scan.per_rule["logs.impossible-travel"] == 2
    assert sorted(d.key_value for d in scan.detections if d.rule.id == "logs.impossible-travel") == ["alice", "bob"]
    assert scan_logs([auth, evtx], year=2024).per_rule["logs.impossible-travel"] == 0  # no table: not run
