"""A client of the gateway: the scenario's resident reports a case from the mini program."""

from __future__ import annotations

REPORT = """
mutation Report($input: ReportCaseInput!) {
  reportCase(input: $input) { errors { field message } case { number status } }
}
"""


def test_a_resident_reports_a_case(govgraph_gateway):
    alice = govgraph_gateway.mocks.person("alice")
    token = govgraph_gateway.token_for_resident(alice)
    body = govgraph_gateway.query(
        REPORT,
        {
            "input": {
                "gridCode": alice.grid.code,
                "subClassCode": "1101",
                "source": "MINI_PROGRAM",
                "description": "小区门口垃圾堆了三天",
                "address": "北苑路1号",
                "reporterPhone": alice.phone,
                "reporterIdNumber": alice.id_number,
            }
        },
        token=token,
    )
    report = body["data"]["reportCase"]
    assert report["errors"] == []
    assert report["case"]["status"] == "RECEIVED"
    sent = govgraph_gateway.mocks.calls_to("urban-management", "ReportCase")
    assert len(sent) == 1 and sent[0]["status"] == 200
    assert alice.id_number not in sent[0]["body"]
    assert alice.grid.code in sent[0]["body"]
    mine = govgraph_gateway.query(
        "query($id: String!) { resident(idNumber: $id) { reportedCases { number } } }",
        {"id": alice.id_number},
        token=token,
    )
    numbers = [c["number"] for c in mine["data"]["resident"]["reportedCases"]]
    assert report["case"]["number"] in numbers


def test_the_scenarios_open_case_is_the_residents(govgraph_gateway):
    grandpa = govgraph_gateway.mocks.person("grandpa")
    token = govgraph_gateway.token_for_resident(grandpa)
    mine = govgraph_gateway.query(
        "query($id: String!) { resident(idNumber: $id) { reportedCases { number status } } }",
        {"id": grandpa.id_number},
        token=token,
    )
    cases = {c["number"]: c["status"] for c in mine["data"]["resident"]["reportedCases"]}
    (number,) = govgraph_gateway.mocks.applied.cases["grandpa"]
    assert cases[number] == "RECEIVED"
