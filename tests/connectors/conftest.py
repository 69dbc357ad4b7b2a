from pathlib import Path

import pytest

HERE = Path(__file__).parent

# The connectors' socket transport is their own (connectors/transport.py), under httpx: respx
# intercepts at the client's choice of transport rather than inside httpcore.
RESPX_AT_THE_CLIENT = pytest.mark.respx(using="httpx")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE) and "respx_mock" in getattr(item, "fixturenames", ()):
            item.add_marker(RESPX_AT_THE_CLIENT)
