"""Pictures and voice with a case, by the GraphQL multipart request: a JPEG with GPS EXIF is
stored without it; oversized, mistyped, truncated and bomb-like files are refused with their
codes and nothing is stored; the attachment link refuses another caller and expires."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from PIL import Image, ImageCms

from gateway.access.auth import Role
from gateway.http.app import create_app
from gateway.http.media import MediaLimits, checked
from gateway.settings import Settings
from mocks import InProcessTransport, build_mocks
from tests.conftest import AS_OF, frozen_population
from tests.gateway.conftest import token

GPS_IFD = 0x8825
MAKE = 0x010F
REPORT = """mutation($grid: String!, $files: [Upload!]) { reportCase(input: {gridCode: $grid,
    subClassCode: "0102", source: MINI_PROGRAM, description: "楼道堆放杂物", address: "北苑路1号",
    attachments: $files}) { errors { field message } case { number
    attachments { kind mediaType size stage url } } } }"""
LIMITS = {
    "upload_max_picture_bytes": 200_000,
    "upload_max_voice_bytes": 100_000,
    "upload_max_pixels": 1_000_000,
    "attachment_link_ttl_s": 300.0,
}


def jpeg_with_gps(form: str = "JPEG") -> bytes:
    image = Image.new("RGB", (96, 64), (180, 40, 40))
    exif = Image.Exif()
    exif[MAKE] = "HUAWEI"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (31.0, 34.0, 12.5), 3: "E", 4: (120.0, 18.0, 3.25)})
    out = io.BytesIO()
    image.save(out, form, exif=exif.tobytes())
    return out.getvalue()


def png_bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (2000, 2000)).save(out, "PNG")  # 4 million pixels in a few kilobytes
    return out.getvalue()


def mp3_with_tags() -> bytes:
    title = b"TIT2" + (12).to_bytes(4, "big") + b"\x00\x00\x00" + b"my address"[:11].ljust(11)
    header = b"ID3\x04\x00\x00" + bytes([0, 0, 0, len(title)])
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413  # MPEG-1 layer III, 128 kbit/s
    return header + title + frame * 3 + b"TAG" + b"\x00" * 125


class Clock:
    def __init__(self) -> None:
        self.now = AS_OF

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def stack() -> AsyncIterator[tuple[httpx.AsyncClient, Any, Clock]]:
    mocks = build_mocks(frozen_population(), legal_rps=10_000)
    transports = {name: InProcessTransport(app) for name, app in mocks.apps().items()}
    clock = Clock()
    app = create_app(Settings().with_values({"audit_path": "", **LIMITS}), transports, clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://gw"
    ) as client:
        yield client, mocks, clock
    await app.state.backends.aclose()


def upload(
    client: httpx.AsyncClient,
    bearer: str,
    variables: dict[str, Any],
    files: list[tuple[str, bytes, str]],
    field: str = "files",
) -> Any:
    operations = {"query": REPORT, "variables": {**variables, field: [None] * len(files)}}
    mapping = {str(i): [f"variables.{field}.{i}"] for i in range(len(files))}
    return client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files=[
            (str(i), (name, content, claimed)) for i, (name, content, claimed) in enumerate(files)
        ],
        headers={
            "Authorization": f"Bearer {bearer}",
            "Apollo-Require-Preflight": "true",
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )


@pytest.mark.parametrize("form", ["JPEG", "HEIF"])  # HEIC, as iPhones take them: kept as JPEG
async def test_a_picture_is_stored_without_where_it_was_taken(stack: Any, form: str) -> None:
    client, mocks, clock = stack
    person = mocks.population.person(1234)
    resident = token(
        Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
    )
    original = jpeg_with_gps(form)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # it does carry GPS
    response = await upload(
        client, resident, {"grid": person.grid.code}, [("IMG_0001.jpg", original, "image/jpeg")]
    )
    assert response.status_code == 200, response.text
    case = response.json()["data"]["reportCase"]["case"]
    [attachment] = case["attachments"]
    assert (attachment["kind"], attachment["mediaType"], attachment["stage"]) == (
        "picture",
        "image/jpeg",
        "上报",
    )

    fetched = await client.get(attachment["url"], headers={"Authorization": f"Bearer {resident}"})
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/jpeg"
    assert fetched.headers["x-content-type-options"] == "nosniff"
    stored = Image.open(io.BytesIO(fetched.content))
    assert stored.size == (96, 64)
    assert dict(stored.getexif()) == {} and not stored.getexif().get_ifd(GPS_IFD)
    assert b"HUAWEI" not in fetched.content and b"Exif" not in fetched.content
    assert len(fetched.content) == attachment["size"]

    # Another caller's token, even one that may see the case, is refused; so is a forged link.
    admin = token(Role.COMMUNITY_ADMIN, communities=[person.grid.community.code])
    other = await client.get(attachment["url"], headers={"Authorization": f"Bearer {admin}"})
    assert (other.status_code, other.json()["errors"][0]["extensions"]["code"]) == (
        403,
        "FORBIDDEN",
    )
    forged = attachment["url"][:-3] + ("AAA" if not attachment["url"].endswith("AAA") else "BBB")
    assert (await client.get(forged)).status_code == 403
    assert (await client.get(attachment["url"])).status_code == 200  # a link is its capability
    clock.now = AS_OF + timedelta(seconds=301)
    expired = await client.get(attachment["url"], headers={"Authorization": f"Bearer {resident}"})
    assert (expired.status_code, expired.json()["errors"][0]["extensions"]["code"]) == (
        410,
        "LINK_EXPIRED",
    )


@pytest.mark.parametrize(
    ("name", "content", "claimed", "status", "code"),
    [
        ("big.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 250_000, "image/jpeg", 413, "UPLOAD_TOO_LARGE"),
        ("photo.jpg", b"PK\x03\x04" + b"\x00" * 2_000, "image/jpeg", 415, "UPLOAD_TYPE_REFUSED"),
        ("a.jpg", jpeg_with_gps()[:400], "image/jpeg", 400, "UPLOAD_UNREADABLE"),
        ("bomb.png", png_bomb(), "image/png", 413, "UPLOAD_TOO_LARGE"),
        ("x.exe", b"MZ\x90\x00" + b"\x00" * 100, "image/png", 415, "UPLOAD_TYPE_REFUSED"),
    ],
)
async def test_bad_files_are_refused_and_nothing_is_stored(
    stack: Any, name: str, content: bytes, claimed: str, status: int, code: str
) -> None:
    client, mocks, _ = stack
    person = mocks.population.person(1234)
    resident = token(
        Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
    )
    good = ("ok.jpg", jpeg_with_gps(), "image/jpeg")
    response = await upload(
        client, resident, {"grid": person.grid.code}, [good, (name, content, claimed)]
    )
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert mocks.population.writes.cases_by_number == {}  # the good file did not go alone
    assert "ReportCase" not in mocks.apps()["urban"].journal.by_operation


async def test_uploads_need_a_preflight_header_a_token_and_few_files(stack: Any) -> None:
    client, mocks, _ = stack
    person = mocks.population.person(1234)
    resident = token(
        Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
    )
    files = {"0": ("a.jpg", jpeg_with_gps(), "image/jpeg")}
    form = {
        "operations": json.dumps({"query": REPORT, "variables": {"grid": "1", "files": [None]}}),
        "map": json.dumps({"0": ["variables.files.0"]}),
    }
    no_preflight = await client.post(
        "/graphql", data=form, files=files, headers={"Authorization": f"Bearer {resident}"}
    )
    assert no_preflight.json()["errors"][0]["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
    anonymous = await client.post(
        "/graphql", data=form, files=files, headers={"Apollo-Require-Preflight": "true"}
    )
    assert anonymous.status_code == 401
    many = await upload(
        client, resident, {"grid": person.grid.code}, [("a.jpg", jpeg_with_gps(), "image/jpeg")] * 5
    )
    assert many.json()["errors"][0]["extensions"]["code"] == "UPLOAD_TOO_MANY"
    # Nested past what JSON reads, or past any input: refused, not a crash.
    for operations in (
        '{"query": "q", "variables": {"a": ' + "[" * 5000 + "]" * 5000 + "}}",
        json.dumps({"query": REPORT, "variables": {"grid": "1", "a": _nested(100)}}),
    ):
        deep = await client.post(
            "/graphql",
            data={**form, "operations": operations},
            files=files,
            headers={"Authorization": f"Bearer {resident}", "Apollo-Require-Preflight": "1"},
        )
        assert deep.status_code == 400, deep.text
        assert deep.json()["errors"][0]["extensions"]["code"] in (
            "UPLOAD_INVALID",
            "BAD_REQUEST_JSON",
        )
    # A file may only take the place of a null under variables: not the query, not a value.
    for path in ("query", "variables.grid"):
        escape = await client.post(
            "/graphql",
            data={**form, "map": json.dumps({"0": [path]})},
            files=files,
            headers={
                "Authorization": f"Bearer {resident}",
                "Apollo-Require-Preflight": "1",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        assert escape.json()["errors"][0]["extensions"]["code"] == "UPLOAD_INVALID"


async def test_a_department_attaches_a_recording_without_its_tags(stack: Any) -> None:
    client, mocks, _ = stack
    person = mocks.population.person(1234)
    resident = token(
        Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
    )
    reported = await client.post(
        "/graphql",
        json={"query": REPORT, "variables": {"grid": person.grid.code}},
        headers={"Authorization": f"Bearer {resident}", "Idempotency-Key": uuid.uuid4().hex},
    )
    number = reported.json()["data"]["reportCase"]["case"]["number"]
    dispatcher = {"Authorization": f"Bearer {token(Role.URBAN_MANAGEMENT)}"}
    for step in ("acceptCase", "registerCase"):
        await client.post(
            "/graphql",
            json={
                "query": 'mutation { %s(input: {caseNumber: "%s"}) { errors { field } } }'
                % (step, number)
            },
            headers={**dispatcher, "Idempotency-Key": uuid.uuid4().hex},
        )
    await client.post(
        "/graphql",
        json={
            "query": 'mutation { dispatchCase(input: {caseNumber: "%s", department: "BM09"}) { errors { field } } }'
            % number
        },
        headers={**dispatcher, "Idempotency-Key": uuid.uuid4().hex},
    )
    department = token(Role.DEPARTMENT, department="BM09")
    handle = """mutation($n: String!, $files: [Upload!]) { handleCase(input: {caseNumber: $n,
        result: "已清运", attachments: $files}) { errors { field } case { statusLabel
        attachments { kind mediaType url } } } }"""
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps(
                {"query": handle, "variables": {"n": number, "files": [None]}}
            ),
            "map": json.dumps({"0": ["variables.files.0"]}),
        },
        files=[("0", ("voice.mp3", mp3_with_tags(), "audio/mpeg"))],
        headers={
            "Authorization": f"Bearer {department}",
            "Apollo-Require-Preflight": "1",
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )
    handled = response.json()["data"]["handleCase"]["case"]
    assert handled["statusLabel"] == "核查"
    [voice] = [a for a in handled["attachments"] if a["kind"] == "voice"]
    fetched = await client.get(voice["url"], headers={"Authorization": f"Bearer {department}"})
    assert fetched.content.startswith(b"\xff\xfb") and b"TAG" not in fetched.content[-128:]
    assert b"my address" not in fetched.content


def _nested(depth: int) -> object:
    value: object = None
    for _ in range(depth):
        value = [value]
    return value


def test_a_pictures_comment_and_colour_profile_are_not_kept() -> None:
    """Pillow writes a JPEG's comment, and a PNG's colour profile, from the picture it was given
    unless told otherwise; either can carry any text."""
    limits = MediaLimits(picture_bytes=200_000, voice_bytes=100_000, pixels=1_000_000)
    red = Image.new("RGB", (40, 30), (200, 10, 10))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    commented = io.BytesIO()
    red.save(commented, "JPEG", comment=b"owner 13812345678", icc_profile=srgb, quality=95)
    profiled = io.BytesIO()
    red.save(profiled, "PNG", icc_profile=srgb + b"13812345678")
    for original in (commented.getvalue(), profiled.getvalue()):
        carried = Image.open(io.BytesIO(original)).info  # a PNG's profile is compressed
        assert b"13812345678" in original + carried.get("icc_profile", b"")
        stored = checked(original, limits).content
        assert b"13812345678" not in stored
        picture = Image.open(io.BytesIO(stored))
        assert not {"comment", "icc_profile", "exif", "xmp"} & set(picture.info)
        pixel = picture.convert("RGB").getpixel((5, 5))
        assert isinstance(pixel, tuple)
        assert all(abs(a - b) <= 3 for a, b in zip(pixel, (200, 10, 10), strict=True))


async def test_fetching_an_attachment_takes_from_the_link_holders_allowance() -> None:
    """Every fetch calls the urban-management system and writes a line on the trail."""
    mocks = build_mocks(frozen_population(), legal_rps=10_000)
    transports = {name: InProcessTransport(app) for name, app in mocks.apps().items()}
    settings = Settings().with_values(
        {"audit_path": "", **LIMITS, "rate_user_requests_per_minute": 4}
    )
    app = create_app(settings, transports, clock=Clock())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as gw:
        person = mocks.population.person(1234)
        resident = token(
            Role.RESIDENT, registry_number=person.registry_number, id_number=person.id_number
        )
        picture = [("IMG_0002.jpg", jpeg_with_gps(), "image/jpeg")]
        reported = await upload(gw, resident, {"grid": person.grid.code}, picture)
        [attachment] = reported.json()["data"]["reportCase"]["case"]["attachments"]
        fetches = [await gw.get(attachment["url"]) for _ in range(5)]
        assert [f.status_code for f in fetches] == [200, 200, 200, 200, 429]
        assert 1 <= int(fetches[-1].headers["Retry-After"]) <= 121
        assert fetches[-1].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    await app.state.backends.aclose()
