"""Who is calling: bearer JWTs (HS256 with a shared secret, RS256/ES256 with keys from a JWKS
file), checked for issuer, audience and expiry. No token means the public role."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import jwt
from cachetools import LRUCache

from adapters.normalise import ascii_digits
from connectors.errors import AuthError


class Role(Enum):
    PUBLIC = "public"
    RESIDENT = "resident"
    GRID_WORKER = "grid_worker"
    COMMUNITY_ADMIN = "community_admin"
    DISTRICT_ADMIN = "district_admin"
    URBAN_MANAGEMENT = "urban_management"
    CIVIL_AFFAIRS = "civil_affairs"
    LEGAL_AID = "legal_aid"
    DEPARTMENT = "department"  # staff of one 职能部门, handling its cases
    AUDITOR = "auditor"


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    subject: str = ""
    grids: frozenset[str] = field(default_factory=frozenset)
    communities: frozenset[str] = field(default_factory=frozenset)
    registry_number: str | None = None
    id_number: str | None = None
    client: str = ""
    department: str | None = None
    expires_at: float = 0.0  # the token's exp; 0 for the public role

    @classmethod
    def public(cls, client: str = "") -> Principal:
        return cls(Role.PUBLIC, client=client)


class Authenticator:
    """Verifies tokens; raises AuthError with a message that names the problem, never the token."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        hs256_secret: str | None = None,
        jwks_path: str | None = None,
        leeway_s: float = 30.0,
        verified_cache_size: int = 4096,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.issuer = issuer
        self.audience = audience
        self.secret = hs256_secret
        self.leeway_s = leeway_s
        self.jwks: jwt.PyJWKSet | None = None
        # Verified claims by the token's digest (the token itself is not kept): a client sends
        # the same token with every request, and checking its signature again each time was a
        # tenth of a small request's CPU. Expiry is still checked on every use.
        self._verified: LRUCache[bytes, dict[str, Any]] = LRUCache(maxsize=verified_cache_size)
        if jwks_path:
            self.jwks = jwt.PyJWKSet.from_dict(
                json.loads(Path(jwks_path).read_text(encoding="utf-8"))
            )

    def authenticate(self, authorization: str | None, client: str = "") -> Principal:
        if not authorization:
            return Principal.public(client)
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("Authorization 应为 Bearer 令牌 / expected a Bearer token")
        claims = self._verified_claims(token.strip())
        return principal_from_claims(claims, client)

    def _verified_claims(self, token: str) -> dict[str, Any]:
        digest = hashlib.sha256(token.encode()).digest()
        claims = self._verified.get(digest)
        if claims is None:
            claims = self._verify(token)
            self._verified[digest] = claims
        elif float(claims["exp"]) + self.leeway_s <= self.clock():
            del self._verified[digest]
            raise AuthError("令牌已过期 / token expired")
        return claims

    def _verify(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            if algorithm == "HS256" and self.secret:
                key: Any = self.secret
            elif algorithm in ("RS256", "ES256") and self.jwks is not None:
                key = self._jwk(header.get("kid"))
            else:
                raise AuthError("不支持的签名算法 / unsupported signing algorithm")
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iss", "aud", "sub", "role"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("令牌已过期 / token expired") from None
        except jwt.InvalidAudienceError:
            raise AuthError("令牌受众不符 / wrong audience") from None
        except jwt.InvalidIssuerError:
            raise AuthError("令牌签发者不符 / wrong issuer") from None
        except jwt.MissingRequiredClaimError as error:
            raise AuthError(f"令牌缺少声明 {error.claim} / missing claim {error.claim}") from None
        except jwt.PyJWTError:
            raise AuthError("令牌无效 / invalid token") from None
        return claims

    def _jwk(self, kid: object) -> Any:
        assert self.jwks is not None  # noqa: S101
        for key in self.jwks.keys:
            if kid is None or key.key_id == kid:
                return key.key
        raise AuthError("未知的签名密钥 / unknown signing key")


def _department(value: object) -> str | None:
    if value is None:
        return None
    if not (isinstance(value, str) and len(value) == 4 and value.isascii() and value.isalnum()):
        raise AuthError("声明 department 无效 / invalid claim department")
    return value


def principal_from_claims(claims: dict[str, Any], client: str = "") -> Principal:
    try:
        role = Role(claims["role"])
    except (KeyError, ValueError):
        raise AuthError("未知角色 / unknown role") from None

    def codes(name: str, digits: int) -> frozenset[str]:
        value = claims.get(name, [])
        if not isinstance(value, list) or not all(
            isinstance(v, str) and len(v) == digits and ascii_digits(v) for v in value
        ):
            raise AuthError(f"声明 {name} 无效 / invalid claim {name}")
        return frozenset(value)

    principal = Principal(
        role=role,
        subject=str(claims["sub"]),
        grids=codes("grids", 15),
        communities=codes("communities", 12),
        registry_number=claims.get("registry_number")
        if isinstance(claims.get("registry_number"), str)
        else None,
        id_number=claims.get("id_number") if isinstance(claims.get("id_number"), str) else None,
        client=str(claims.get("azp") or client),
        department=_department(claims.get("department")),
        expires_at=float(claims.get("exp") or 0),
    )
    if role is Role.DEPARTMENT and principal.department is None:
        raise AuthError("部门令牌须含部门编码 / a department's token must carry its department")
    if role is Role.GRID_WORKER and not principal.grids:
        raise AuthError("网格员令牌须列出网格 / a grid worker's token must list grids")
    if role is Role.COMMUNITY_ADMIN and not principal.communities:
        raise AuthError(
            "社区管理员令牌须列出社区 / a community admin's token must list communities"
        )
    if role is Role.RESIDENT and not (principal.registry_number and principal.id_number):
        raise AuthError(
            "居民令牌须含人口编号和身份证号 / a resident's token must carry both numbers"
        )
    return principal


def mint_token(
    secret: str,
    *,
    issuer: str,
    audience: str,
    role: Role,
    subject: str,
    grids: list[str] | None = None,
    communities: list[str] | None = None,
    registry_number: str | None = None,
    id_number: str | None = None,
    department: str | None = None,
    lifetime_s: int = 3600,
    now: float | None = None,
) -> str:
    """A development token (HS256). Refused in production by the caller."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "role": role.value,
        "iat": issued,
        "exp": issued + lifetime_s,
        "grids": grids or [],
        "communities": communities or [],
    }
    if registry_number:
        claims["registry_number"] = registry_number
    if id_number:
        claims["id_number"] = id_number
    if department:
        claims["department"] = department
    return jwt.encode(claims, secret, algorithm="HS256")
