"""The code under test: a small client of the provincial civil-affairs gateway, as a
mini-program backend would write it. Each call is a form POST of `data` (JSON), `appKey`,
`requestTime` (yyyyMMddHHmmss, Beijing time) and `sign` = MD5(appKey + secret + requestTime)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

BEIJING = timezone(timedelta(hours=8))


class CivilAffairsError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code


class CivilAffairsClient:
    def __init__(self, base_url: str, app_key: str, secret: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)
        self.app_key = app_key
        self.secret = secret

    def signed(self, data: dict[str, Any]) -> dict[str, str]:
        request_time = datetime.now(BEIJING).strftime("%Y%m%d%H%M%S")
        text = self.app_key + self.secret + request_time
        return {
            "data": json.dumps(data, ensure_ascii=False),
            "appKey": self.app_key,
            "requestTime": request_time,
            "sign": hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(),
        }

    def call(self, service: str, data: dict[str, Any]) -> tuple[Any, int]:
        response = self.http.post(f"/gateway/api/{service}", data=self.signed(data))
        response.raise_for_status()
        envelope = response.json()
        if envelope["code"] != "00":
            raise CivilAffairsError(envelope["code"], envelope["msg"])
        return envelope["data"], envelope["total"]

    def residents_of_grid(self, grid: str, page: int = 1, size: int = 20) -> tuple[list[Any], int]:
        data, total = self.call("rk.queryByWgbm", {"wgbm": grid, "pageNo": page, "pageSize": size})
        return list(data), total

    def residents_by_phone(self, phone: str) -> list[Any]:
        data, _ = self.call("rk.queryByLxdh", {"lxdh": phone})
        return list(data)
