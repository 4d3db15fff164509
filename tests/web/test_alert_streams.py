"""Many open control rooms must not starve the rest of the API.

FastAPI runs plain `def` routes and dependencies in one pool of 40 worker threads; an alert stream
that waited inside that pool would, with forty operators' screens open, freeze every other request.
Here 45 streams stay open against the real server while another request is timed.
"""

from __future__ import annotations

import threading
import time

import httpx

from tahqiq.govern import identity

STREAMS = 45


def test_open_alert_streams_leave_the_api_responsive(server, site):
    token, _ = identity.create_token(site.gate.audit, site.users["sana"], "streams test")
    headers = {"Authorization": f"Bearer {token}"}
    connected, stop = threading.Semaphore(0), threading.Event()
    errors: list[str] = []

    def hold_stream() -> None:
        try:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                with client.stream("GET", "/api/alerts/stream", headers=headers) as r:
                    assert r.status_code == 200, r.status_code
                    lines = r.iter_lines()
                    next(lines)  # "retry: ..." — the stream is open and waiting
                    connected.release()
                    stop.wait(20)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
            connected.release()

    threads = [threading.Thread(target=hold_stream, daemon=True) for _ in range(STREAMS)]
    for t in threads:
        t.start()
    try:
        for _ in range(STREAMS):
            assert connected.acquire(timeout=30), "the streams did not all open"
        assert not errors, errors
        time.sleep(0.5)  # every stream is now inside its wait
        t0 = time.monotonic()
        r = httpx.get(f"{server.url}/api/me", headers=headers, timeout=30)
        elapsed = time.monotonic() - t0
        assert r.status_code == 200 and r.json()["username"] == "sana"
        assert elapsed < 3.0, f"/api/me took {elapsed:.1f} s with {STREAMS} alert streams open"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)
