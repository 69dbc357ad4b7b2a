"""Many writers, one trail: lines of several workers interleave in one file, and any single
edited, removed, reordered or inserted line is found and named by writer and line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from gateway.access.audit import AuditLog
from gateway.access.audit_verify import verify_files


@pytest.fixture
def trail(tmp_path: Path) -> list[str]:
    path = tmp_path / "audit.log"
    writers = [AuditLog(str(path), b"key") for _ in range(3)]

    async def write() -> None:
        for number in range(30):
            await writers[number % 3].commit({"request_id": f"r{number}", "outcome": "ok"})

    asyncio.run(write())
    return path.read_text(encoding="utf-8").splitlines()


def check(tmp_path: Path, lines: list[str], ending: str = "\n"):  # type: ignore[no-untyped-def]
    path = tmp_path / "check.log"
    path.write_text("\n".join(lines) + ending, encoding="utf-8")
    return verify_files([path])


def test_three_writers_in_one_file_verify(trail: list[str], tmp_path: Path) -> None:
    verdict = check(tmp_path, trail)
    assert verdict.ok and verdict.writers == 3 and verdict.lines == 30
    assert len({json.loads(x)["writer"] for x in trail}) == 3


@pytest.mark.parametrize("index", range(30))
def test_any_one_line_edited_removed_or_swapped_is_found(
    trail: list[str], tmp_path: Path, index: int
) -> None:
    writer = json.loads(trail[index])["writer"]
    edited = json.loads(trail[index])
    edited["outcome"] = "denied"
    verdict = check(tmp_path, [*trail[:index], json.dumps(edited), *trail[index + 1 :]])
    assert (verdict.ok, verdict.first_bad_line, verdict.writer) == (False, index + 1, writer)

    removed = check(tmp_path, [*trail[:index], *trail[index + 1 :]])
    later = [json.loads(x)["writer"] for x in trail[index + 1 :]]
    if writer in later:  # a writer's last line removed leaves nothing after it to notice
        assert not removed.ok and removed.writer == writer

    same = [j for j in range(index + 1, 30) if json.loads(trail[j])["writer"] == writer]
    if same:
        swapped = list(trail)
        swapped[index], swapped[same[0]] = swapped[same[0]], swapped[index]
        verdict = check(tmp_path, swapped)
        assert not verdict.ok and verdict.writer == writer and verdict.first_bad_line == index + 1


def test_an_inserted_copy_of_a_line_is_found(trail: list[str], tmp_path: Path) -> None:
    verdict = check(tmp_path, [*trail[:10], trail[4], *trail[10:]])
    assert not verdict.ok and verdict.first_bad_line == 11


def test_a_torn_last_line_is_a_crash_not_tampering(trail: list[str], tmp_path: Path) -> None:
    verdict = check(tmp_path, [*trail[:-1], trail[-1][:40]], ending="")
    assert not verdict.ok and verdict.torn and verdict.first_bad_line == 30
    assert "crash" in verdict.reason
    cut_inside = check(tmp_path, [*trail[:5], trail[5][:40], *trail[6:]])
    assert not cut_inside.ok and not cut_inside.torn


def test_a_directory_is_read_oldest_first(tmp_path: Path) -> None:
    directory = tmp_path / "trail"
    directory.mkdir()
    log = AuditLog(str(directory / "audit.log"), b"key", max_bytes=2_000, backups=50)

    async def write() -> None:
        for number in range(40):
            await log.commit({"request_id": f"r{number}", "outcome": "ok"})

    asyncio.run(write())
    assert len(list(directory.iterdir())) > 2
    verdict = verify_files([directory])
    assert verdict.ok and verdict.lines == 40


def test_a_forged_writer_chain_fails_with_the_audit_key(trail: list[str], tmp_path: Path) -> None:
    """Without the key anyone can append a self-consistent chain; the key's seal tells it."""
    forger = AuditLog(str(tmp_path / "forged.log"), b"not-the-key")
    asyncio.run(forger.commit({"request_id": "fake", "outcome": "ok"}))
    fake = (tmp_path / "forged.log").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "mixed.log"
    path.write_text("\n".join([*trail, *fake]) + "\n", encoding="utf-8")
    assert verify_files([path]).ok  # chains alone cannot tell
    verdict = verify_files([path], key=b"key")
    assert not verdict.ok and verdict.first_bad_line == 31 and "forged" in verdict.reason
    genuine = tmp_path / "genuine.log"
    genuine.write_text("\n".join(trail) + "\n", encoding="utf-8")
    assert verify_files([genuine], key=b"key").ok
