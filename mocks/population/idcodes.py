"""National ID numbers (GB 11643-1999) and mobile numbers, as the mock registries issue them.

The mocks import nothing from the gateway, so the check-character rule lives here as well as in
the gateway's own validators: each side must stand alone, as the real systems do.
"""

from __future__ import annotations

from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def make_id_number(address_code: str, birth: date, sequence: int) -> str:
    """An 18-character ID number; an odd sequence is a man, an even one a woman."""
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def id_number_is_valid(value: str) -> bool:
    if len(value) != 18 or not value[:17].isdigit():
        return False
    return id_check_char(value[:17]) == value[17].upper()


# Residents' phones are a bijection of their registry index, so that a phone can be looked up
# without an index in memory: phone = prefix + (index * MULTIPLIER + OFFSET) mod 10**8.
PHONE_PREFIXES = ("138", "139", "150", "151", "152", "158", "159", "187", "188", "181")
PHONE_MODULUS = 10**8
PHONE_MULTIPLIER = 48271
PHONE_OFFSET = 12_345_679
PHONE_INVERSE = pow(PHONE_MULTIPLIER, -1, PHONE_MODULUS)
# Callers who are not residents (hotline callers from elsewhere) get numbers from a range that
# residents never use, so a stranger's phone never links to a resident by accident.
STRANGER_PREFIX = "199"


def resident_phone(index: int) -> str:
    prefix = PHONE_PREFIXES[index % len(PHONE_PREFIXES)]
    body = (index * PHONE_MULTIPLIER + PHONE_OFFSET) % PHONE_MODULUS
    return f"{prefix}{body:08d}"


def resident_index_of_phone(phone: str) -> int | None:
    """The registry index whose own phone this is, or None; the caller checks the bounds."""
    if len(phone) != 11 or not phone.isdigit() or phone[:3] not in PHONE_PREFIXES:
        return None
    index = ((int(phone[3:]) - PHONE_OFFSET) * PHONE_INVERSE) % PHONE_MODULUS
    if PHONE_PREFIXES[index % len(PHONE_PREFIXES)] != phone[:3]:
        return None
    return index


def stranger_phone(serial: int) -> str:
    return f"{STRANGER_PREFIX}{(serial * 7919 + 104_729) % PHONE_MODULUS:08d}"


def normalise_phone(value: str) -> str:
    """Digits only, without a +86 country prefix: how the registries match a phone."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits
