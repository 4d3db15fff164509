"""Alert-desk fixtures: the governance world (users, agencies, cases) from tests/govern. The events
that raise alerts come from the stream room's helpers (`tests.stream.conftest.ev`)."""

from __future__ import annotations

from tests.govern.conftest import cheap_argon2, gate, world  # noqa: F401 - fixtures
