"""Stream fixtures: the governance world (users, cases) from tests/govern, a small generated
province's streams, helpers to build events and a running NATS check."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tahqiq.stream.events import event_from_record
from tests.govern.conftest import PASSWORD, World, cheap_argon2, gate, world  # noqa: F401 - fixtures

NATS_URL = os.environ.get("TAHQIQ_TEST_NATS_URL", "nats://127.0.0.1:4222")


def ev(schema: str = "PlateRead", when: str = "2026-07-03T10:00:00+05:00", rid: str = "R1", **fields):
    return event_from_record({"schema": schema, "record_id": rid, "occurred_at": when, **fields})


@pytest.fixture(scope="session")
def streams(tmp_path_factory) -> Path:
    """streams/ of a 300-person province (deterministic, seed 4)."""
    out = tmp_path_factory.mktemp("province")
    subprocess.run([sys.executable, "-m", "tahqiq", "generate", "--persons", "300", "--out", str(out), "--quiet"],
                   check=True, capture_output=True)
    return out / "streams"


def nats_or_fail() -> None:
    """NATS must be there under CI=true; elsewhere a missing server skips the test."""

    async def probe():
        import nats

        nc = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0, allow_reconnect=False)
        js = nc.jetstream()
        await js.account_info()
        await nc.close()

    try:
        asyncio.run(probe())
    except Exception as exc:  # noqa: BLE001 - any failure means no usable JetStream
        message = f"NATS JetStream not reachable at {NATS_URL}: {exc.__class__.__name__}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the NATS tests may not be skipped)")
        pytest.skip(message)
