"""A grid worker cannot reach another grid's residents by any path; every access to personal
data is on record, and the record holds nothing raw and detects tampering."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from connectors.errors import AuditUnavailableError
from gateway.access.audit import AuditLog
from gateway.access.audit_verify import verify_files
from gateway.access.auth import Role
from gateway.settings import Settings
from tests.conftest import AS_OF
from tests.gateway.conftest import Gateway, make_gateway, open_gateway, token

ID_NUMBER = re.compile(r"(?<![0-9a-f])\d{17}[\dX](?![0-9a-f])")
PHONE = re.compile(r"(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])")


@pytest.fixture
async def audited(tmp_path: Path):  # type: ignore[no-untyped-def]
    gw, app = await make_gateway(audit_path=str(tmp_path / "audit.log"))
    yield gw, tmp_path / "audit.log"
    await gw.client.aclose()
    await app.state.backends.aclose()


async def test_grid_worker_cannot_reach_another_grids_residents_by_any_path(
    gateway: Gateway,
) -> None:
    population = gateway.mocks.population
    own, other = population.geography.grids[0], population.geography.grids[1]
    stranger = population.person(population.registry.grid_indices(other.ordinal)[7])
    worker = gateway.as_role(Role.GRID_WORKER, grids=[own.code])
    resident_id = jwt.utils.base64url_encode(
        f"Resident:{stranger.registry_number}".encode()
    ).decode()
    data = (
        await worker.query(
            """query($other: String!, $own: String!, $rk: String!, $id: String!, $node: ID!, $name: String!) {
                viaGrid: grid(code: $other) { residents(first: 100) { totalCount } }
                viaFilter: residents(filter: {grid: $other}, first: 100) { totalCount }
                byNameThere: residents(filter: {grid: $other, name: $name}, first: 100) { totalCount }
                byNameHere: residents(filter: {grid: $own, name: $name}, first: 100) { edges { node { registryNumber } } }
                byNumber: resident(registryNumber: $rk) { name }
                byId: resident(idNumber: $id) { name }
                byNode: node(id: $node) { id }
                cases: cases(filter: {grid: $other}, first: 5) { totalCount }
            }""",
            {
                "other": other.code,
                "own": own.code,
                "rk": stranger.registry_number,
                "id": stranger.id_number,
                "node": resident_id,
                "name": stranger.name,
            },
        )
    )["data"]
    assert data["viaGrid"]["residents"]["totalCount"] == 0
    assert data["viaFilter"]["totalCount"] == 0
    assert data["byNameThere"]["totalCount"] == 0
    assert stranger.registry_number not in {
        e["node"]["registryNumber"] for e in data["byNameHere"]["edges"]
    }
    assert data["byNumber"] is None
    assert data["byId"] is None
    assert data["byNode"] is None
    assert data["cases"]["totalCount"] == 0

    stats = await worker.query(
        'query($s: DateTime!, $u: DateTime!) { statistics(scope: GRID, code: "%s", since: $s, until: $u) { reported } }'
        % other.code,
        {"s": (AS_OF - timedelta(days=7)).isoformat(), "u": AS_OF.isoformat()},
    )
    assert stats["data"]["statistics"] is None
    assert stats["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # A case in the worker's own grid whose reporter lives elsewhere: the reporter stays unknown.
    reported = (
        await worker.data(
            """mutation($grid: String!, $id: String!) { reportCase(input: {gridCode: $grid, subClassCode: "0102",
                source: PATROL, description: "垃圾未清运", address: "北苑路1号", reporterName: "某居民", reporterIdNumber: $id}) {
                errors { field } case { reporter { method resident { name } } } } }""",
            {"grid": own.code, "id": stranger.id_number},
        )
    )["reportCase"]
    assert reported["errors"] == []
    assert reported["case"]["reporter"] == {"method": "NONE", "resident": None}
    assert stranger.name not in json.dumps(data, ensure_ascii=False)


async def test_every_personal_data_access_is_logged_without_raw_values(audited) -> None:  # type: ignore[no-untyped-def]
    gateway, path = audited
    population = gateway.mocks.population
    person = population.person(321)
    civil = gateway.as_role(
        Role.CIVIL_AFFAIRS, purpose="%E4%BD%8F%E6%88%BF%E6%95%91%E5%8A%A9%E6%A0%B8%E6%9F%A5"
    )
    await civil.data(
        '{ resident(registryNumber: "%s") { name idNumber phone household { members { name } } } }'
        % person.registry_number
    )
    district = gateway.as_role(Role.DISTRICT_ADMIN)
    await district.data(
        '{ residents(filter: {grid: "%s"}, first: 20) { edges { node { name idNumber phone } } } }'
        % person.grid.code
    )
    await gateway.as_role(Role.AUDITOR).query("{ departments { code } }")
    denied = await gateway.client.post(
        "/graphql",
        json={"query": "{ departments { code } }"},
        headers={"Authorization": "Bearer not-a-jwt"},
    )
    assert denied.status_code == 401
    await gateway.data(
        "{ departments { name } grids(first: 2) { totalCount } }"
    )  # no personal data: no line

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["outcome"] for line in lines] == ["ok", "ok", "denied", "unauthenticated"]
    civil_line, district_line, auditor_line, _ = lines
    assert civil_line["role"] == "civil_affairs"
    assert civil_line["purpose"] == "住房救助核查"
    assert civil_line["fields"]["Resident.idNumber"] == "whole"
    assert civil_line["resident_count"] == population.person(321).household.size
    assert len(set(civil_line["residents"])) == civil_line["resident_count"]
    assert all(len(pseudonym) == 24 for pseudonym in civil_line["residents"])
    assert district_line["fields"] == {
        "Resident.idNumber": "masked",
        "Resident.name": "masked",
        "Resident.phone": "masked",
    }
    assert district_line["resident_count"] == 20
    assert auditor_line["denied"] == ["Query.departments"]
    raw = path.read_text(encoding="utf-8")
    assert not ID_NUMBER.search(raw)
    assert not PHONE.search(raw)
    assert person.name not in raw
    assert person.registry_number not in raw
    assert "Bearer" not in raw
    assert verify_files([path]).ok


async def test_verify_detects_an_edited_or_deleted_line(audited, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gateway, path = audited
    district = gateway.as_role(Role.DISTRICT_ADMIN)
    for grid in gateway.mocks.population.geography.grids[:4]:
        await district.data(
            '{ residents(filter: {grid: "%s"}, first: 3) { edges { node { name } } } }' % grid.code
        )
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    assert verify_files([path]).ok

    edited = tmp_path / "edited.log"
    entry = json.loads(lines[2])
    entry["resident_count"] = 0
    edited.write_text(
        "\n".join([lines[0], lines[1], json.dumps(entry, ensure_ascii=False), lines[3]]) + "\n",
        encoding="utf-8",
    )
    verdict = verify_files([edited])
    assert (verdict.ok, verdict.first_bad_line) == (False, 3)

    deleted = tmp_path / "deleted.log"
    deleted.write_text("\n".join([lines[0], lines[2], lines[3]]) + "\n", encoding="utf-8")
    verdict = verify_files([deleted])
    assert (verdict.ok, verdict.first_bad_line) == (False, 2)


async def test_concurrent_records_share_writes_and_keep_their_order_and_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    path = tmp_path / "audit.log"
    log = AuditLog(str(path), b"key")
    batches: list[int] = []
    write_batch = log._append

    def counted(lines: list[str]) -> None:
        batches.append(len(lines))
        write_batch(lines)

    monkeypatch.setattr(log, "_append", counted)

    async def one(number: int) -> None:
        await log.commit({"request_id": f"r{number}", "outcome": "ok"})
        # on disk by the time the caller goes on
        assert f'"request_id":"r{number}"' in path.read_text(encoding="utf-8")

    await asyncio.gather(*(one(n) for n in range(50)))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["request_id"] for line in lines] == [f"r{n}" for n in range(50)]
    assert verify_files([path]).ok
    assert sum(batches) == 50
    assert len(batches) < 50  # group commit: fewer writes and fsyncs than lines


async def test_a_failed_audit_write_loses_no_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "audit.log"
    log = AuditLog(str(path), b"key")
    write_batch = log._append
    failures = [OSError("disk full")]

    def failing_once(lines: list[str]) -> None:
        if failures:
            raise failures.pop()
        write_batch(lines)

    monkeypatch.setattr(log, "_append", failing_once)
    with pytest.raises(AuditUnavailableError):
        await log.commit({"request_id": "r0", "outcome": "ok"})
    assert not log.writable
    await log.commit({"request_id": "r1", "outcome": "ok"})
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["request_id"] for line in lines] == ["r0", "r1"]
    assert verify_files([path]).ok


def test_audit_verify_command(tmp_path: Path) -> None:
    import asyncio

    path = tmp_path / "audit.log"
    log = AuditLog(str(path), b"key")

    async def three() -> None:
        for number in range(3):
            await log.commit({"request_id": f"r{number}", "outcome": "ok"})

    asyncio.run(three())
    command = [sys.executable, "-m", "gateway.cli.main", "audit", "verify"]
    intact = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=60)
    assert (intact.returncode, intact.stdout.strip()) == (0, "ok: 3 lines, chain intact")
    env = {**os.environ, "GOVGRAPH_AUDIT_HMAC_KEY": "key"}
    sealed = subprocess.run(
        [*command, "--key", str(path)], capture_output=True, text=True, timeout=60, env=env
    )
    assert sealed.returncode == 0, sealed.stdout
    env["GOVGRAPH_AUDIT_HMAC_KEY"] = "another-key"
    forged = subprocess.run(
        [*command, "--key", str(path)], capture_output=True, text=True, timeout=60, env=env
    )
    assert forged.returncode == 1 and "forged" in forged.stdout
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([lines[0], lines[1].replace('"ok"', '"denied"'), lines[2]]) + "\n",
        encoding="utf-8",
    )
    broken = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1
    assert "line 2" in broken.stdout
    # a file named that is not there: said so, before any line is read, and no traceback
    missing = tmp_path / "audit.log.1"
    absent = subprocess.run(
        [*command, str(path), str(missing)], capture_output=True, text=True, timeout=60
    )
    assert absent.returncode == 2
    assert f"cannot read {missing}" in absent.stderr
    assert "Traceback" not in absent.stderr


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        ("Bearer not-a-jwt", "invalid token"),
        ("Basic dXNlcjpwYXNz", "expected a Bearer token"),
        (f"Bearer {token(Role.DISTRICT_ADMIN, lifetime_s=-120)}", "token expired"),
        (
            f"Bearer {jwt.encode({'sub': 'x', 'role': 'district_admin', 'iss': 'govgraph-dev', 'aud': 'someone-else', 'exp': 9999999999}, Settings().jwt_secret)}",
            "wrong audience",
        ),
        (
            f"Bearer {jwt.encode({'sub': 'x', 'role': 'district_admin', 'iss': 'govgraph-dev', 'aud': 'govgraph', 'exp': 9999999999}, 'another-secret-of-thirty-two-bytes-or-more')}",
            "invalid token",
        ),
        (
            f"Bearer {jwt.encode({'sub': 'x', 'role': 'superuser', 'iss': 'govgraph-dev', 'aud': 'govgraph', 'exp': 9999999999}, Settings().jwt_secret)}",
            "unknown role",
        ),
        (f"Bearer {token(Role.GRID_WORKER)}", "must list grids"),
    ],
    ids=[
        "garbage",
        "basic",
        "expired",
        "audience",
        "signature",
        "role",
        "grid-worker-without-grids",
    ],
)
async def test_bad_tokens_get_401_with_www_authenticate(
    gateway: Gateway, authorization: str, reason: str
) -> None:
    response = await gateway.client.post(
        "/graphql",
        json={"query": "{ departments { code } }"},
        headers={"Authorization": authorization},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason in body["errors"][0]["message"]
    assert all(calls == {} for calls in gateway.calls().values())


async def test_roles_that_see_whole_id_numbers_must_state_a_purpose(gateway: Gateway) -> None:
    for role in (Role.CIVIL_AFFAIRS, Role.LEGAL_AID):
        response = await gateway.as_role(role, purpose=None).post("{ departments { code } }")
        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "PURPOSE_REQUIRED"
    assert (
        await gateway.as_role(Role.DISTRICT_ADMIN, purpose=None).post("{ departments { code } }")
    ).status_code == 200


async def test_production_mode_hides_introspection_and_explorer_and_refuses_dev_tokens(
    tmp_path: Path,
) -> None:
    settings = {
        "production": True,
        "jwt_secret": "a-real-secret-from-the-vault-0123456789",
        "audit_hmac_key": "a-real-audit-key",
    }
    async with open_gateway(audit_path=str(tmp_path / "a.log"), **settings) as (gateway, _app):
        body = (
            await gateway.client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        ).json()
        assert body.get("data") is None
        assert "introspection" in body["errors"][0]["message"].lower()
        assert (await gateway.client.get("/explorer/")).status_code == 404
    with pytest.raises(ValueError, match="JWT_SECRET"):
        Settings(production=True).check()


def test_token_command_refuses_in_production() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "gateway.cli.main", "token", "--role", "district_admin"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"GOVGRAPH_PRODUCTION": "true", "PATH": ""},
    )
    assert refused.returncode == 2
    assert "refused" in refused.stderr
    assert refused.stdout == ""


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
async def test_asymmetric_tokens_are_checked_against_the_jwks_file(
    tmp_path: Path, algorithm: str
) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    private = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if algorithm == "RS256"
        else ec.generate_private_key(ec.SECP256R1())
    )
    algo = jwt.get_algorithm_by_name(algorithm)
    public_jwk = json.loads(algo.to_jwk(private.public_key()))
    public_jwk.update({"kid": "k1", "alg": algorithm, "use": "sig"})
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public_jwk]}), encoding="utf-8")
    gateway, app = await make_gateway(audit_path=str(tmp_path / "a.log"), jwks_path=str(jwks))
    claims = {
        "sub": "s",
        "role": "district_admin",
        "iss": "govgraph-dev",
        "aud": "govgraph",
        "exp": 9_999_999_999,
    }
    try:
        good = jwt.encode(claims, private, algorithm=algorithm, headers={"kid": "k1"})
        unknown_kid = jwt.encode(claims, private, algorithm=algorithm, headers={"kid": "k2"})
        other_key = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if algorithm == "RS256"
            else ec.generate_private_key(ec.SECP256R1())
        )
        forged = jwt.encode(claims, other_key, algorithm=algorithm, headers={"kid": "k1"})
        query = {"query": "{ departments { code } }"}
        ok = await gateway.client.post(
            "/graphql", json=query, headers={"Authorization": f"Bearer {good}"}
        )
        assert ok.status_code == 200
        for bad in (unknown_kid, forged):
            refused = await gateway.client.post(
                "/graphql", json=query, headers={"Authorization": f"Bearer {bad}"}
            )
            assert refused.status_code == 401
    finally:
        await gateway.client.aclose()
        await app.state.backends.aclose()
