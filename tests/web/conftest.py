"""Browser tests: the real application (uvicorn on a free port, in a thread) over a real SQLite store
holding a small generated and ingested dataset, driven by Debian's chromium through Playwright.

Chromium comes from /usr/bin/chromium (`make test` installs it with apt-get when missing); Playwright's
own browser download is never used, the machines being offline. Without chromium the tests skip
with the reason, except under CI=true, where they fail: a green CI must mean the browser ran.
Screenshots of every page visited go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.seed import PASSWORD, Site, build_site

CHROMIUM = os.environ.get("TAHQIQ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VENDOR = Path(__file__).resolve().parents[2] / "src" / "tahqiq" / "web" / "static" / "vendor"


def _require(condition: bool, message: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: the browser tests may not be skipped)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving the app in a daemon thread; stopped by setting `should_exit`."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on", timeout_graceful_shutdown=2))
        self.thread = threading.Thread(target=self.server.run, name="tahqiq-web-test", daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="package")
def site(tmp_path_factory) -> Iterator[Site]:
    """The dataset, users and cases (built once for all browser tests: ~8 s)."""
    from argon2 import PasswordHasher

    from tahqiq.govern import identity

    root = tmp_path_factory.mktemp("web-site")
    with pytest.MonkeyPatch.context() as mp:
        # Keys (audit signing, sessions) and evidence live under TAHQIQ_HOME, read at call time.
        mp.setenv("TAHQIQ_HOME", str(root / "home"))
        mp.setenv("TAHQIQ_DATABASE_URL", f"sqlite:///{root / 'store.db'}")
        mp.delenv("TAHQIQ_DATABASE_SCHEMA", raising=False)
        identity.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
        try:
            built = build_site(root)
            yield built
            built.gate.dispose()
            built.engine.dispose()
        finally:
            identity.set_password_hasher(PasswordHasher())


@pytest.fixture(scope="package")
def server(site) -> Iterator[LiveServer]:
    from tahqiq.compose import create_app

    _require((VENDOR / "htmx.min.js").is_file(), f"web assets missing in {VENDOR}: run `make assets`")
    app = create_app(site.engine, secure_cookies=False, gate=site.gate)
    live = LiveServer(app).start()
    yield live
    live.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator:
    _require(Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK),
             f"chromium not found at {CHROMIUM}: `make test` installs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def context(browser, server) -> Iterator:
    ctx = browser.new_context(base_url=server.url, accept_downloads=True, viewport={"width": 1360, "height": 900},
                              locale="en-GB", timezone_id="Asia/Karachi")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context) -> Iterator:
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    # Console errors include Content-Security-Policy violations and failed loads of our own assets.
    p.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    p.js_errors = errors
    yield p
    p.close()


def login(page, username: str, password: str = PASSWORD, next_url: str = "/") -> None:
    """Sign in through the real form, as a person would."""
    from urllib.parse import quote

    page.goto(f"/login?next={quote(next_url)}")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="package", autouse=True)
def _clean_screenshots() -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
