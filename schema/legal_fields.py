"""The legal-aid agency's part of the graph, for its own subgraph (`schema.subgraphs`): the
fields on the shared types that legal aid answers. They are declared here by name, not moved:
their resolvers stay beside the types they are on, and the subgraph is cut by this list."""

from __future__ import annotations

SUBGRAPH = "legal"
EXTENDS: dict[str, type] = {}  # no fields added to the shared types from here
OWNS = {
    "Resident": {"legalAidCases", "disputes"},
    "Community": {"legalAidWorkstations"},
    "Query": {"legalAidWorkstations"},
    "Mutation": {"applyLegalAid"},
}
