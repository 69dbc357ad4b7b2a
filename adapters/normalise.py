"""Pure normalisers shared by the adapters: times, ID numbers, phones, codes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_WEIGHT_OF_ZEROS = ord("0") * sum(ID_WEIGHTS)


ASCII_DIGITS = frozenset("0123456789")
# What clerks type between the digits of a phone; anything else makes it no phone.
PHONE_SEPARATORS = frozenset("+-() ")


def ascii_digits(value: str) -> bool:
    """Only 0-9: str.isdigit() also takes fullwidth and Arabic-Indic digits, which int() reads
    but no legacy system here does."""
    return value.isascii() and value.isdigit()


def id_number_is_valid(value: str) -> bool:
    """GB 11643-1999: 17 digits, a valid birth date and the ISO 7064 MOD 11-2 check character."""
    if len(value) != 18 or not ascii_digits(value[:17]) or value[17] not in "0123456789Xx":
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    # The digits' byte values, less '0' for each weight: int() per digit was half the check.
    total = sum(map(int.__mul__, value[:17].encode(), ID_WEIGHTS)) - ID_WEIGHT_OF_ZEROS
    return ID_CHECK_CHARS[total % 11] == value[17].upper()


def normalise_phone(value: str) -> str | None:
    """An 11-digit mobile from whatever the clerk typed (+86, spaces, dashes), or None."""
    if value.isascii() and value.isdigit():  # as most records hold it: nothing to take out
        digits = value
    elif any(ch not in ASCII_DIGITS and ch not in PHONE_SEPARATORS for ch in value):
        return None
    else:
        digits = "".join(ch for ch in value if ch in ASCII_DIGITS)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1") and digits[1] in "3456789":
        return digits
    return None


def legacy_date(value: str) -> date:
    """yyyyMMdd, as the registry writes birth dates."""
    if len(value) != 8 or not (value.isascii() and value.isdigit()):
        raise ValueError("not yyyyMMdd")
    try:
        return date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise ValueError("not a date in yyyyMMdd") from None


def beijing_time(value: str) -> datetime | None:
    """yyyyMMddHHmmss in Beijing time with no zone; empty means none."""
    if not value:
        return None
    # strptime was a tenth of the cost of a case list, six int() calls half of what was left:
    # the digits are checked here and placed into ISO 8601 for the C parser. Hour 24 is refused
    # first, as datetime() refuses it, since later Pythons read it as the next day's midnight.
    if len(value) != 14 or not (value.isascii() and value.isdigit()) or value[8:10] == "24":
        raise ValueError("not yyyyMMddHHmmss")
    try:  # ISO 8601's basic format, which the C parser reads since Python 3.11
        return datetime.fromisoformat(value[:8] + "T" + value[8:] + "+08:00")
    except ValueError:
        raise ValueError("not a time in yyyyMMddHHmmss") from None


def iso_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("time without zone")
    return parsed


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def community_of_grid(grid_code: str) -> str:
    return grid_code[:12]
