"""Our civil-affairs client against the mock gateway: it signs, pages and is refused as the real
gateway would refuse it."""

from __future__ import annotations

import pytest
from civil_client import CivilAffairsClient, CivilAffairsError


@pytest.fixture
def client(govgraph_mock_servers):
    credentials = govgraph_mock_servers.credentials("civil-affairs")
    return CivilAffairsClient(
        govgraph_mock_servers.url("civil-affairs"), credentials["appKey"], credentials["secret"]
    )


def test_a_signed_client_pages_through_a_grid(client, govgraph_mock_servers):
    first, total = client.residents_of_grid("320213001001002", page=1, size=20)
    second, _ = client.residents_of_grid("320213001001002", page=2, size=20)
    assert total > 20 and len(first) == 20
    assert not {r["rkbh"] for r in first} & {r["rkbh"] for r in second}
    calls = govgraph_mock_servers.calls_to("civil-affairs", "rk.queryByWgbm")
    assert [c["status"] for c in calls] == [200, 200]
    assert not govgraph_mock_servers.violations("civil-affairs")
    assert '"pageNo": 2' in calls[-1]["body"]


def test_a_phone_look_up_finds_the_scenarios_resident(client, govgraph_mock_servers):
    alice = govgraph_mock_servers.person("alice")
    found = client.residents_by_phone(alice.phone)
    assert alice.registry_number in {r["rkbh"] for r in found}
    sent = govgraph_mock_servers.calls_to("civil-affairs", "rk.queryByLxdh")[-1]["body"]
    assert alice.phone not in sent  # the journal masks personal values


def test_a_wrong_secret_is_refused_and_the_journal_says_why(govgraph_mock_servers):
    forged = CivilAffairsClient(
        govgraph_mock_servers.url("civil-affairs"), "govgraph-demo", "not-the-secret"
    )
    with pytest.raises(CivilAffairsError) as refused:
        forged.residents_of_grid("320213001001002")
    assert refused.value.code == "99"
    last = govgraph_mock_servers.calls_to("civil-affairs")[-1]
    assert last["violation"]["reason"] == "bad-signature"


def test_a_field_the_contract_lacks_is_refused(client, govgraph_mock_servers):
    with pytest.raises(CivilAffairsError) as refused:
        client.call("rk.queryByWgbm", {"wgbm": "320213001001002", "orderBy": "xm"})
    assert refused.value.code == "96"
    assert govgraph_mock_servers.violations("civil-affairs") == {"unknown-field": 1}
