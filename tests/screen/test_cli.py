"""`tahqiq watchlist add/import/list/expire` and `tahqiq screen`, end to end on a real store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta


def test_watchlist_round_trip(world, screen_cli, tmp_path):
    run = screen_cli
    until = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    r = run("watchlist", "add", "--case", world.other_case, "--kind", "person", "--name", "Muhammad Aslam",
            "--name", "محمد اسلم", "--cnic", "3520212345671", "--father", "Ghulam Rasool", "--birth-date", "1980-02-01",
            "--reason", "absconder in warrant W-77", "--expires", until, user="omar")
    assert r.exit_code == 0, r.output
    assert "watchlist entry" in r.output
    wid = int(r.output.split("watchlist entry ")[1].split()[0])

    r = run("watchlist", "add", "--case", world.case, "--kind", "person", "--name", "Ali Raza", "--reason",
            "suspect", "--days", "5", user="ayesha")
    assert r.exit_code == 3 and "warrant" in r.output
    r = run("watchlist", "add", "--case", world.other_case, "--kind", "phone", "--phone", "12", "--reason",
            "calls", "--days", "5", user="omar")
    assert r.exit_code == 2 and "phone" in r.output
    r = run("watchlist", "add", "--case", world.other_case, "--kind", "phone", "--phone", "03001234567",
            "--reason", "calls", user="omar")
    assert r.exit_code == 2 and "expiry" in r.output

    csv_file = tmp_path / "list.csv"
    csv_file.write_text("kind,reason,name,plate,indicator,expires\n"
                        "plate,snatched car,,LEA 1234,,\n"
                        "phone,calls,,,,\n"
                        "indicator,phishing,,,hxxp://bad[.]example/login,\n", encoding="utf-8")
    r = run("watchlist", "import", csv_file, "--case", world.other_case, "--purpose", "warrant W-77 list",
            "--days", "7", user="omar")
    assert r.exit_code == 2 and "nothing imported" in r.output and "phone" in r.output
    csv_file.write_text(csv_file.read_text(encoding="utf-8").replace("phone,calls,,,,\n", ""), encoding="utf-8")
    r = run("watchlist", "import", csv_file, "--case", world.other_case, "--purpose", "warrant W-77 list",
            "--days", "7", user="omar")
    assert r.exit_code == 0 and "imported 2" in r.output, r.output

    r = run("watchlist", "list", "--case", world.other_case, "--purpose", "review the list", user="omar")
    assert r.exit_code == 0 and "35202-1234567-1" in r.output and "LEA-1234" in r.output and "3 entries" in r.output
    r = run("watchlist", "list", "--purpose", "review the list", user="bilal")
    assert r.exit_code == 0 and "0 entries" in r.output  # bilal is in no case

    r = run("screen", "--name", "Mohd Aslam s/o Ghulam Rasool", "--plate", "lea-1234", "--purpose",
            "checkpoint query", user="omar")
    assert r.exit_code == 0, r.output
    assert "Muhammad Aslam" in r.output and "same canonical name" in r.output and "LEA-1234" in r.output
    r = run("screen", "--name", "محمد اسلم", "--case", world.other_case, "--json", "--purpose", "checkpoint query",
            user="omar")
    doc = json.loads(r.output)
    assert [h["entry_id"] for h in doc["hits"]] == [wid] and doc["hits"][0]["explanation"]["via"]
    r = run("screen", "--purpose", "nothing", user="omar")
    assert r.exit_code == 2

    r = run("watchlist", "expire", str(wid), "--reason", "arrested on warrant", user="omar")
    assert r.exit_code == 0 and "ended" in r.output
    r = run("screen", "--cnic", "35202-1234567-1", "--purpose", "checkpoint query", user="omar")
    assert r.exit_code == 0 and "no watchlist hits" in r.output

    r = run("audit", "log", "--action", "screen.query", user="irfan")
    assert r.exit_code == 0 and r.output.count("screen.query") >= 3
