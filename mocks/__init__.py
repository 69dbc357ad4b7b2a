"""The three legacy systems govgraph federates, as runnable mock servers over one population.

Nothing here imports the gateway; only tests, benchmarks and `govgraph demo` import this.
"""

from .civil import create_civil_app
from .harness import Faults, Harness
from .journal import Journal, note_of
from .legal import create_legal_app
from .population import Population
from .serve import DEFAULT_PORTS, MockSet, build_mocks
from .transport import InProcessTransport
from .urban import create_urban_app

__all__ = [
    "DEFAULT_PORTS",
    "Faults",
    "Harness",
    "InProcessTransport",
    "Journal",
    "MockSet",
    "Population",
    "build_mocks",
    "create_civil_app",
    "create_legal_app",
    "create_urban_app",
    "note_of",
]
