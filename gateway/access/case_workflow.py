"""Who may take which step on a case, on whose behalf, and the record of it.

- `urban_management` dispatches: accepts, registers, dispatches, whistles, closes and voids;
- `community_admin` whistles (吹哨) for cases in its communities;
- `department` handles its own department's cases (and those it was whistled to), reports
  in, sends a case back and asks for more time;
- `grid_worker` verifies cases in its grids.

Which roles may take a step at all is the policy table's `Mutation.*` rows (checked here too);
here, besides, whether the case is theirs. A case the caller may not see is "not found", as
for a read. Each step goes on the audit record with the case, the step and the reason given.
"""

from __future__ import annotations

import adapters
from gateway.access.attachment_links import link_key, sign
from gateway.access.auth import Role
from gateway.access.policy import Access, access
from gateway.access.redact import scrub
from gateway.access.scope import ScopedReads
from gateway.backends.data import RequestData
from gateway.backends.workflow_data import STEP_NAMES
from schema import CaseAction, Rejected

NOTE_MAX_CHARS = 200
FOLLOW_ALL = frozenset({Role.URBAN_MANAGEMENT, Role.DISTRICT_ADMIN})


class CaseWorkflow(ScopedReads):
    def attachment_url(self, number: str, attachment_id: str) -> str:
        """Only reached through a case this caller may see (`UrbanCase.attachments`)."""
        expires = int(self.now().timestamp() + self.settings.attachment_link_ttl_s)
        return sign(
            link_key(self.settings.audit_hmac_key), number, attachment_id, self.principal, expires
        )

    def may_follow_grid(self, grid_code: str) -> bool:
        """Live updates of a grid's cases: whoever sees that grid's cases."""
        if self.principal.role in FOLLOW_ALL:
            return True
        return self.principal.role in (
            Role.GRID_WORKER,
            Role.COMMUNITY_ADMIN,
        ) and self._grid_people(grid_code)

    def may_follow_department(self, code: str) -> bool:
        p = self.principal
        return p.role in FOLLOW_ALL or (p.role is Role.DEPARTMENT and p.department == code)

    def _acting_unit(self) -> str:
        p = self.principal
        return p.department if p.role is Role.DEPARTMENT and p.department else p.role.value

    async def act_on_case(self, action: CaseAction) -> adapters.UrbanCase:  # type: ignore[override]
        p = self.principal
        # The policy table's row for the step's mutation (AcceptCase: Mutation.acceptCase) is
        # the one list of who takes it; this holds it for callers that bypass the schema.
        mutation = f"Mutation.{action.operation[0].lower()}{action.operation[1:]}"
        if access(p.role, mutation) is not Access.WHOLE:
            raise Rejected("caseNumber", "您的角色不能办理此步骤 / not a step your role takes")
        if await self.urban_case(action.number) is None:
            raise Rejected("caseNumber", "案件不存在 / no such case")
        case = await RequestData.act_on_case(
            self, action, operator=p.subject, unit=self._acting_unit()
        )
        if self.record is not None:
            self.record.actions.append(
                {
                    "case": action.number,
                    "step": STEP_NAMES[action.operation],
                    "reason": scrub(action.note or "")[:NOTE_MAX_CHARS],
                    "stage": case.status_label,
                }
            )
        await self.backends.case_changed(case)
        return case
