"""The API keeps the contract /openapi.json states: schemathesis generates requests from the document
(valid ones and invalid ones) for every operation and checks each answer: no 5xx, and a status
code, content type, headers and body the document declares for it.

The app runs in-process (ASGI) over the API fixtures' world (tests/api/conftest.py). The fuzzer is
the analyst `ayesha` (bearer token), a member of the open case CASE-2026-0001 with data, so the case
routes read real records, and for the audit log the supervisor `sana` (analysts may not read it).
`ref` is pinned to that case in most examples (a random reference is a 404 and tests nothing behind
it) and left to the fuzzer in the rest. Another test sends each operation without credentials:
every protected one answers 401 in the declared shape. The run is bounded (`EXAMPLES` per operation
and mode, derandomised: the same requests every run); bench/bench_fuzz.py is the long run.

`@schema.parametrize()` would need the schema at import time and the world per test; the
operations are fuzzed here through the documented `APIOperation.as_strategy` with Hypothesis,
collecting every distinct failure instead of stopping at the first.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_args

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tahqiq.alerts import ALIASES, SEVERITY_ORDER, SORTS, TRANSITIONS, AlertDesk
from tahqiq.alerts.tables import ALERT_STATUSES
from tahqiq.api import models
from tahqiq.api.exports import FORMATS
from tests.api.conftest import member_headers
from tests.api.test_alerts import raise_alert

# Not `negative_data_rejection`: FastAPI reads the last of repeated scalar query parameters, which
# schemathesis counts as accepting invalid data; nor `positive_data_acceptance`: a schema cannot say
# that a merge needs two records that exist (those answers are declared 400s and 404s).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# Examples per operation and mode; bench/bench_fuzz.py raises it for the long run.
EXAMPLES = int(os.environ.get("TAHQIQ_FUZZ_EXAMPLES", "6"))
# Tests whose subject does not depend on the database run on SQLite alone (the suite stays fast).
sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
# An endless server-sent event stream: tests/api/test_alerts.py covers it with a real client.
ENDLESS = {"/api/alerts/stream"}


@dataclass
class FuzzRun:
    """What a run sent and every distinct failure (operation, mode, kind → a reproducing request)."""

    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def report(self) -> str:
        return "\n\n".join(f"{key}\n{text}" for key, text in sorted(self.failures.items()))


def _pin(case: schemathesis.Case, pins: dict[str, Any]) -> None:
    for name, value in pins.items():
        # Keep a generated value in one example of eight, so unknown references are fuzzed too.
        generated = case.path_parameters.get(name) if case.path_parameters else None
        if generated is not None and zlib.crc32(str(generated).encode()) % 8 != 0:
            case.path_parameters[name] = value
    if (case.path_parameters or {}).get("fmt") == "pdf":
        case.path_parameters["fmt"] = "html"  # the PDF is the same report printed by Chromium (seconds each)


def fuzz(app: Any, headers: Callable[[str], dict[str, str]], pins: dict[str, Any], *, examples: int,
         modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
         checks: list[Callable[..., Any]] = CHECKS, skip: set[str] = ENDLESS) -> FuzzRun:
    """Fuzz every operation of `app`'s document; `examples` per operation and mode, each request
    with the credentials `headers(path)` gives."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    run = FuzzRun()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in skip:
            continue
        for mode in modes:
            try:
                fuzz_operation(operation, mode, run, app=app, headers=headers(operation.path), pins=pins,
                               examples=examples, checks=checks)
            except Unsatisfiable:
                pass  # nothing to make invalid (an operation without parameters)
    run.seconds = time.monotonic() - started
    return run


def fuzz_operation(operation: schemathesis.APIOperation, mode: GenerationMode, run: FuzzRun, *, app: Any,
                   headers: dict[str, str], pins: dict[str, Any], examples: int,
                   checks: list[Callable[..., Any]]) -> None:
    def failed(failure: BaseException, case: schemathesis.Case) -> None:
        run.failures.setdefault(f"{operation.label} [{mode}] {type(failure).__name__}",
                                f"{failure}\n{case.as_curl_command()}"[:2000])

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(operation.as_strategy(generation_mode=mode))
    def send(case: schemathesis.Case) -> None:
        _pin(case, pins)
        run.requests += 1
        try:
            response = case.call(headers=headers, app=app)
            run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1
            case.validate_response(response, checks=checks, headers=headers)
        except BaseExceptionGroup as group:  # schemathesis' FailureGroup: one per failed check
            for failure in group.exceptions:
                failed(failure, case)
        except AssertionError as failure:
            failed(failure, case)

    send()


