"""The legal-aid system's part of a request's data: applications and mediation disputes by
number, person and community, and applying, with reconciliation."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import adapters
from gateway.backends.loaders import EachLoader
from gateway.backends.request_base import LEGAL, RECONCILE_SLACK, DataBase
from gateway.backends.wiring import adapt
from schema import NewLegalAidApplication, Rejected


class LegalData(DataBase):
    @cached_property
    def _legal_cases_loader(self) -> EachLoader[str, adapters.LegalAidCase | None]:
        return self._each(self._legal_case)

    @cached_property
    def _legal_of_person_loader(self) -> EachLoader[str, list[adapters.LegalAidCase]]:
        return self._each(self._legal_cases_of_person)

    @cached_property
    def _legal_of_area_loader(self) -> EachLoader[str, list[adapters.LegalAidCase]]:
        return self._each(self._legal_cases_of_area)

    @cached_property
    def _disputes_loader(self) -> EachLoader[str, adapters.Dispute | None]:
        return self._each(self._dispute)

    @cached_property
    def _disputes_of_person_loader(self) -> EachLoader[str, list[adapters.Dispute]]:
        return self._each(self._disputes_of_person)

    @cached_property
    def _disputes_of_area_loader(self) -> EachLoader[str, list[adapters.Dispute]]:
        return self._each(self._disputes_of_area)

    # -- legal aid and mediation -----------------------------------------------------------
    def _legal(self, operation: str, records: list[Any]) -> list[adapters.LegalAidCase]:
        return adapt(LEGAL, operation, adapters.legal_aid_case_from_legal, records)

    def _disputes_of(self, operation: str, records: list[Any]) -> list[adapters.Dispute]:
        return adapt(LEGAL, operation, adapters.dispute_from_legal, records)

    async def _legal_case(self, code: str) -> adapters.LegalAidCase | None:
        record = await self.backends.legal.application(code)
        return None if record is None else self._legal("get_applications", [record])[0]

    async def _legal_cases_of_person(self, id_number: str) -> list[adapters.LegalAidCase]:
        return self._legal(
            "list_applications", await self.backends.legal.applications_of_person(id_number)
        )

    async def _legal_cases_of_area(self, code: str) -> list[adapters.LegalAidCase]:
        return self._legal(
            "list_applications", await self.backends.legal.applications_of_community(code)
        )

    async def _dispute(self, dispute_id: str) -> adapters.Dispute | None:
        record = await self.backends.legal.dispute(dispute_id)
        return None if record is None else self._disputes_of("get_disputes", [record])[0]

    async def _disputes_of_person(self, id_number: str) -> list[adapters.Dispute]:
        return self._disputes_of(
            "list_disputes", await self.backends.legal.disputes_of_person(id_number)
        )

    async def _disputes_of_area(self, code: str) -> list[adapters.Dispute]:
        return self._disputes_of(
            "list_disputes", await self.backends.legal.disputes_of_community(code)
        )

    async def legal_aid_case(self, record_code: str) -> adapters.LegalAidCase | None:
        return await self._legal_cases_loader.load(record_code)

    async def legal_aid_cases_of_person(self, id_number: str) -> list[adapters.LegalAidCase]:
        return await self._legal_of_person_loader.load(id_number)

    async def legal_aid_cases_of_community(
        self, community_code: str
    ) -> list[adapters.LegalAidCase]:
        return await self._legal_of_area_loader.load(community_code)

    async def dispute(self, dispute_id: str) -> adapters.Dispute | None:
        return await self._disputes_loader.load(dispute_id)

    async def disputes_of_person(self, id_number: str) -> list[adapters.Dispute]:
        return await self._disputes_of_person_loader.load(id_number)

    async def disputes_of_community(self, community_code: str) -> list[adapters.Dispute]:
        return await self._disputes_of_area_loader.load(community_code)

    async def apply_legal_aid(self, application: NewLegalAidApplication) -> adapters.LegalAidCase:
        if self.reconcile_since is not None:
            since = self.reconcile_since - RECONCILE_SLACK
            for earlier in await self._legal_cases_of_person(application.id_number):
                if (
                    earlier.created_at >= since
                    and earlier.description == application.description
                    and earlier.happened_on == application.happened_on
                ):
                    return earlier
        record, problems = await self.backends.legal.apply(
            {
                "apply_name": application.name,
                "apply_identity_no": application.id_number,
                "apply_phone": application.phone,
                "apply_address": application.address,
                "case_area_id": application.community_code,
                "aid_type": application.aid_type,
                "case_type": application.case_type,
                "dispute_description": application.description,
                "happened_date": application.happened_on.isoformat(),
            }
        )
        if record is None:
            legacy, message = next(iter(problems.items()), ("input", "字段校验失败"))
            raise Rejected(LEGAL_FIELDS.get(legacy, legacy), f"法律援助系统：{message}")
        return self._legal("create_applications", [record])[0]


LEGAL_FIELDS = {
    "apply_name": "name",
    "apply_identity_no": "idNumber",
    "apply_phone": "phone",
    "apply_address": "address",
    "case_area_id": "communityCode",
    "aid_type": "aidType",
    "case_type": "caseType",
    "dispute_description": "description",
    "happened_date": "happenedOn",
}
