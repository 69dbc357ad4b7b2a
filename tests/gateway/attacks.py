"""An attacker's tools against masked ID numbers, written from GB 11643 alone (not from the
gateway's code): which numbers fit what a role was shown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def birth_dates(shown: dict[str, Any], today: date) -> Iterator[date]:
    """Every birth date consistent with the birth date, birth year and age a role was shown.
    `age_this_year` says the age was counted from the birth year (the documented mask)."""
    if shown.get("birthDate"):
        yield date.fromisoformat(shown["birthDate"])
        return
    years: range
    if shown.get("birthYear"):
        years = range(shown["birthYear"], shown["birthYear"] + 1)
    elif shown.get("age") is not None:
        years = range(today.year - shown["age"] - 1, today.year - shown["age"] + 1)
    else:
        years = range(today.year - 110, today.year + 1)
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            if _age_fits(day, shown, today):
                yield day
            day += timedelta(days=1)


def _age_fits(birth: date, shown: dict[str, Any], today: date) -> bool:
    age = shown.get("age")
    if age is None:
        return True
    by_year = today.year - birth.year
    exact = by_year - ((today.month, today.day) < (birth.month, birth.day))
    return age in (by_year, exact) if shown.get("age_this_year") else age == exact


def candidates(
    masked: str, shown: dict[str, Any], region: str, today: date, stop_at: int = 10**9
) -> list[str]:
    """ID numbers that fit the masked one, the region (an attacker knows the county from the
    grid or the address), the birth information and the sex; stops once `stop_at` are found."""
    assert len(masked) == 18
    prefix = "".join(r if m == "*" else m for m, r in zip(masked[:6], region, strict=True))
    male = {"MALE": True, "FEMALE": False}.get(shown.get("sex") or "")
    found: list[str] = []
    for birth in birth_dates(shown, today):
        body = prefix + birth.strftime("%Y%m%d")
        if any(m != "*" and m != b for m, b in zip(masked[6:14], body[6:14], strict=True)):
            continue
        for sequence in range(1000):
            digits = f"{sequence:03d}"
            if any(m != "*" and m != d for m, d in zip(masked[14:17], digits, strict=True)):
                continue
            if male is not None and (int(digits[2]) % 2 == 1) != male:
                continue
            first17 = body + digits
            last = check_character(first17)
            if masked[17] != "*" and masked[17] != last:
                continue
            found.append(first17 + last)
            if len(found) >= stop_at:
                return found
    return found
