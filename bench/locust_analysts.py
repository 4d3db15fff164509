"""Analysts at work, for locust: each simulated analyst signs in once (a session cookie, as the
browser gets) and then, with a few seconds' thought between steps, searches, opens entity pages,
the graph, the timeline and the map, and exports — the JSON API and the server-rendered pages —
always under a case they are a member of. Every request is a real gated, audited read.

Driven by bench/bench_load.py, which prepares the store and writes the accounts file:

    TAHQIQ_LOAD_ACCOUNTS=/tmp/tahqiq-load/accounts.json \\
        .venv/bin/locust -f bench/locust_analysts.py --headless -u 50 -r 10 -t 10m \\
        --host http://127.0.0.1:8000 --csv /tmp/tahqiq-load/analysts

The accounts file: {"password": "...", "accounts": [{"username", "case", "people", "cnics",
"names"}, ...]}; simulated analyst i signs in as account i (modulo their number).
Request names group the statistics by kind ("page: search (CNIC)", "api: timeline", ...).

Like a browser (RFC 9112 §9.3.1), an analyst's GET is sent again once when the server closed the
kept-alive connection just as it was reused: uvicorn closes idle connections after 5 s, which is
within an analyst's thinking time. Each such retry is counted as its own row, "(GET sent again)",
so that it stays visible; it is not an error of the request.
With TAHQIQ_LOAD_HISTOGRAM set, the response-time histograms per request kind are written there as
JSON when the run ends ({name: {milliseconds: count}}), so that the driver can report percentiles
over all reads together, without the one-off sign-ins.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

_ACCOUNTS: dict[str, Any] = json.loads(Path(os.environ["TAHQIQ_LOAD_ACCOUNTS"]).read_text())
_NEXT = itertools.count()
RETRIED = "(GET sent again)"


@events.test_stop.add_listener
def _write_histograms(environment: Any, **_kwargs: Any) -> None:
    path = os.environ.get("TAHQIQ_LOAD_HISTOGRAM")
    if path:
        Path(path).write_text(json.dumps({name: entry.response_times
                                          for (name, _method), entry in environment.stats.entries.items()}))


class BrowserRetry(Retry):
    """One more try for a GET whose connection failed, reported to locust as a RETRIED row."""

    def increment(self, method=None, url=None, *args: Any, **kwargs: Any) -> Retry:  # type: ignore[override]
        if method == "GET":
            events.request.fire(request_type="GET", name=RETRIED, response_time=0, response_length=0,
                                response=None, context={}, exception=None)
        return super().increment(method, url, *args, **kwargs)


class Analyst(HttpUser):
    # An analyst reads what a page shows before the next step; bench_load.py documents the rate.
    wait_time = between(1.0, 5.0)

    def on_start(self) -> None:
        accounts = _ACCOUNTS["accounts"]
        me = accounts[next(_NEXT) % len(accounts)]
        self.rng = random.Random(me["username"])
        self.case: str = me["case"]
        self.people: list[str] = me["people"]
        self.cnics: list[str] = me["cnics"]
        self.names: list[str] = me["names"]
        retry = BrowserRetry(total=1, connect=1, read=1, status=0, other=0, allowed_methods=frozenset({"GET"}),
                             raise_on_status=False)
        self.client.mount("http://", HTTPAdapter(max_retries=retry))
        with self.client.post("/api/login", json={"username": me["username"], "password": _ACCOUNTS["password"]},
                              name="sign in", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"sign-in of {me['username']}: {r.status_code} {r.text[:200]}")

    def _get(self, url: str, name: str, **params: Any) -> None:
        self.client.get(url, params=params or None, name=name)

    @property
    def _page(self) -> str:
        return f"/cases/{self.case}"

    @property
    def _api(self) -> str:
        return f"/api/cases/{self.case}"

    # --- pages (HTML, as the browser loads them) ----------------------------------------------

    @task(3)
    def search_page_cnic(self) -> None:
        self._get(f"{self._page}/search", "page: search (CNIC)", q=self.rng.choice(self.cnics))

    @task(3)
    def search_page_name(self) -> None:
        self._get(f"{self._page}/search", "page: search (name)", q=self.rng.choice(self.names))

    @task(3)
    def entity_page(self) -> None:
        self._get(f"{self._page}/entities/{self.rng.choice(self.people)}", "page: entity")

    @task(1)
    def case_workspace(self) -> None:
        self._get(self._page, "page: case workspace")

    # --- the JSON API (what the pages' scripts and other tools call) --------------------------

    @task(2)
    def api_search(self) -> None:
        self._get(f"{self._api}/search", "api: search", q=self.rng.choice(self.cnics + self.names))

    @task(1)
    def api_entity(self) -> None:
        self._get(f"{self._api}/entities/{self.rng.choice(self.people)}", "api: entity")

    @task(2)
    def graph_start(self) -> None:
        self._get(f"{self._api}/graph/start", "api: graph start")

    @task(2)
    def graph_expand(self) -> None:
        self._get(f"{self._api}/graph/neighbours", "api: graph expand", entity=self.rng.choice(self.people),
                  people="true")

    @task(2)
    def timeline(self) -> None:
        self._get(f"{self._api}/timeline", "api: timeline")

    @task(1)
    def map_events(self) -> None:
        self._get(f"{self._api}/map", "api: map events")

    @task(1)
    def export_csv(self) -> None:
        self._get(f"{self._api}/export/csv", "api: export CSV")
