"""Legacy records as each system sends them, parsed once at the edge. Values stay the legacy
strings; adapters turn them into domain objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypedDict, TypeVar

T = TypeVar("T")


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
