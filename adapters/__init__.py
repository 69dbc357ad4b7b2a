"""Pure mapping of legacy records to the domain model."""

from .domain import (
    CaseStatus,
    Grid,
    GridWorker,
    IdentityMatch,
    LegalAidCase,
    MatchMethod,
    Reporter,
    Resident,
    Sex,
    UrbanCase,
)
from .mapping import (
    grid_from_urban,
    legal_aid_case_from_legal,
    match_identity,
    resident_from_civil_affairs,
    urban_case_from_urban,
)

__all__ = [
    "CaseStatus",
    "Grid",
    "GridWorker",
    "IdentityMatch",
    "LegalAidCase",
    "MatchMethod",
    "Reporter",
    "Resident",
    "Sex",
    "UrbanCase",
    "grid_from_urban",
    "legal_aid_case_from_legal",
    "match_identity",
    "resident_from_civil_affairs",
    "urban_case_from_urban",
]
