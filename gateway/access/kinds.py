"""The kinds of personal value. A value is masked by its kind, whichever system and field it
came from: a name from the urban system's case record is a name like one from the registry.

Some kinds encode one another (an ID number holds the region, the birth date and the sex), so a
role's view of each kind is chosen with the others in mind (`gateway.access.policy`).
"""

from __future__ import annotations

from enum import Enum


class Kind(Enum):
    NAME = "name"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    ADDRESS = "address"  # where someone lives
    HUKOU_ADDRESS = "hukou_address"  # registered address: holds the ID number's region
    BIRTH_DATE = "birth_date"  # the ID number's eight hidden digits
    BIRTH_YEAR = "birth_year"
    AGE = "age"  # whole, it dates the birthday to within a year and, watched, to the day
    SEX = "sex"  # the ID number's 17th digit, shown by every mask
    TAGS = "tags"  # person types; some are vulnerabilities (disability, low income, alone)
    LEGAL_NARRATIVE = "legal_narrative"  # what an applicant told legal aid
