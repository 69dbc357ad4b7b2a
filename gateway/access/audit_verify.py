"""Verifying the audit trail: every writer's chain, across rotated files, whatever the
interleaving of writers. A line that was edited fails its own hash; one removed, reordered or
inserted breaks its writer's chain (`prev` and `seq`); the verdict names the writer and the line.
A last line cut short with no newline is a writer that stopped mid-write (a crash), reported as
such and not as tampering.

Files are given oldest first (`audit.log.2 audit.log.1 audit.log`) or as a directory. A writer's
chain starts at its first line (`seq` 1 from the genesis hash), except in the oldest file when it
is a rotated backup (`*.N`): older backups may have been removed by retention.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gateway.access.audit import GENESIS, chain_hash, seal

BACKUP = re.compile(r"\.(\d+)$")


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    lines: int
    first_bad_line: int | None = None
    reason: str = ""
    writer: str | None = None
    writers: int = 0
    torn: bool = False

    def describe(self) -> str:
        if self.ok:
            chains = (
                "chain intact" if self.writers <= 1 else f"{self.writers} writers' chains intact"
            )
            return f"ok: {self.lines} lines, {chains}"
        who = f" (writer {self.writer})" if self.writer else ""
        return f"broken at line {self.first_bad_line}{who}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    cut: bool  # the file's last line, with no newline after it
    may_start_midway: bool  # in the oldest file, a rotated backup


def verify(lines: Iterable[Line | str], key: bytes | None = None) -> Verdict:
    """With the audit key, every line's seal is checked too: a line or chain forged by someone
    without the key fails."""
    heads: dict[str, tuple[str, int]] = {}
    count = 0
    for count, item in enumerate(lines, start=1):
        line = item if isinstance(item, Line) else Line(item, False, True)
        try:
            entry = json.loads(line.text)
        except ValueError:
            if line.cut:
                return Verdict(
                    False,
                    count,
                    count,
                    "torn last line: a writer stopped mid-line (a crash)",
                    torn=True,
                )
            return Verdict(False, count, count, "not JSON")
        if not isinstance(entry, dict) or not isinstance(entry.get("hash"), str):
            return Verdict(False, count, count, "no hash")
        writer = str(entry.get("writer", ""))
        previous, seq = str(entry.get("prev")), entry.get("seq")
        if chain_hash(previous, entry) != entry["hash"]:
            return Verdict(False, count, count, "line was edited", writer or None)
        if key is not None and not hmac.compare_digest(
            str(entry.get("seal", "")), seal(key, entry["hash"])
        ):
            return Verdict(
                False, count, count, "not sealed with the audit key: forged", writer or None
            )
        head = heads.get(writer)
        if head is None:
            starts = previous == GENESIS and seq in (1, None)
            if not starts and not (line.may_start_midway or not writer):
                return Verdict(
                    False,
                    count,
                    count,
                    "chain broken: the writer's earlier lines were removed",
                    writer or None,
                )
        elif previous != head[0] or (seq is not None and seq != head[1] + 1):
            return Verdict(
                False,
                count,
                count,
                "chain broken: a line before it was removed, reordered or changed",
                writer or None,
            )
        heads[writer] = (entry["hash"], seq if isinstance(seq, int) else 0)
    return Verdict(True, count, writers=len(heads))


def trail_files(paths: list[Path]) -> list[Path]:
    """Directories expand to their audit files, oldest backup first, the live file last."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            path.stat()  # a file named that is not there is refused before any line is read
            found.append(path)
            continue
        files = [p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")]

        def age(p: Path) -> tuple[str, int]:
            number = BACKUP.search(p.name)
            base = BACKUP.sub("", p.name)
            return base, -int(number.group(1)) if number else 0

        found.extend(sorted(files, key=age))
    return found


def verify_files(paths: list[Path], key: bytes | None = None) -> Verdict:
    files = trail_files(paths)

    def lines() -> Iterator[Line]:
        for index, path in enumerate(files):
            text = path.read_text(encoding="utf-8", errors="replace")
            rows = [row for row in text.split("\n")]
            cut = not text.endswith("\n") and index == len(files) - 1
            midway = index == 0 and bool(BACKUP.search(path.name))
            kept = [r for r in rows if r.strip()]
            for number, row in enumerate(kept):
                yield Line(row, cut and number == len(kept) - 1, midway)

    return verify(lines(), key)
