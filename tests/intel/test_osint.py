"""OSINT event trends: ACLED's export and the simple form read, bad rows quarantined, counts by ISO week
(across year ends), the store's dataset replaced on reload, reads through the gate, and nothing of the
notes, actor names or source texts kept anywhere."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from tahqiq.cli.osint_cmds import app as osint_app
from tahqiq.generate.acled import COLUMNS, write_acled
from tahqiq.govern import SYSTEM, AccessDenied, Gate, identity
from tahqiq.govern.tables import AuditEntry
from tahqiq.intel.osint import (
    ACLED_COLUMNS,
    OTHER_DISTRICT,
    THEMES,
    aggregate,
    parse_date,
    read_events_csv,
    theme_of,
    totals_by_district,
    week_of,
)
from tahqiq.intel.osint_store import (
    OsintTrend,
    district_theme_totals,
    district_totals,
    load_trends,
    trend_facets,
    trend_series,
)
from tests.govern.conftest import PASSWORD, cheap_argon2  # noqa: F401 - fixture

SECRET_NOTE = "Ahmed Raza addressed the crowd and said zxqv"
SECRET_ACTOR = "Jamaat-e-Zxqv Faction of Bilal Khan"
SECRET_SOURCE = "Zxqv Weekly Gazette"


def _acled(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(ACLED_COLUMNS))
        w.writeheader()
        for r in rows:
            w.writerow({"country": "Pakistan", "admin1": "Punjab", "fatalities": "0", "source": "Dawn", **r})
    return path


def _row(day: str, district: str = "Lahore", event_type: str = "Protests", **more: str) -> dict[str, str]:
    return {"event_date": day, "admin2": district, "event_type": event_type, **more}


# --- reading ----------------------------------------------------------------------------------------

def test_acled_export_is_read_with_its_dates_districts_and_categories(tmp_path):
    path = _acled(tmp_path / "acled.csv", [
        _row("15 January 2024", sub_event_type="Peaceful protest", inter1="6", latitude="31.52", longitude="74.35"),
        _row("2024-01-16", "D.G. Khan", "", sub_event_type="Armed clash", inter1="1", fatalities="3"),
        _row("17-January-2024", "Atlantis", "Riots", inter1="Rioters"),
        _row("", "Lahore"),                                   # line 5: no date
        _row("31 Febtember 2024"),                            # line 6: unreadable date
        _row("2024-01-18", event_type="Parade"),              # line 7: not an ACLED category
        _row("2024-01-18", fatalities="two"),                 # line 8
    ])
    read = read_events_csv(path)
    assert read.format == "acled" and read.rows == 7 and len(read.events) == 3
    first, second, third = read.events
    assert (first.date, first.district, first.theme, first.sub_event_type, first.actor_type) == (
        date(2024, 1, 15), "Lahore", "Protests", "Peaceful protest", "Protesters")
    assert (first.latitude, first.longitude) == (31.52, 74.35)
    # the type comes from the sub-event type when missing; "D.G. Khan" is the admin list's Dera Ghazi Khan
    assert (second.district, second.theme, second.fatalities, second.actor_type) == (
        "Dera Ghazi Khan", "Battles", 3, "State forces")
    assert third.district == OTHER_DISTRICT and read.unknown_districts == {"Atlantis": 1}
    assert read.unplaced == 2
    reasons = {q.line: q.reason for q in read.quarantined}
    assert set(reasons) == {5, 6, 7, 8}
    assert reasons[5] == "no date" and "unreadable date" in reasons[6]
    assert "unknown event type 'Parade'" in reasons[7] and "whole number" in reasons[8]


def test_the_simple_form_and_renamed_columns(tmp_path):
    simple = tmp_path / "simple.csv"
    simple.write_text("date,district,event_type,actor_type,fatalities,source,latitude,longitude\n"
                      "2026-03-02,lhr,protests,Protesters,0,Dawn,31.5,74.3\n"
                      "2026-03-03,Multan,Explosions,State forces,2,APP; Dawn,,\n", encoding="utf-8")
    read = read_events_csv(simple)
    assert read.format == "simple"
    assert [(e.district, e.theme, e.fatalities) for e in read.events] == [
        ("Lahore", "Protests", 0), ("Multan", "Explosions/Remote violence", 2)]
    other = tmp_path / "other.csv"
    other.write_text("Event Date,Zila,Kind\n02/03/2026,Faisalabad,Riots\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not an ACLED or Tahqiq event file"):
        read_events_csv(other)
    renamed = read_events_csv(other, columns={"date": "Event Date", "district": "Zila", "event_type": "Kind"})
    assert [(e.date, e.district, e.theme) for e in renamed.events] == [(date(2026, 3, 2), "Faisalabad", "Riots")]


def test_dates_and_themes():
    assert parse_date("15 January 2024") == parse_date("2024-01-15") == parse_date("15 Jan 2024") == date(2024, 1, 15)
    assert parse_date("January 2024") is None and parse_date("") is None
    assert theme_of("", "Suicide bomb") == ("Explosions/Remote violence", "Suicide bomb")
    assert theme_of("Protests", "Armed clash") == ("Protests", "")  # ACLED's own type wins
    assert theme_of("Looting", "") is None
    assert len(THEMES) == 6


def test_iso_weeks_across_year_ends(tmp_path):
    days = ["31 December 2020", "2021-01-03", "2021-01-04", "30 December 2024", "2025-01-01", "2025-01-05",
            "2025-01-06"]
    path = _acled(tmp_path / "weeks.csv", [_row(d, source="Dawn; dawn ;The News") for d in days])
    rows = aggregate(read_events_csv(path).events)
    assert [(r.week, r.events) for r in rows] == [
        (date(2020, 12, 28), 2), (date(2021, 1, 4), 1), (date(2024, 12, 30), 3), (date(2025, 1, 6), 1)]
    assert all(r.sources == 2 for r in rows)  # "Dawn" and "dawn " are one source
    assert week_of(date(2021, 1, 3)).isocalendar()[:2] == (2020, 53)
    assert week_of(date(2025, 1, 1)) == date(2024, 12, 30)


def test_nothing_of_notes_actors_or_source_texts_is_kept(tmp_path):
    path = _acled(tmp_path / "speech.csv", [_row("2026-05-04", notes=SECRET_NOTE, actor1=SECRET_ACTOR,
                                                 actor2=SECRET_ACTOR, assoc_actor_1=SECRET_ACTOR,
                                                 source=SECRET_SOURCE, inter1="Political militia")])
    read = read_events_csv(path)
    kept = repr(read) + repr(aggregate(read.events))
    for word in ("zxqv", "ahmed", "bilal", "gazette", "jamaat"):
        assert word not in kept.lower()
    assert read.events[0].actor_type == "Political militia"


def test_generated_acled_files(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    n = write_acled(a, seed=3, weeks=20, rows=1500)
    write_acled(b, seed=3, weeks=20, rows=1500)
    assert n == 1500 and a.read_bytes() == b.read_bytes()
    assert COLUMNS == ACLED_COLUMNS
    with a.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    actors = {r["actor1"] for r in rows} | {r["actor2"] for r in rows}
    assert all(x == "" or x.endswith(("(Pakistan)", "(2018-)")) for x in actors)  # ACLED's generic labels only
    read = read_events_csv(a)
    assert len(read.events) == 1500 and not read.quarantined and not read.unknown_districts
    assert len({e.date.isocalendar()[:2] for e in read.events}) == 20
    totals = totals_by_district(aggregate(read.events))
    assert totals[0].district == "Lahore" and all(t.latitude is not None for t in totals)
    # a flare-up: some district's theme runs far above its own usual week
    rows_ = aggregate(read.events)
    by_cell: dict[tuple[str, str], list[int]] = {}
    for r in rows_:
        by_cell.setdefault((r.district, r.theme), []).append(r.events)
    assert any(max(v) >= 5 * (sum(v) / 20) and max(v) >= 6 for v in by_cell.values())


# --- the store, through the gate ----------------------------------------------------------------------

@pytest.fixture
def osint_gate(engine, cheap_argon2):  # noqa: F811 - the fixture imported above
    gate = Gate(engine)
    identity.add_user(gate.audit, None, "admin", PASSWORD, "admin", "PUNJAB-POLICE")
    admin = gate.authenticate_password("admin", PASSWORD)
    for name, role in (("sana", "supervisor"), ("ayesha", "analyst"), ("irfan", "auditor")):
        identity.add_user(gate.audit, admin, name, PASSWORD, role, "PUNJAB-POLICE")
    yield gate
    gate.dispose()


def _me(gate: Gate, name: str):
    return gate.authenticate_password(name, PASSWORD)


def test_load_replaces_the_dataset_and_reads_go_through_the_gate(osint_gate, tmp_path):
    gate = osint_gate
    path = tmp_path / "acled.csv"
    write_acled(path, seed=5, weeks=10, rows=800)
    with gate.scope(SYSTEM, "load ACLED events") as job:
        first = load_trends(job, path, dataset="acled-test")
        again = load_trends(job, path, dataset="acled-test")  # replaces, does not add
        load_trends(job, _acled(tmp_path / "small.csv", [_row("2026-09-07", "Atlantis")]), dataset="other")
    assert first.events == 800 and again.replaced == first.trend_rows and again.batch > first.batch
    sana, ayesha = _me(gate, "sana"), _me(gate, "ayesha")
    with gate.scope(ayesha, "event trends", roles=("analyst", "supervisor")) as view:
        series = trend_series(view, dataset="acled-test")
        lahore = trend_series(view, district="Lahore", dataset="acled-test")
        totals = district_totals(view, dataset="acled-test")
        page1 = district_theme_totals(view, dataset="acled-test", limit=10)
        page2 = district_theme_totals(view, dataset="acled-test", offset=10, limit=10)
        datasets, districts = trend_facets(view)
        everything = district_totals(view)
    assert sum(p.events for p in series) == 800 == sum(t.events for t in totals)
    assert len({p.week for p in series}) == 10 and 0 < sum(p.events for p in lahore) < 800
    assert page1.total == page2.total > 20 and len(page1.items) == len(page2.items) == 10
    assert not {(i.district, i.theme) for i in page1.items} & {(i.district, i.theme) for i in page2.items}
    assert page1.items[0].events >= page1.items[-1].events >= page2.items[0].events
    assert [d.name for d in datasets] == ["acled-test", "other"] and datasets[0].loaded_at.tzinfo is not None
    assert OTHER_DISTRICT in districts
    other = next(t for t in everything if t.district == OTHER_DISTRICT)
    assert other.events == 1 and other.latitude is None  # no place on the map
    # the same counts as the gate's named aggregate (Gate.stats, audited)
    stats = gate.stats(sana, "osint.trends", dataset="acled-test", district="Lahore")
    assert sum(s["events"] for s in stats) == sum(p.events for p in lahore)
    with gate.engine.connect() as conn:
        actions = [(a, d) for a, d in conn.execute(select(AuditEntry.action, AuditEntry.decision))]
    assert actions.count(("intel.osint.load", "grant")) == 3 and ("intel.osint.series", "grant") in actions


def test_loading_needs_a_supervisor_and_reading_a_reader(osint_gate, tmp_path):
    gate = osint_gate
    path = _acled(tmp_path / "one.csv", [_row("2026-09-07")])
    with gate.scope(_me(gate, "ayesha"), "load some events") as view, pytest.raises(AccessDenied):
        load_trends(view, path, dataset="x")
    with gate.scope(_me(gate, "sana"), "load some events") as view:
        assert load_trends(view, path, dataset="x").events == 1
    with gate.scope(_me(gate, "irfan"), "read the trends", roles=("analyst", "supervisor")) as view, \
            pytest.raises(AccessDenied):
        trend_series(view)
    with gate.engine.connect() as conn:
        denied = [a for (a,) in conn.execute(select(AuditEntry.action).where(AuditEntry.decision == "deny"))]
    assert "intel.osint.load" in denied and "intel.osint.series" in denied


def test_the_store_and_the_log_keep_no_notes_actors_or_sources(osint_gate, tmp_path):
    gate = osint_gate
    path = _acled(tmp_path / "speech.csv", [_row("2026-05-04", notes=SECRET_NOTE, actor1=SECRET_ACTOR,
                                                 source=SECRET_SOURCE, fatalities="1")])
    with gate.scope(SYSTEM, "load ACLED events") as job:
        load_trends(job, path, dataset="speech")
    with gate.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(select(OsintTrend.__table__))]
        log = [r for (r,) in conn.execute(select(AuditEntry.entry))]
    assert len(stored) == 1
    dump = (json.dumps([[str(v) for v in r] for r in stored]) + " ".join(log)).lower()
    for word in ("zxqv", "ahmed", "bilal", "gazette", "jamaat"):
        assert word not in dump


def test_cli_load_and_trends(osint_gate, tmp_path, monkeypatch):
    path = tmp_path / "acled.csv"
    runner = CliRunner()
    made = runner.invoke(osint_app, ["generate", str(path), "--rows", "400", "--weeks", "16", "--seed", "2"])
    assert made.exit_code == 0, made.output
    monkeypatch.setenv("COLUMNS", "200")
    loaded = runner.invoke(osint_app, ["load", str(path), "--dataset", "cli"])
    assert loaded.exit_code == 0, loaded.output
    assert "400 events counted" in loaded.output
    shown = runner.invoke(osint_app, ["trends", "--weeks", "4", "--district", "lhr"])
    assert shown.exit_code == 0, shown.output
    assert "last 4 weeks, Lahore" in shown.output and "Protests" in shown.output
    assert len([ln for ln in shown.output.splitlines() if ln.strip().startswith("│ 20")]) <= 4
    with osint_gate.engine.connect() as conn:
        assert conn.execute(text("select count(*) from osint_trends where dataset = 'cli'")).scalar() > 0
    bad = runner.invoke(osint_app, ["trends", "--theme", "Parades"])
    assert bad.exit_code == 2
