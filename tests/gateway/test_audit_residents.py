"""Which residents a request read goes on record as pseudonyms, made as each is first read:
the registry numbers themselves are kept for the request only, and never stored with an answer
kept for a replay."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from starlette.requests import Request

from gateway.access.audit import PSEUDONYM, AuditLog, AuditRecord
from gateway.access.auth import Principal, Role
from gateway.http.requests import Operation
from gateway.http.write_keys import WriteKeys
from gateway.state.idempotency import InMemoryIdempotencyStore

NUMBERS = ("RK32021300000005", "RK32021300000006")


def _record() -> AuditRecord:
    return AuditRecord(request_id="r1", subject="s", role="civil_affairs", client="c", purpose="p")


async def test_each_resident_is_one_pseudonym_however_often_read(tmp_path: Path) -> None:
    audit = AuditLog(str(tmp_path / "audit.log"), b"k" * 32)
    made: list[str] = []

    def pseudonym(number: str) -> str:
        made.append(number)
        return audit.pseudonym(number)

    record = _record()
    for number in (*NUMBERS, *NUMBERS, NUMBERS[0]):
        record.read_resident(number, pseudonym)
    assert made == list(NUMBERS)
    assert all(PSEUDONYM.fullmatch(value) for value in record.residents)
    await audit.record(record, "ok")
    line = json.loads((tmp_path / "audit.log").read_text())
    assert line["resident_count"] == 2
    assert line["residents"] == sorted(audit.pseudonym(n) for n in NUMBERS)
    assert not any(n in (tmp_path / "audit.log").read_text() for n in NUMBERS)


async def test_an_answer_kept_for_a_replay_holds_pseudonyms_only(tmp_path: Path) -> None:
    audit = AuditLog(str(tmp_path / "audit.log"), b"k" * 32)
    store = InMemoryIdempotencyStore(60, 10)
    assert await store.claim("owner", "key", "print", datetime.now(UTC)) is None
    record = _record()
    record.read_resident(NUMBERS[0], audit.pseudonym)
    await WriteKeys(store, None, audit.pseudonym).settle(("owner", "key"), [], {"data": {}}, record)
    stored = await store.claim("owner", "key", "print", datetime.now(UTC))
    assert stored is not None and stored.body is not None
    assert stored.body["residents"] == [audit.pseudonym(NUMBERS[0])]
    assert NUMBERS[0] not in json.dumps(stored.body)


async def test_a_number_stored_by_an_older_gateway_goes_on_record_as_a_pseudonym(
    tmp_path: Path,
) -> None:
    audit = AuditLog(str(tmp_path / "audit.log"), b"k" * 32)
    store = InMemoryIdempotencyStore(60, 10)
    keys = WriteKeys(store, lambda: datetime.now(UTC), audit.pseudonym)
    request = Request(
        {
            "type": "http",
            "method": "POST",
            "path": "/graphql",
            "headers": [(b"idempotency-key", b"k1")],
        }
    )
    principal = Principal(Role.RESIDENT, subject="s")
    operation = Operation("mutation { x }", {}, None, {})
    claimed, _, replay = await keys.claim(
        request, principal, "mutation { x }", operation, _record()
    )
    assert replay is None
    # as a gateway from before pseudonyms were kept stored it: one number, one pseudonym
    stored = {
        "response": {"data": {}},
        "fields": {},
        "residents": [NUMBERS[0], audit.pseudonym(NUMBERS[1])],
    }
    await store.complete(*claimed, 200, stored)
    record = _record()
    _, _, replay = await keys.claim(request, principal, "mutation { x }", operation, record)
    assert replay is not None
    await audit.record(record, "replayed")
    line = json.loads((tmp_path / "audit.log").read_text())
    assert line["residents"] == sorted(audit.pseudonym(n) for n in NUMBERS)
    assert NUMBERS[0] not in (tmp_path / "audit.log").read_text()
