"""The one declarative access policy. Each personal field of the schema has a kind of value
(`gateway.access.kinds`); each role has one view of each kind: the whole value, a masked one, or
nothing (null with a FORBIDDEN error). Relations that lead to someone's records are allowed or
denied per role. Applied in one place, `enforcement.police`; which rows a role may see at all is
`gateway.access.scope`, and arguments that take a personal value are ruled in `PERSONAL_ARGUMENTS`.

Minimum necessary access (PIPL arts. 6, 28): each role sees what its work needs, and no
combination of what it sees rebuilds what it is not shown. Roles that see an ID number masked
see neither the birth date nor the age to the day: the birth year, and the age reached this
calendar year. With the masked number that leaves about 3,300 candidates (tested).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from gateway.access.auth import Role
from gateway.access.free_text import INVISIBLE
from gateway.access.kinds import Kind
from gateway.access.masks import hidden_tags, mask
from gateway.access.views import VIEWS as VIEWS
from gateway.access.views import Access as Access
from gateway.access.views import ArgumentRule as ArgumentRule
from gateway.access.views import SystemRows, _row
from gateway.systems import system_parts

W, M, L, D = Access.WHOLE, Access.MASKED, Access.MASKED_LOW, Access.DENIED
R = Role


# Every field of the schema that holds a personal value, with its kind.
PERSONAL_FIELDS: dict[str, Kind] = {
    "Resident.name": Kind.NAME,
    "Resident.idNumber": Kind.ID_NUMBER,
    "Resident.phone": Kind.PHONE,
    "Resident.address": Kind.ADDRESS,
    "Resident.registeredAddress": Kind.HUKOU_ADDRESS,
    "Resident.birthDate": Kind.BIRTH_DATE,
    "Resident.birthYear": Kind.BIRTH_YEAR,
    "Resident.age": Kind.AGE,
    "Resident.sex": Kind.SEX,
    "Resident.tags": Kind.TAGS,
    "Household.address": Kind.ADDRESS,
    "Building.leaderName": Kind.NAME,
    "Building.name": Kind.ADDRESS,  # "北苑路507号4幢": with a resident, where they live
    "CaseReporter.name": Kind.NAME,
    "CaseReporter.phone": Kind.PHONE,
    "LegalAidCase.applicantName": Kind.NAME,
    "LegalAidCase.description": Kind.LEGAL_NARRATIVE,
    "DisputeParty.name": Kind.NAME,
}

# Fields that name or describe a person but are not masked, and why (the policy test fails on
# a personal-looking field that is in neither table).
NOT_MASKED: dict[str, str] = {
    "Resident.registryNumber": "the registry's own key for the row; reveals nothing of the person",
    "Resident.relationToHead": "shown with the household row to whoever may see the row",
    "GridWorker.name": "full-time grid staff: a public duty contact (网格员公示); see ON_DUTY",
    "GridWorker.phone": "full-time grid staff: a public duty contact (网格员公示); see ON_DUTY",
    "Lawyer.name": "practising lawyers are public (律师执业信息公开)",
    "LawOffice.phone": "an office's switchboard",
    "LawOffice.address": "an office",
    "LegalAidWorkstation.phone": "a workstation's duty line",
    "LegalAidWorkstation.address": "a workstation",
    "ServiceCenter.address": "a service centre",
    "Dispute.mediator": "the mediator on duty, a public role",
    # names of places, organisations and things, not of people
    **{
        key: "the name of a place, organisation or thing"
        for key in (
            "Community.name",
            "Community.streetName",
            "Grid.name",
            "Service.name",
            "Service.description",
            "Organisation.name",
            "ServiceCenter.name",
            "LegalAidWorkstation.name",
            "LawOffice.name",
            "Department.name",
            "Department.shortName",
            "ClassCount.name",
        )
    },
    **{
        key: "a count or a flag"
        for key in (
            "Grid.residentCount",
            "CaseStatistics.reported",
            "PageInfo.hasNextPage",
            "PageInfo.hasPreviousPage",
        )
    },
    "FieldError.message": "our own validation message; never echoes the value",
    "CaseStep.actor": "the staff account that took a step (never a resident: see reportedBy)",
    "CaseStep.actingAs": "a department code or a role",
    "CaseAttachment.url": "a signed link for the caller only, valid for minutes",
    "CaseAttachment.stage": "上报 or 处置: the workflow stage a file came with",
    "WhistleDepartment.reportedAt": "when a department (not a person) reported in",
    # relations that lead to people: each person's fields have their rules, rows gateway.access.scope
    **{
        key: "leads to people, whose fields have their own rules; rows by gateway.access.scope"
        for key in (
            "Grid.leader",
            "Grid.residents",
            "Enrolment.resident",
            "IdentityMatch.resident",
            "Dispute.parties",
            "Query.resident",
            "Query.residents",
        )
    },
}

# Free text that people write: shown as written, but for the phones and ID numbers typed into it,
# each shown as FREE_TEXT_VIEWS says (`gateway.access.free_text`).
FREE_TEXT: dict[str, str] = {
    "UrbanCase.description": "the problem as reported, often with a contact number in it",
    "UrbanCase.address": "where the problem is, as the reporter typed it (public case boards)",
    "Dispute.description": "the dispute as recorded by the mediator",
    "Dispute.outcome": "the settlement as recorded by the mediator",
    "CaseStep.note": 'a staff note on the problem ("已电话联系"); scrubbed in the audit too',
}

# A phone or an ID number in free text may be anyone's: each role sees it as it sees that kind,
# and a resident as a neighbour's (masked), as with a platform user's phone. Never more than
# VIEWS (tested).
FREE_TEXT_VIEWS: dict[Kind, dict[Role, Access]] = {
    #                    resident grid community district urban civil legal
    Kind.PHONE: _row(M, W, M, M, W, W, W),
    Kind.ID_NUMBER: _row(L, L, M, M, M, W, W),
    Kind.NAME: _row(M, W, W, M, M, W, W),  # found where the record names its person
}

# Relations that lead to someone's records, and writes: who may follow or call them at all
# (which rows, and on whose behalf, is `gateway.access.scope`).
RELATIONS: dict[str, dict[Role, Access]] = {
    #                                   resident grid community district urban civil legal
    "Household.members": _row(W, W, W, W, D, W, D),
    # how many live there tells what the members would (one elderly member: living alone)
    "Household.size": _row(W, W, W, W, D, W, D),
    "Resident.enrolments": _row(W, W, W, W, D, W, D),
    "Resident.legalAidCases": _row(W, D, W, W, D, D, W),
    "Resident.disputes": _row(W, D, W, W, D, D, W),
    "Resident.reportedCases": _row(W, W, W, W, W, D, D),
    "UrbanCase.reporter": _row(W, W, W, W, W, D, D),
    "UrbanCase.reportedBy": _row(W, W, W, W, W, D, D),
    "LegalAidCase.applicant": _row(W, D, W, W, D, D, W),
    "DisputeParty.resident": _row(W, D, W, W, D, D, W),
    "Mutation.reportCase": _row(W, W, W, D, W, D, D),
    "Mutation.rateCase": _row(W, D, D, D, D, D, D),
    "Mutation.applyLegalAid": _row(W, D, D, D, D, D, W),
    "Mutation.enrolInService": _row(W, W, W, D, D, W, D),
    # the case workflow (`gateway.access.case_workflow` checks the case is the caller's)
    **{
        f"Mutation.{name}": _row(D, D, D, D, W, D, D)
        for name in ("acceptCase", "registerCase", "dispatchCase", "closeCase", "voidCase")
    },
    "Mutation.whistle": _row(D, D, W, D, W, D, D),
    **{
        f"Mutation.{name}": _row(D, D, D, D, D, D, D, department=W)
        for name in ("reportIn", "handleCase", "returnCase", "requestExtension")
    },
    "Mutation.verifyCase": _row(D, W, D, D, D, D, D),
}

# Values public only while their holder is on public duty: full-time grid staff (网格长,
# 专职网格员). Part-time grid workers (楼栋长, couriers, riders) are residents who volunteer:
# their name and phone are personal, listed only to roles that see that grid's people
# (`gateway.access.scope`) and masked as any name or phone.
ON_DUTY: dict[str, Kind] = {"GridWorker.name": Kind.NAME, "GridWorker.phone": Kind.PHONE}


def on_duty(key: str, root: object) -> bool:
    return bool(getattr(root, "full_time", False))


# Each registered legacy system's own rows (`gateway.systems`, its "policy" part).
SYSTEM_ROWS: list[SystemRows] = system_parts("policy")
# Fields whose row differs from their kind's view: another person's value where a role's view
# of the kind is about the caller's own (a resident sees their own phone, not a neighbour's).
FIELD_ROWS: dict[str, dict[Role, Access]] = {}
for _rows in SYSTEM_ROWS:
    PERSONAL_FIELDS.update(_rows.personal_fields)
    NOT_MASKED.update(_rows.not_masked)
    FREE_TEXT.update(_rows.free_text)
    RELATIONS.update(_rows.relations)
    FIELD_ROWS.update(_rows.field_rows)

FIELD_POLICY: dict[str, dict[Role, Access]] = {
    **{key: VIEWS[kind] for key, kind in PERSONAL_FIELDS.items()},
    **FIELD_ROWS,
    **RELATIONS,
}


# Every argument that takes a personal value, with its kind and rule (documented in the README).
PERSONAL_ARGUMENTS: dict[str, tuple[Kind, ArgumentRule]] = {
    "Query.resident.idNumber": (Kind.ID_NUMBER, ArgumentRule.LOOKUP),
    "Query.residents.filter.name": (Kind.NAME, ArgumentRule.FILTER),
    "Query.residents.filter.tag": (Kind.TAGS, ArgumentRule.FILTER),
    "Grid.residents.name": (Kind.NAME, ArgumentRule.FILTER),
    "Grid.residents.tag": (Kind.TAGS, ArgumentRule.FILTER),
    "Mutation.reportCase.input.reporterIdNumber": (Kind.ID_NUMBER, ArgumentRule.WRITE),
    "Mutation.reportCase.input.reporterPhone": (Kind.PHONE, ArgumentRule.WRITE),
    "Mutation.reportCase.input.reporterName": (Kind.NAME, ArgumentRule.WRITE),
    "Mutation.applyLegalAid.input.idNumber": (Kind.ID_NUMBER, ArgumentRule.WRITE),
    "Mutation.applyLegalAid.input.phone": (Kind.PHONE, ArgumentRule.WRITE),
    "Mutation.applyLegalAid.input.name": (Kind.NAME, ArgumentRule.WRITE),
    "Mutation.applyLegalAid.input.address": (Kind.ADDRESS, ArgumentRule.WRITE),
}

# Arguments that look personal but take none: where a problem is, what it is.
NOT_PERSONAL_ARGUMENTS: dict[str, str] = {
    "Mutation.reportCase.input.address": "where the problem is (posted on public case boards)",
    "Mutation.reportCase.input.description": "the problem; free text, checked for control characters",
    "Mutation.applyLegalAid.input.description": "sent to legal aid only; shown as LEGAL_NARRATIVE",
}

for _rows in SYSTEM_ROWS:
    PERSONAL_ARGUMENTS.update(_rows.personal_arguments)
    NOT_PERSONAL_ARGUMENTS.update(_rows.not_personal_arguments)

# Words by which a service's eligibility or purpose names a vulnerability or health condition:
# an enrolment in such a service is a tag by another name, left out where tags are masked.
VULNERABILITY_WORDS = (
    *("残疾", "残障", "独居", "孤寡", "低保", "低收入", "特困", "困难", "心理", "精神"),
    # the aids and conditions that tell a disability by another name
    *("轮椅", "助行器", "助听器", "盲人", "失明", "聋哑", "瘫痪", "失能", "失智"),
    # the same in traditional characters, as some phones and older residents type them
    *("殘疾", "殘障", "獨居", "困難", "輪椅", "助聽器", "聾啞", "癱瘓"),
)
_VULNERABILITY = re.compile("|".join(map(re.escape, VULNERABILITY_WORDS)))
# What is typed between the characters to split a word ("独 居", "残-疾", "轮*椅", a zero-width
# space) does not hide it; a sentence's own punctuation is left, so that "开心。理发" does not
# read "心理".
_BETWEEN = re.compile(rf"(?:[\s\-\u2010-\u2015\uFF0D_.\u00B7\u30FB/|*~]|{INVISIBLE})+")


def names_vulnerability(text: str) -> bool:
    # A word written whole is whole in the joined text too: one search serves both.
    return _VULNERABILITY.search(_BETWEEN.sub("", text)) is not None


def reveals_vulnerability(service: Any) -> bool:
    return _catalogue_names_vulnerability(
        f"{service.name}{service.category}{service.eligibility}{service.description}"
    )


# A service's text is the catalogue's, read for every enrolment list: remembered, not scanned.
_catalogue_names_vulnerability = functools.lru_cache(maxsize=4096)(names_vulnerability)


# Roles that see whole ID numbers must state why (a purpose header), and it is logged.
PURPOSE_REQUIRED = frozenset(
    role for role in Role if VIEWS[Kind.ID_NUMBER].get(role) is W and role is not R.RESIDENT
)


def access(role: Role, key: str, root: object = None) -> Access | None:
    """None when the field is not sensitive; DENIED for roles the row does not name."""
    duty = ON_DUTY.get(key)
    if duty is not None:
        return None if on_duty(key, root) else view(role, duty)
    rule = FIELD_POLICY.get(key)
    if rule is None:
        return None
    return rule.get(role, D)


def view(role: Role, kind: Kind) -> Access:
    return VIEWS[kind].get(role, D)


def sees_whole(role: Role, kind: Kind) -> bool:
    return view(role, kind) is W


def hidden_tag_codes(role: Role) -> frozenset[str]:
    """The person types a role's view of tags leaves out, by code: filtering by one would count
    what the view hides."""
    level = view(role, Kind.TAGS)
    if level is W:
        return frozenset()
    return frozenset(t.value for t in hidden_tags(low=level is not M))


def masked(key: str, value: Any, level: Access, root: Any = None) -> Any:
    kind = PERSONAL_FIELDS.get(key) or ON_DUTY.get(key)
    if kind is None or value is None:
        return value
    return mask(kind, value, level is Access.MASKED_LOW, root)
