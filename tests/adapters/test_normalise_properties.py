"""The normalisers' fast paths against the plain readings they replace: for any input, the same
answer or the same refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from adapters.normalise import BEIJING, beijing_time, normalise_phone
from adapters.reading import RecordReader, _beijing
from connectors.errors import ContractError

DIGITS = "0123456789"


def plain_phone(value: str) -> str | None:
    if any(ch not in DIGITS and ch not in "+-() " for ch in value):
        return None
    digits = "".join(ch for ch in value if ch in DIGITS)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1") and digits[1] in "3456789":
        return digits
    return None


def plain_time(value: str) -> datetime | None:
    if not value:
        return None
    if len(value) != 14 or not (value.isascii() and value.isdigit()):
        raise ValueError("not yyyyMMddHHmmss")
    try:
        return datetime(
            int(value[0:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[8:10]),
            int(value[10:12]),
            int(value[12:14]),
            tzinfo=BEIJING,
        )
    except ValueError:
        raise ValueError("not a time in yyyyMMddHHmmss") from None


def outcome(reading: Callable[[str], Any], value: str) -> tuple[Any, ...]:
    try:
        return ("value", reading(value))
    except ValueError:
        return ("refused",)


phones = st.one_of(
    st.text(alphabet=DIGITS, min_size=9, max_size=14),
    st.text(alphabet=DIGITS + "+-() x１", max_size=18),
    st.builds(lambda rest: "1" + rest, st.text(alphabet=DIGITS, min_size=10, max_size=10)),
)


@given(phones)
def test_a_phone_reads_as_the_plain_reading_does(value: str) -> None:
    assert normalise_phone(value) == plain_phone(value)


# Fixed-width digits with every field near and past its limits, hour 24 and second 60 among them.
times = st.one_of(
    st.builds(
        "{:04d}{:02d}{:02d}{:02d}{:02d}{:02d}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.integers(0, 61),
    ),
    st.text(alphabet=DIGITS + "-: T２", max_size=16),
)


@given(times)
def test_a_legacy_time_reads_as_the_plain_reading_does(value: str) -> None:
    ours, plain = outcome(beijing_time, value), outcome(plain_time, value)
    assert ours == plain
    if ours[0] == "value" and ours[1] is not None:
        assert ours[1].utcoffset() == timedelta(hours=8)


def plain_parsed(
    read: RecordReader, name: str, parse: Callable[[str], object], required: bool
) -> object:
    """`RecordReader.parsed` as it read before its own fast path: through `text`."""
    text = read.text(name, required)
    if not text:
        return None
    try:
        return parse(text)
    except (ValueError, TypeError, IndexError):
        raise read.error(name, "unparseable") from None


def read_field(reading: Callable[[], object]) -> object:
    try:
        return ("value", reading())
    except ContractError as error:
        return ("refused", str(error))


@given(
    st.one_of(
        times,
        st.builds(" {} ".format, times),
        st.sampled_from(["", "  ", "12", " 7 "]),
        st.none(),
        st.integers(),
    ),
    st.booleans(),
)
def test_a_record_field_parses_as_the_plain_reading_does(value: object, required: bool) -> None:
    read = RecordReader("urban-management", "case", {"LASJ": value})
    for parse in (_beijing, int):
        plain = read_field(partial(plain_parsed, read, "LASJ", parse, required))
        assert read_field(partial(read.parsed, "LASJ", parse, required)) == plain
    assert read_field(lambda: read.beijing("LASJ", required)) == read_field(
        lambda: plain_parsed(read, "LASJ", _beijing, required)
    )
