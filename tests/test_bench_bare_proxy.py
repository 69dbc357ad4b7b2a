"""The bare Python proxy the peer comparison runs as a floor: it must make the peer query's one
call and answer its application, or the floor it shows would not be the same work."""

from __future__ import annotations

from pathlib import Path

import httpx

from bench.bare_proxy import running_bare_proxy
from bench.harness import UNLIMITED, journals
from bench.peer_stack import application_code, legal_bearer
from bench.processes import running_stack


def test_the_bare_proxy_answers_the_application_with_one_call_each(tmp_path: Path) -> None:
    with running_stack(tmp_path, scale="tiny", legal_rps=UNLIMITED) as stack:
        legal = stack.mock_urls["legal"]
        bearer = legal_bearer(legal)
        code = application_code(legal, bearer)
        own = httpx.get(
            f"{legal}/api/v1/applications/{code}",
            headers={"Authorization": f"Bearer {bearer}"},
            timeout=10,
        ).json()
        with running_bare_proxy(legal, bearer, code) as (url, _):
            before = journals(stack)
            with httpx.Client(timeout=10) as client:
                answers = [client.post(url, json={"query": "{ case }"}) for _ in range(3)]
            after = journals(stack)
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    case = answers[-1].json()["data"]["case"]
    assert case == {
        "number": code,
        "status": own.get("status"),
        "aidType": own["aid_type"],
        "caseType": own["case_type"],
    }
    assert {name: after[name] - before[name] for name in after if after[name] != before[name]} == {
        "legal": 3
    }
