"""Sign-in throttling at the gate (govern.throttle through identity.authenticate_password): locks per
account and per address, a right password refused during a lock, the lock's expiry and growth on a
clock the test moves, state shared by every process through the store, and the audit entries."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest

from tahqiq.govern import AccessDenied, AuthenticationFailed, Gate, identity
from tahqiq.govern.throttle import SigninThrottle, SigninThrottled, ThrottlePolicy, unlock
from tests.govern.conftest import PASSWORD, gate, world  # noqa: F401


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(clock) -> SigninThrottle:
    return SigninThrottle(ThrottlePolicy(), clock)


def attempt(gate: Gate, throttle: SigninThrottle, username: str, password: str, address: str | None = "10.0.0.7"):
    return identity.authenticate_password(gate.audit, username, password, address=address, throttle=throttle)


def fail_times(gate, throttle, n: int, username: str = "ayesha", address: str | None = "10.0.0.7") -> None:
    for _ in range(n):
        with pytest.raises(AuthenticationFailed) as exc:
            attempt(gate, throttle, username, "wrong password!", address)
        assert not isinstance(exc.value, SigninThrottled)


def test_sixth_attempt_is_refused_even_with_the_right_password_and_everything_is_audited(gate, world, throttle):
    start = gate.audit.size()
    fail_times(gate, throttle, 5)
    with pytest.raises(SigninThrottled) as exc:
        attempt(gate, throttle, "ayesha", PASSWORD)  # right password: refused all the same
    assert exc.value.retry_after == 5 * 60 and exc.value.scope == "account"
    records = gate.audit.records(since=start, limit=100)
    failures = [r for r in records if r.action == "auth.login" and r.detail.get("reason") == "wrong password"]
    assert len(failures) == 5 and all(r.detail["address"] == "10.0.0.7" and r.decision == "deny" for r in failures)
    locks = [r for r in records if r.action == "auth.lockout"]
    assert len(locks) == 1 and locks[0].detail["scope"] == "account" and locks[0].target == "ayesha"
    refused = records[-1]
    assert (refused.action, refused.decision, refused.target) == ("auth.login", "deny", "ayesha")
    assert refused.detail["retry_after"] == 300 and "locked" in refused.detail["reason"]
    assert exc.value.audit_seq == refused.seq
    written = json.dumps([asdict(r) for r in records])
    assert PASSWORD not in written and "wrong password!" not in written


def test_the_lock_expires_then_grows_with_each_new_lock(gate, world, throttle, clock):
    fail_times(gate, throttle, 5)
    clock.advance(minutes=4, seconds=59)
    with pytest.raises(SigninThrottled):
        attempt(gate, throttle, "ayesha", PASSWORD)
    clock.advance(seconds=2)
    fail_times(gate, throttle, 5)  # a second lock in a row lasts twice as long
    with pytest.raises(SigninThrottled) as exc:
        attempt(gate, throttle, "ayesha", PASSWORD)
    assert exc.value.retry_after == 10 * 60
    clock.advance(minutes=10, seconds=1)
    assert attempt(gate, throttle, "ayesha", PASSWORD).username == "ayesha"


def test_failures_outside_the_window_do_not_add_up_and_a_success_clears_the_account(gate, world, throttle, clock):
    fail_times(gate, throttle, 4)
    clock.advance(minutes=16)
    fail_times(gate, throttle, 4)  # a new window: still 4
    assert attempt(gate, throttle, "ayesha", PASSWORD).username == "ayesha"
    fail_times(gate, throttle, 4)  # the success started the count again
    assert attempt(gate, throttle, "ayesha", PASSWORD).username == "ayesha"


def test_an_address_is_locked_after_twenty_failures_across_many_names(gate, world, throttle):
    for i in range(20):
        fail_times(gate, throttle, 1, username=f"guess{i}")
    with pytest.raises(SigninThrottled) as exc:
        attempt(gate, throttle, "sana", PASSWORD)  # a real user from the locked address
    assert exc.value.scope == "address"
    assert attempt(gate, throttle, "sana", PASSWORD, address="10.0.0.8").username == "sana"  # elsewhere: fine
    lock = gate.audit.records(since=0, limit=10_000)
    assert [r.target for r in lock if r.action == "auth.lockout"] == ["10.0.0.7"]


def test_unknown_names_are_locked_like_real_ones(gate, world, throttle):
    fail_times(gate, throttle, 5, username="nobody", address=None)
    with pytest.raises(SigninThrottled):
        attempt(gate, throttle, "nobody", "anything at all", address=None)


def test_the_lock_is_in_the_store_shared_by_every_process(gate, world, clock, engine):
    fail_times(gate, SigninThrottle(ThrottlePolicy(), clock), 5)
    other_process = Gate(engine)  # a second server process: its own gate and throttle, the same store
    try:
        with pytest.raises(SigninThrottled):
            identity.authenticate_password(other_process.audit, "ayesha", PASSWORD,
                                           throttle=SigninThrottle(ThrottlePolicy(), clock))
    finally:
        other_process.dispose()


def test_the_gate_and_the_cli_sign_in_are_throttled_per_account(gate, world):
    # Gate.authenticate_password (the CLI's way in) goes through the default throttle and clock.
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            gate.authenticate_password("irfan", "wrong password!")
    with pytest.raises(SigninThrottled):
        gate.authenticate_password("irfan", PASSWORD)


def test_an_admin_lifts_a_lock_and_that_is_audited(gate, world, throttle):
    fail_times(gate, throttle, 5)
    with pytest.raises(AccessDenied):
        unlock(gate.audit, world.users["ayesha"], "ayesha")  # not an admin
    assert unlock(gate.audit, world.users["admin"], "ayesha") == 1
    assert attempt(gate, throttle, "ayesha", PASSWORD).username == "ayesha"
    last = gate.audit.records(since=0, limit=10_000)
    assert any(r.action == "auth.unlock" and r.decision == "info" for r in last)
