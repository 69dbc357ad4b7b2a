"""Legacy records as each system sends them, parsed once at the edge. Values stay the legacy
strings; adapters turn them into domain objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, NotRequired, TypedDict, TypeVar

import orjson

from .calls import Answer

T = TypeVar("T")


def json_of(response: Answer) -> Any:
    """A JSON body parsed by orjson (several times faster than json on a page of records);
    a body that is not JSON (nor UTF-8) raises a ValueError, as `response.json()` does."""
    return orjson.loads(response.content)


class UrbanWorkerRecord(TypedDict):
    WGYBM: str
    XM: str
    LXDH: str
    ZW: str
    SFZZ: str


class UrbanGridRecord(TypedDict):
    WGBM: str
    WGMC: str
    WGJB: str
    SJWGBM: str
    SQBM: str
    SQMC: str
    JDBM: str
    JDMC: str
    BJ: str
    ZXX: str
    ZXY: str
    HS: str
    RKS: str
    WGYS: list[UrbanWorkerRecord]


class UrbanDepartmentRecord(TypedDict):
    BMBM: str
    BMMC: str
    BMJC: str


class UrbanCaseRecord(TypedDict):
    AJBH: str
    WGBM: str
    DLBM: str
    DLMC: str
    XLBM: str
    XLMC: str
    AJLY: str
    WTMS: str
    DZ: str
    X: str
    Y: str
    LASJ: str
    PQSJ: str
    CZSX: str
    JASJ: str
    ZT: str
    CQBZ: str
    PQCS: str
    ZRBM: str
    MYD: str
    SBRXM: str
    SBRDH: str
    SBRSFZH: str
    GXSJ: NotRequired[str]
    BBH: NotRequired[str]
    XBBM: NotRequired[str]


class UrbanStepRecord(TypedDict):
    BZ: str
    SJ: str
    CZR: str
    CZBM: str
    YJ: str


class UrbanReportInRecord(TypedDict):
    BMBM: str
    BDSJ: str


class UrbanAttachmentRecord(TypedDict):
    FJBH: str
    FJLX: str
    DX: str
    JD: str


class UrbanFlowRecord(TypedDict):
    """A case's workflow as GetCaseFlows answers it: steps, the 吹哨, attachments."""

    AJBH: str
    LSJL: list[UrbanStepRecord]
    CSSJ: str
    CSSX: str
    CSBM: list[UrbanReportInRecord]
    FJ: list[UrbanAttachmentRecord]
    YQTS: str


class UrbanCountRecord(TypedDict):
    DM: str
    MC: str
    SL: str


class UrbanStatisticsRecord(TypedDict):
    TJLX: str
    TJDX: str
    KSSJ: str
    JSSJ: str
    SBS: str
    JAS: str
    ZFS: str
    CQS: str
    ASJAS: str
    PJCZSC: str
    PJS: str
    MYS: str
    JBMYS: str
    BMYS: str
    MYL: str
    ZTTJ: list[UrbanCountRecord]
    DLTJ: list[UrbanCountRecord]


class CivilResidentRecord(TypedDict):
    rkbh: str
    xm: str
    sfzh: str
    xb: str
    csrq: str
    lxdh: str
    hjdz: str
    xzz: str
    hh: str
    yhzgx: str
    ldbm: str
    wgbm: str
    rylx: str
    dbzh: str
    cjzh: str
    mz: str


class LegalApplicationRecord(TypedDict):
    record_code: str
    apply_name: str
    sex: str
    apply_phone: str
    apply_identity_no: str
    apply_address: str
    case_area_id: str
    aid_type: str
    case_type: str
    dispute_description: str
    lawyer_office_id: str | None
    lawyer_id: str | None
    status: str
    happened_date: str
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    total: int
    items: list[T]


class CivilHouseholdRecord(TypedDict):
    hh: str
    hzxm: str
    hzrkbh: str
    ldbm: str
    wgbm: str
    dz: str
    rks: int
    cyrkbh: list[str]


class CivilBuildingRecord(TypedDict):
    ldbm: str
    ldmc: str
    wgbm: str
    wwgbm: str
    sqbm: str
    cs: int
    hs: int
    ldzxm: str
    ldzdh: str


class CivilOrganisationRecord(TypedDict):
    id: str
    name: str
    type: str
    community_code: str


class CivilServiceRecord(TypedDict):
    id: str
    organization_id: str
    name: str
    category: str
    description: str
    eligibility_description: str
    fees_description: str
    status: str


class CivilLocationRecord(TypedDict):
    id: str
    name: str
    level: str
    address: str
    latitude: float
    longitude: float
    wgbm: str
    sqbm: str
    opening_hours: str


class CivilServiceAtLocationRecord(TypedDict):
    id: str
    service_id: str
    location_id: str


class CivilEnrolmentRecord(TypedDict):
    bmid: str
    rkbh: str
    service_id: str
    location_id: str
    bmsj: str
    zt: str


class LegalPartyRecord(TypedDict):
    name: str
    identity_no: str
    phone: str
    role: str


class LegalDisputeRecord(TypedDict):
    dispute_id: str
    dispute_type: str
    case_area_id: str
    description: str
    parties: list[LegalPartyRecord]
    mediator_name: str
    status: str
    outcome: str | None
    agreement_reached: bool
    created_at: str
    closed_at: str | None


class LegalLawyerRecord(TypedDict):
    lawyer_id: str
    name: str
    lawyer_office_id: str
    license_no: str
    phone: str
    specialties: list[str]


class LegalOfficeRecord(TypedDict):
    lawyer_office_id: str
    name: str
    address: str
    phone: str


class LegalWorkstationRecord(TypedDict):
    workstation_id: str
    name: str
    case_area_id: str
    address: str
    phone: str
    duty_lawyer_id: str
