"""Verified tokens are remembered by digest, but expiry is still checked on every use."""

from __future__ import annotations

import time
from typing import Any

import pytest

from connectors.errors import AuthError
from gateway.access.auth import Authenticator, Role, mint_token

SECRET = "a-test-secret-of-enough-length-for-hs256"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def authenticator(clock: Clock) -> Authenticator:
    return Authenticator(
        issuer="govgraph-test", audience="govgraph", hs256_secret=SECRET, leeway_s=30, clock=clock
    )


def token(lifetime_s: int, secret: str = SECRET) -> str:
    return mint_token(
        secret,
        issuer="govgraph-test",
        audience="govgraph",
        role=Role.GRID_WORKER,
        subject="w1",
        grids=["320213001001001"],
        lifetime_s=lifetime_s,
    )


def test_a_token_is_verified_once_then_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    auth = authenticator(clock)
    verified: list[int] = []
    original = auth._verify

    def counted(given: str) -> Any:
        verified.append(1)
        return original(given)

    monkeypatch.setattr(auth, "_verify", counted)
    bearer = f"Bearer {token(600)}"
    principals = [auth.authenticate(bearer) for _ in range(5)]
    assert len(verified) == 1
    assert {p.role for p in principals} == {Role.GRID_WORKER}
    assert all(p.grids == principals[0].grids for p in principals)


def test_a_remembered_token_still_expires() -> None:
    clock = Clock()
    auth = authenticator(clock)
    bearer = f"Bearer {token(60)}"
    auth.authenticate(bearer)
    clock.now += 60 + 31
    with pytest.raises(AuthError, match="expired"):
        auth.authenticate(bearer)


def test_a_forged_token_is_never_remembered() -> None:
    auth = authenticator(Clock())
    forged = f"Bearer {token(600, secret='someone-elses-secret-of-enough-length')}"
    for _ in range(2):
        with pytest.raises(AuthError, match="invalid"):
            auth.authenticate(forged)
    assert len(auth._verified) == 0