def prepare(api: Any) -> None:
    """Alerts routed to the analyst's control room, so the alert routes have some to read and act on."""
    AlertDesk(api.world.gate).route(api.world.users["sana"], "ayesha", "Lahore")
    for _ in range(3):
        raise_alert(api.world.gate.engine)


def test_every_operation_keeps_the_contract(api):
    prepare(api)
    analyst, supervisor = member_headers(api), member_headers(api, "sana")

    def who(path: str) -> dict[str, str]:
        return supervisor if path.startswith("/api/audit") else analyst  # analysts may not read the log

    run = fuzz(api.client.app, who, {"ref": api.world.case}, examples=EXAMPLES)
    print(f"\ncontract fuzz: {run.requests} requests, {len(run.failures)} failures, {run.seconds:.1f} s, "
          f"statuses {dict(sorted(run.statuses.items()))}")
    assert run.requests > 400 and run.statuses.get(200, 0) > 100, run  # the fuzzer did reach the data
    assert not run.failures, f"{len(run.failures)} contract failures:\n\n{run.report()}"


@sqlite_only
def test_without_credentials_every_protected_operation_answers_401(api):
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    protected = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.definition.raw.get("security"):
            continue
        protected += 1
        case = operation.Case(path_parameters={name: "1" if name == "alert_id" or name == "chart_id"
                                               else api.world.case if name == "ref" else "csv"
                                               for name in _path_names(operation.path)},
                              query={"q": "ali"} if operation.path.endswith("/search") else {})
        response = case.call(app=api.client.app)
        assert response.status_code == 401, (operation.label, response.status_code, response.text)
        case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])
        assert response.json()["detail"]
    assert protected >= 35


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


@sqlite_only
def test_every_method_a_path_lacks_answers_405_naming_those_it_has(api):
    """RFC 9110: a 405 lists the methods the resource supports (all routes of the path, not one)."""
    h = member_headers(api)
    r = api.client.delete(f"/api/cases/{api.world.case}/notes", headers=h)
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"  # was "GET": the first route's alone
    r = api.client.put("/api/alerts/1/acknowledge", headers=h)
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    document = api.client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        declared = {m.upper() for m in item}
        concrete = path.replace("{ref}", api.world.case).replace("{fmt}", "csv").replace("{action}", "close")
        for name in _path_names(concrete):
            concrete = concrete.replace("{" + name + "}", "1")
        r = api.client.request("PATCH", concrete, headers=h)
        assert r.status_code == 405, (path, r.status_code)
        allowed = {m.strip() for m in r.headers["allow"].split(",")}
        # ⊇: /api/alerts/routes also matches GET /api/alerts/{alert_id} (which answers 422 there)
        assert declared <= allowed, (path, r.headers["allow"], declared)


def test_integers_past_their_columns_are_refused_with_422_not_500(api):
    """Ids of alerts and charts are 32-bit columns (PostgreSQL: "integer out of range"), offsets and
    audit sequence numbers 64-bit (SQLite: OverflowError); both were 500s."""
    h = member_headers(api)
    id_too_big, too_big = str(2**31), str(2**63)
    for url in (f"/api/cases/{api.world.case}/charts/{id_too_big}", f"/api/alerts/{id_too_big}",
                f"/api/alerts/{id_too_big}/explanation", f"/api/alerts?after_id={id_too_big}",
                f"/api/alerts?offset={too_big}&newest_first=true", f"/api/alerts/triage?page={too_big}",
                f"/api/audit?offset={too_big}", f"/api/audit?since={too_big}&newest_first=false",
                f"/api/audit/entries?offset={too_big}", f"/api/audit/stats?since={too_big}",
                f"/api/cases/{api.world.case}/resolution/review?offset={too_big}",
                f"/api/cases/{api.world.case}/export/csv?hops=1000000"):
        r = api.client.get(url, headers=h)
        assert r.status_code == 422, (url, r.status_code, r.text)
    r = api.client.post(f"/api/alerts/{id_too_big}/close", headers=h)
    assert r.status_code == 422
    assert api.client.get(f"/api/alerts/stream?after={id_too_big}", headers=h).status_code == 422
    for resume in (too_big, "9" * 5000):  # past every alert's id; past what int() parses (a ValueError)
        with api.client.stream("GET", "/api/alerts/stream?close_after=1", headers={**h, "Last-Event-ID": resume}) as r:
            assert r.status_code == 200  # ignored, as a malformed id is
    api.login("ayesha")
    r = api.client.get(f"/control-room/alerts/{id_too_big}", headers={"Accept": "text/html"})
    assert r.status_code == 422


