"""A govgraph client in Python with `gql`: the schema file validates each query before it is
sent, `DateTime` arrives as text, and a mutation carries an Idempotency-Key so a retry after a
lost answer files nothing twice.

    python examples/python/client.py --url http://127.0.0.1:8000/graphql --token … --grid …

Prints one JSON summary (the project's tests check it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

SCHEMA = Path(__file__).parents[2] / "schema.graphql"

GRID_CASES = gql(
    """
    query GridCases($code: String!, $first: Int!, $after: String) {
      grid(code: $code) {
        name
        cases(first: $first, after: $after) {
          totalCount
          edges { node { id number status } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
    """
)

REPORT_CASE = gql(
    """
    mutation ReportCase($input: ReportCaseInput!) {
      reportCase(input: $input) { case { number status } errors { field message } }
    }
    """
)


def transport(url: str, token: str | None, headers: dict[str, str] | None = None) -> Any:
    sent = {"Authorization": f"Bearer {token}"} if token else {}
    return HTTPXAsyncTransport(url=url, headers={**sent, **(headers or {})}, timeout=30)


async def run(url: str, token: str, grid: str, report: bool) -> dict[str, Any]:
    schema = SCHEMA.read_text(encoding="utf-8")
    summary: dict[str, Any] = {"grid": grid}
    async with Client(transport=transport(url, token), schema=schema) as session:
        numbers: list[str] = []
        after = None
        for _ in range(2):  # two pages, by the Relay cursor
            request = GraphQLRequest(
                GRID_CASES, variable_values={"code": grid, "first": 3, "after": after}
            )
            page = (await session.execute(request))["grid"]["cases"]
            numbers += [edge["node"]["number"] for edge in page["edges"]]
            after = page["pageInfo"]["endCursor"]
        summary["numbers"] = numbers
        summary["totalCount"] = page["totalCount"]
        try:
            await session.execute(gql("{ grid(code: 1) { nosuchfield } }"))
        except Exception as refused:  # validated against the schema file, never sent
            summary["refusedLocally"] = type(refused).__name__
    if report:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        variables = {
            "input": {
                "gridCode": grid,
                "subClassCode": "0102",
                "source": "MINI_PROGRAM",
                "description": "井盖松动（Python 示例）",
                "address": "示例路2号",
            }
        }
        filed = []
        for _ in range(2):  # the same key twice: one case
            async with Client(transport=transport(url, token, key), schema=schema) as session:
                try:
                    answer = await session.execute(
                        GraphQLRequest(REPORT_CASE, variable_values=variables)
                    )
                except TransportQueryError as error:
                    summary["error"] = error.errors
                    break
                filed.append(answer["reportCase"]["case"]["number"])
        summary["reported"] = filed
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--token", required=True)
    parser.add_argument("--grid", required=True)
    parser.add_argument("--report", action="store_true", help="also report a case, twice")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.token, args.grid, args.report))))


if __name__ == "__main__":
    main()
