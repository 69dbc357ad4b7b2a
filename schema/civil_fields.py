"""The civil-affairs agency's part of the graph, for its own subgraph (`schema.subgraphs`): the
registry's people and their households, buildings and enrolments, a grid's residents and
service centres, and the service directory. Declared by name; the resolvers stay beside their
types. A resident is known across subgraphs by its opaque id only."""

from __future__ import annotations

SUBGRAPH = "civil"
EXTENDS: dict[str, type] = {}
OWNS = {
    "Resident": {
        "registryNumber",
        "name",
        "sex",
        "birthDate",
        "birthYear",
        "age",
        "idNumber",
        "phone",
        "address",
        "registeredAddress",
        "relationToHead",
        "tags",
        "household",
        "building",
        "enrolments",
    },
    "Grid": {"residents", "serviceCenters"},
    "Query": {"resident", "residents", "services", "serviceCenters"},
    "Mutation": {"enrolInService"},
}
