"""Personal values inside free text. A resident types a phone or an ID number into a report, a
wish or a proposal ("请联系我13812345678"), and a clerk into a note: a phone there is a phone, and
each role sees it as it sees any phone (`gateway.access.policy.FREE_TEXT_VIEWS`). The rest of the
text is left exactly as it was written.

Found by shape, however typed: fullwidth or other Unicode digits, Chinese numerals, digits drawn
as symbols, a space or a dash between the groups, characters that show nothing between the
digits, a +86 before a mobile. Longer and shorter digit runs (case numbers, grid and community
codes, registry numbers, dates) are not taken for either. Names cannot be told from other words
by shape: a name is found only where the record itself names its person (`people_named`).
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.access.kinds import Kind
from gateway.access.masks import mask_id_number, mask_name, mask_phone
from gateway.access.views import Access

# Between the digits: whatever a phone's keyboard or an input method puts there. Spaces of any
# width (U+3000, no-break, tabs), every dash and hyphen, dots and middle dots, slashes, commas,
# underscores, and the bracket after an area code; up to three of them ("138 - 1234 - 5678").
VISIBLE_SEPARATOR = (
    r"[\s\-\u2010-\u2015\u2212\uFE58\uFE63\uFF0D.\u00B7\u30FB\uFF0E\u3002/_,\uFF0C)\uFF09]"
)
# Characters that show nothing: zero-width spaces and joiners, a soft hyphen, direction marks and
# isolates, a word joiner, a byte-order mark. Between digits they hide a number from a filter and
# not from a reader, so any number of them may sit anywhere in a value.
INVISIBLE = r"[\u00AD\u034F\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]"
SEPARATOR = rf"(?:{VISIBLE_SEPARATOR}|{INVISIBLE})"
_SEP = rf"{INVISIBLE}*(?:{VISIBLE_SEPARATOR}{INVISIBLE}*){{0,3}}"
# A digit as typed: any Unicode decimal digit; a Chinese numeral, as a number is read out
# ("幺三八…", "两") or written in the financial forms (壹贰叁…) to slip past a filter; or a digit
# drawn as a symbol: circled, in brackets, with a full stop, superscript or subscript (①③⑧).
CHINESE_DIGITS = dict(
    zip(
        "〇零一幺二两兩三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖",
        "00112223456789122334566789",
        strict=True,
    )
)
_SYMBOL_RANGES = (
    (0x00B2, 0x00B3), (0x00B9, 0x00B9), (0x2070, 0x2089), (0x2460, 0x2468), (0x2474, 0x247C),
    (0x2488, 0x2490), (0x24EA, 0x24EA), (0x24F5, 0x24FF), (0x2776, 0x2792), (0x1F100, 0x1F10A),
)  # fmt: skip
DIGIT_SYMBOLS = {
    chr(point): str(unicodedata.digit(chr(point)))
    for first, last in _SYMBOL_RANGES
    for point in range(first, last + 1)
    if unicodedata.digit(chr(point), None) is not None and not chr(point).isdecimal()
}
SPELLED_DIGITS = {**CHINESE_DIGITS, **DIGIT_SYMBOLS}
_SPELLED = "".join(SPELLED_DIGITS)
DIGIT = rf"[\d{_SPELLED}]"
# `\d` is any Unicode decimal digit (fullwidth too); what the digits are is checked after the
# match, on their ASCII values. No digit (or, for an ID number, letter) on either side.
ID_NUMBER = re.compile(rf"(?<![\dA-Za-z])\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}[\dXxＸｘ](?![\dA-Za-z])")
MOBILE = re.compile(
    rf"(?<![\d+＋])(?:[+＋]?[8８][6６]{_SEP})?\d{{3}}{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)"
)
LANDLINE = re.compile(rf"(?<!\d)\d{{3,4}}{_SEP}(?:\d{{7,8}}|\d{{3,4}}{_SEP}\d{{4}})(?!\d)")
# The same values with anything between any two digits ("1 3 8 1 2 …", "一三八…"), tried after
# the grouped forms above, which keep their exact spans where both match.
LOOSE_ID_NUMBER = re.compile(
    rf"(?<![\dA-Za-z{_SPELLED}]){DIGIT}(?:{_SEP}{DIGIT}){{16}}{_SEP}[\dXxＸｘ{_SPELLED}](?![\dA-Za-z{_SPELLED}])"
)
LOOSE_MOBILE = re.compile(
    rf"(?<![\d+＋{_SPELLED}]){DIGIT}(?:{_SEP}{DIGIT}){{10}}(?![\d{_SPELLED}])"
)
SEPARATORS = re.compile(rf"{SEPARATOR}|[+＋]")
# Seven digits or more, as any of them needs: most text has none, and one search says so.
DIGIT_RUN = re.compile(rf"{DIGIT}(?:{_SEP}{DIGIT}){{6}}")


def _id_number(digits: str) -> str | None:
    century = digits[6:8]
    return digits if digits[0] != "0" and century in ("18", "19", "20") else None


def _mobile(digits: str) -> str | None:
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789" else None


def _landline(digits: str) -> str | None:
    # 0 and an area code of two or three more digits, then a number that starts 2-9
    if digits[0] != "0" or digits[1] == "0":
        return None
    fits = (a for a in (3, 4) if digits[a] in "23456789" and 7 <= len(digits) - a <= 8)
    return digits if any(fits) else None


PATTERNS = (
    (Kind.ID_NUMBER, ID_NUMBER, _id_number),
    (Kind.PHONE, MOBILE, _mobile),
    (Kind.PHONE, LANDLINE, _landline),
    (Kind.ID_NUMBER, LOOSE_ID_NUMBER, _id_number),
    (Kind.PHONE, LOOSE_MOBILE, _mobile),
)


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    kind: Kind
    value: str  # its digits, ASCII, without separators or a country code


def _ascii(matched: str) -> str:
    plain = SEPARATORS.sub("", matched)
    if plain.isascii():
        return plain.upper()
    digits = (SPELLED_DIGITS.get(ch) or str(unicodedata.decimal(ch, ch)) for ch in plain)
    return "".join(digits).upper().replace("Ｘ", "X")


def people_named(record: Any) -> list[tuple[Kind, str]]:
    """The people a record itself names (a case's reporter, a dispute's parties), whose values
    are found in its text as written, a name too: "张三来电反映" is the reporter's name."""
    people = [getattr(record, "reporter", None), *getattr(record, "parties", ())]
    return [
        (kind, value)
        for person in people
        if person is not None
        for kind, value in (
            (Kind.NAME, person.name),
            (Kind.PHONE, person.phone),
            (Kind.ID_NUMBER, person.id_number),
        )
        if value and len(value) >= 2
    ]