def test_nul_characters_are_refused_with_400_not_500(api):
    """PostgreSQL text cannot hold NUL: `?case=%00` reached a query and ended as a 500."""
    h = member_headers(api)
    for url in ("/api/alerts?case=%00x", f"/api/cases/{api.world.case}/notes?entity=a%00b",
                f"/api/cases/{api.world.case}%00/subjects"):
        r = api.client.get(url, headers=h)
        assert r.status_code == 400 and "NUL" in r.json()["detail"], (url, r.status_code, r.text)
    r = api.client.post(f"/api/cases/{api.world.case}/notes", json={"body": "a\u0000b"}, headers=h)
    assert r.status_code == 400


@sqlite_only
def test_times_in_answers_are_timezone_aware(api):
    """SQLite hands datetimes back naive; the document promises RFC 3339 `date-time` (with an offset)."""
    subjects = api.client.get(f"/api/cases/{api.world.case}/subjects", headers=member_headers(api)).json()
    seen = [v["seen_at"] for e in subjects for values in e["properties"].values() for v in values]
    assert seen and all(s.endswith(("+00:00", "Z")) for s in seen), seen
    assert models.aware(models.Problem(detail="x")) == models.Problem(detail="x")


@sqlite_only
def test_every_json_answer_has_a_schema(api):
    """An answer documented as JSON without a schema would pass any body: the fuzzer could not see it."""
    document = api.client.get("/openapi.json").json()
    empty = [(method, path, code) for path, item in document["paths"].items() for method, op in item.items()
             for code, answer in op["responses"].items()
             if (schema := answer.get("content", {}).get("application/json", {}).get("schema")) is not None
             and not ({"$ref", "type", "anyOf", "items"} & set(schema))]
    assert not empty


def test_the_documented_vocabularies_are_the_rooms_own():
    assert get_args(models.AlertStatus) == ALERT_STATUSES
    assert get_args(models.AlertStatusFilter) == (*ALERT_STATUSES, "open")
    assert get_args(models.Severity) == SEVERITY_ORDER
    assert get_args(models.TriageSort) == SORTS
    assert set(get_args(models.AlertAction)) == set(TRANSITIONS) | set(ALIASES)
    assert set(get_args(models.ExportFormat)) == set(FORMATS)


@sqlite_only
def test_a_search_past_the_limit_is_refused_before_any_read(api):
    h = member_headers(api)
    long_query = "a" * 50_000
    r = api.client.get(f"/api/cases/{api.world.case}/search", params={"q": long_query}, headers=h)
    assert r.status_code == 422
    api.login("ayesha")
    entries = api.world.gate.audit.size()
    r = api.client.get(f"/cases/{api.world.case}/search", params={"q": long_query},
                       headers={"Accept": "text/html"})
    assert r.status_code == 422 and "at most 200 characters" in r.text
    assert api.world.gate.audit.size() == entries  # refused before the gate: no read, no search logged
    r = api.client.get(f"/cases/{api.world.case}/search", params={"q": "ali", "purpose": "p" * 501},
                       headers={"Accept": "text/html"})
    assert r.status_code == 422 and "at most 500 characters" in r.text


@sqlite_only
@pytest.mark.parametrize("path", ["/oversight?page=99999999999999999999",
                                  "/cases/{case}/review?page=9999999999999999999",
                                  "/cases/{case}/search?q=ali&page=99999999999999999999"])
def test_pages_cap_page_numbers(api, path):
    api.login("sana" if path.startswith("/oversight") else "ayesha")
    r = api.client.get(path.format(case=api.world.case), headers={"Accept": "text/html"})
    assert r.status_code < 500, r.text[:500]
