"""The people a page of cases names, identified as soon as the page is known.

Who a case's reporter, an application's applicant or a dispute's party is takes a look-up at
the civil-affairs registry. Asked by each item's resolver, those look-ups left only once the
executor had walked the whole page (a hundred cases: their fields, and three resolvers each),
so that walk lay on the request's path between two levels of calls. Started here, where the
page is known, they are on their way while the page is walked, and the resolvers join them.
Only relations the operation asks for are looked up; which of them the caller may follow is the
data source's to decide, as for the resolvers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import strawberry

from .cases import Case, Dispute, LegalAidCase, UrbanCase
from .context import Named
from .lookahead import asks_for, type_names
from .relay import Connection, connection

URBAN, LEGAL, DISPUTE = type_names(UrbanCase), type_names(LegalAidCase), type_names(Dispute)
NODES = ("edges", "node")
# The relations that lead from a case to a person (the policy's keys for them).
REPORTER, APPLICANT, PARTY = "UrbanCase.reporter", "LegalAidCase.applicant", "DisputeParty.resident"
RELATIONS = (REPORTER, APPLICANT, PARTY)
C = TypeVar("C", bound=Case)


async def cases_connection(
    info: strawberry.Info, shown: Sequence[C], offset: int, total: int
) -> Connection[C]:
    """A page of cases, its people's look-ups under way before it is walked."""
    if shown:
        named = people_asked_for(info, shown)
        if named:
            await info.context.data.identify_ahead(named)
    return connection(shown, offset, total)


def people_asked_for(info: strawberry.Info, shown: Sequence[Case]) -> list[Named]:
    """(relation, ID number, phone) of each person on the page whose relation is asked for."""
    selected = info.selected_fields
    urban = [c.raw for c in shown if isinstance(c, UrbanCase)]
    legal = [c.raw for c in shown if isinstance(c, LegalAidCase)]
    disputes = [c.raw for c in shown if isinstance(c, Dispute)]
    named: list[Named] = []
    if urban and asks_for(selected, (*NODES, ("reporter", URBAN))):
        named += [
            (REPORTER, r.id_number, r.phone) for r in (c.reporter for c in urban) if r is not None
        ]
    if legal and asks_for(selected, (*NODES, ("applicant", LEGAL))):
        named += [(APPLICANT, c.applicant_id_number, c.applicant_phone) for c in legal]
    if disputes and asks_for(selected, (*NODES, ("parties", DISPUTE), "resident")):
        named += [(PARTY, p.id_number, p.phone) for c in disputes for p in c.parties]
    return named