class _Spans:
    """Found values kept in order of their start, each new one checked against its neighbours
    only (a text with thousands of phones stays linear-logarithmic)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.items: list[Found] = []

    def add(self, item: Found) -> None:
        at = bisect.bisect_left(self.starts, item.start)
        if at > 0 and self.items[at - 1].end > item.start:
            return
        if at < len(self.items) and self.items[at].start < item.end:
            return
        self.starts.insert(at, item.start)
        self.items.insert(at, item)


def find(text: str, known: Sequence[tuple[Kind, str]] = ()) -> list[Found]:
    """Every phone and ID number in the text, and every value of the people it is known to
    name, in order, none overlapping another."""
    spans = _Spans()
    for kind, value in known:
        if kind is Kind.NAME:
            for match in _spelled(value).finditer(text):
                spans.add(Found(*match.span(), kind, value))
            continue
        at = text.find(value)
        while at >= 0:
            spans.add(Found(at, at + len(value), kind, value))
            at = text.find(value, at + len(value))
    if DIGIT_RUN.search(text) is not None:
        for kind, pattern, check in PATTERNS:
            for match in pattern.finditer(text):
                digits = check(_ascii(match.group()))
                if digits is not None:
                    spans.add(Found(*match.span(), kind, digits))
    return spans.items


@functools.lru_cache(maxsize=4096)
def _spelled(name: str) -> re.Pattern[str]:
    """A known name as it may be typed: its characters with spaces or dashes between them
    ("尹 仪 洁" is the reporter's name too)."""
    return re.compile(_SEP.join(map(re.escape, name)))


def _masked(found: Found, level: Access) -> str:
    if found.kind is Kind.ID_NUMBER:
        return mask_id_number(found.value, low=level is Access.MASKED_LOW)
    if found.kind is Kind.NAME:
        return mask_name(found.value)
    return mask_phone(found.value)


def shown(
    text: str, views: Mapping[Kind, Access], known: Sequence[tuple[Kind, str]] = ()
) -> tuple[str, Access | None]:
    """The text as a role with these views sees it, and the most it was shown of any value in
    it (None: nothing personal in it)."""
    found = find(text, known)
    if not found:
        return text, None
    parts: list[str] = []
    at = 0
    most = Access.DENIED
    for item in found:
        level = views.get(item.kind, Access.DENIED)
        parts.append(text[at : item.start])
        if level is Access.WHOLE:
            parts.append(text[item.start : item.end])
        elif level is Access.DENIED:
            parts.append("*" * (item.end - item.start))
        else:
            parts.append(_masked(item, level))
        most = min(most, level, key=REVEALING.index)
        at = item.end
    parts.append(text[at:])
    return "".join(parts), most


REVEALING = (Access.WHOLE, Access.MASKED, Access.MASKED_LOW, Access.DENIED)
