"""What our users see when a legacy system fails: the gateway still answers what it can, and
says which part is missing and why, in a stable code."""

from __future__ import annotations

import time

GRID = "320213001001002"
DASHBOARD = """
query($grid: String!) {
  grid(code: $grid) { name residents(first: 3) { totalCount } }
}
"""


def test_civil_affairs_down_leaves_the_grid_and_names_the_gap(govgraph_gateway):
    worker = govgraph_gateway.token("grid_worker", grids=[GRID])
    with govgraph_gateway.mocks.fault("civil-affairs", outage=True):
        body = govgraph_gateway.query(DASHBOARD, {"grid": GRID}, token=worker)
    assert body["data"]["grid"]["name"]
    assert body["data"]["grid"]["residents"] is None
    assert body["errors"][0]["extensions"]["code"] == "BACKEND_UNAVAILABLE"
    assert body["errors"][0]["path"] == ["grid", "residents"]
    healed = govgraph_gateway.query(DASHBOARD, {"grid": GRID}, token=worker)
    assert healed["data"]["grid"]["residents"]["totalCount"] > 0


WORKSTATIONS = "{ legalAidWorkstations { name } }"


def _until(check, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_scheduled_legal_aid_outage_comes_and_goes(govgraph_gateway):
    """The scenario takes legal aid down at 1 s and brings it back at 2 s."""
    legal = govgraph_gateway.mocks.app("legal-aid")
    admin = govgraph_gateway.token("district_admin")
    _until(lambda: legal.faults.outage)
    down = govgraph_gateway.query(WORKSTATIONS, token=admin)
    assert down["data"]["legalAidWorkstations"] is None
    assert down["errors"][0]["extensions"]["code"] == "BACKEND_UNAVAILABLE"
    _until(lambda: not legal.faults.outage)
    up = govgraph_gateway.query(WORKSTATIONS, token=admin)
    assert "errors" not in up and up["data"]["legalAidWorkstations"]
