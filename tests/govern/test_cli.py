"""The governance commands end to end: bootstrap, users, tokens, cases, the access log."""

from __future__ import annotations

import json

from .conftest import PASSWORD


def test_bootstrap_users_tokens_and_cases(engine, cli):
    new = {"TAHQIQ_NEW_PASSWORD": PASSWORD}
    # An empty installation: the first admin needs no authentication...
    res = cli("user", "add", "admin", "--role", "admin", "--agency", "PUNJAB-POLICE", env=new)
    assert res.exit_code == 0 and "bootstrap" in res.output, res.output
    # ...after that, everything does.
    res = cli("user", "add", "mallory", "--role", "admin", "--agency", "X", env={**new, "TAHQIQ_PASSWORD": "guess"},
              user="admin")
    assert res.exit_code == 3, res.output
    res = cli("user", "add", "eve", "--role", "admin", "--agency", "X", env=new)
    assert res.exit_code == 2 and "--user" in res.output
    for name, role in (("sana", "supervisor"), ("ayesha", "analyst"), ("irfan", "auditor")):
        res = cli("user", "add", name, "--role", role, "--agency", "PUNJAB-POLICE", env=new, user="admin")
        assert res.exit_code == 0, res.output
    assert cli("user", "add", "x", "--role", "analyst", "--agency", "P", env=new, user="ayesha").exit_code == 3
    listing = cli("user", "list", user="admin")
    assert listing.exit_code == 0 and "ayesha" in listing.output and "supervisor" in listing.output

    # Tokens: printed once, usable, revocable.
    res = cli("token", "create", "--name", "laptop", "--days", "7", user="ayesha")
    assert res.exit_code == 0, res.output
    token = res.stdout.strip().splitlines()[-1]
    assert token.startswith("tq_")
    assert "ayesha" in cli("token", "list", env={"TAHQIQ_TOKEN": token, "TAHQIQ_PASSWORD": None}).output
    assert cli("token", "revoke", "1", user="ayesha").exit_code == 0
    assert cli("token", "list", env={"TAHQIQ_TOKEN": token, "TAHQIQ_PASSWORD": None}).exit_code == 3

    # Cases.
    res = cli("case", "open", "CASE-2026-0001", "--fir", "123/2026 PS Model Town", "--officer", "SP Investigation",
              "--purpose", "robbery investigation", "--days", "30", "--member", "ayesha", user="sana")
    assert res.exit_code == 0 and "CASE-2026-0001" in res.output, res.output
    assert cli("case", "open", "CASE-2", "--officer", "SP Investigation", "--purpose", "no basis",
               user="sana").exit_code == 2
    assert cli("case", "open", "CASE-3", "--fir", "1/2026", "--officer", "SP X", "--purpose", "not mine",
               user="ayesha").exit_code == 3
    listing = cli("case", "list", user="ayesha")
    assert "CASE-2026-0001" in listing.output and "ayesha" in listing.output
    assert cli("case", "add-member", "CASE-2026-0001", "irfan", user="sana").exit_code == 2  # auditors can't be members
    assert cli("case", "extend", "CASE-2026-0001", "--days", "60", user="sana").exit_code == 0
    assert cli("case", "close", "CASE-2026-0001", "--reason", "challan submitted", user="sana").exit_code == 0
    assert "CASE-2026-0001" not in cli("case", "list", user="ayesha").output
    assert "closed" in cli("case", "list", "--all", user="ayesha").output

    # Who did what: auditors see all, analysts nothing.
    res = cli("audit", "log", "--json", user="irfan")
    assert res.exit_code == 0, res.output
    actions = [json.loads(line)["action"] for line in res.stdout.splitlines()]
    for a in ("user.add", "auth.login", "token.create", "token.revoke", "case.open", "case.add_member",
              "case.extend", "case.close"):
        assert a in actions, a
    assert cli("audit", "log", user="ayesha").exit_code == 3
    table = cli("audit", "log", "--case", "CASE-2026-0001", user="sana")
    assert table.exit_code == 0 and "case.close" in table.output
    assert cli("audit", "verify").exit_code == 0
