"""The GraphQL multipart request (jaydenseric's spec, as Apollo's upload link and urql send it):
`operations` (one operation's JSON with null where files go), `map` (file field → variable
paths) and the files. A multipart form is a request any page may send without a preflight, so
it is taken only with a header that forces one (CSRF). Each file is checked (`media`) before the
operation runs, so a bad one refuses the whole request and nothing is half-stored."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from gateway.http.media import MediaLimits, checked
from gateway.http.requests import (
    PREFLIGHT_HEADERS,
    Operation,
    RequestRefused,
    media_type,
    operation_of,
    refuse_malformed,
)
from gateway.settings import Settings

FORM_FIELDS = 2  # operations and map


def is_multipart(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return request.method == "POST" and media_type(content_type) == "multipart/form-data"


def upload_body_cap(settings: Settings) -> int:
    largest = max(settings.upload_max_picture_bytes, settings.upload_max_voice_bytes)
    return settings.upload_max_files * largest + settings.max_body_bytes


def _invalid(message: str) -> RequestRefused:
    return RequestRefused(400, "UPLOAD_INVALID", message)


def require_preflight(request: Request) -> None:
    if not any(request.headers.get(h.decode()) for h in PREFLIGHT_HEADERS):
        raise RequestRefused(
            400,
            "CSRF_PREFLIGHT_REQUIRED",
            "上传须带 Apollo-Require-Preflight 或 X-GovGraph-Preflight 头 / "
            "an upload needs a preflight header",
        )


async def read_multipart(request: Request, settings: Settings) -> Operation:
    require_preflight(request)
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise RequestRefused(
            411, "LENGTH_REQUIRED", "上传须声明长度 / an upload needs Content-Length"
        )
    if int(declared) > upload_body_cap(settings):
        raise RequestRefused(413, "PAYLOAD_TOO_LARGE", "上传内容过大 / the upload is too large")
    try:
        form = await request.form(
            max_files=settings.upload_max_files,
            max_fields=FORM_FIELDS,
            max_part_size=settings.max_body_bytes,
        )
    except (MultiPartException, HTTPException) as error:
        # Starlette reports its caps as an HTTPException carrying the parser's message.
        if "files" in str(getattr(error, "detail", error)).lower():
            raise RequestRefused(
                400,
                "UPLOAD_TOO_MANY",
                f"每次最多上传{settings.upload_max_files}个文件 / "
                f"at most {settings.upload_max_files} files",
            ) from None
        raise _invalid("multipart 格式错误 / a malformed multipart body") from None
    try:
        try:
            operations = json.loads(str(form.get("operations") or ""))
            mapping = json.loads(str(form.get("map") or ""))
        except (ValueError, RecursionError):
            raise _invalid(
                "operations 和 map 须为 JSON / operations and map must be JSON"
            ) from None
        if not isinstance(operations, dict):
            raise _invalid("上传只支持单个操作 / one operation per upload")
        if not isinstance(mapping, dict) or not all(
            isinstance(paths, list) and all(isinstance(p, str) for p in paths)
            for paths in mapping.values()
        ):
            raise _invalid("map 应为文件到变量路径的映射 / map names variable paths for each file")
        refuse_malformed(operations)
        limits = MediaLimits(
            settings.upload_max_picture_bytes,
            settings.upload_max_voice_bytes,
            settings.upload_max_pixels,
        )
        for field, paths in mapping.items():
            upload = form.get(field)
            if not isinstance(upload, UploadFile):
                raise _invalid(f"map 中的 {field[:20]} 没有对应文件 / a mapped file is missing")
            content = await upload.read()
            file = await asyncio.to_thread(checked, content, limits)
            for path in paths:
                _place(operations, path, file)
    finally:
        await form.close()
    return operation_of(operations)


def _place(operations: dict[str, Any], path: str, file: object) -> None:
    """Put the file where the path says, a null the client left for it under `variables`."""
    steps = path.split(".")
    if steps[0] != "variables" or len(steps) < 2:
        raise _invalid("文件只能放入 variables / files go into variables")
    holder: Any = operations
    for step in steps[:-1]:
        holder = _step(holder, step)
    last = steps[-1]
    if isinstance(holder, dict) and last in holder and holder[last] is None:
        holder[last] = file
    elif isinstance(holder, list) and last.isdigit() and int(last) < len(holder):
        if holder[int(last)] is not None:
            raise _invalid("文件位置应为 null / a file's place must be null")
        holder[int(last)] = file
    else:
        raise _invalid(f"map 的路径 {path[:60]} 不存在 / no such variable path")


def _step(holder: Any, step: str) -> Any:
    if isinstance(holder, dict) and step in holder:
        return holder[step]
    if isinstance(holder, list) and step.isdigit() and int(step) < len(holder):
        return holder[int(step)]
    raise _invalid("map 的路径不存在 / no such variable path")
