// Composes Federation v2 subgraph SDLs with both composers the ecosystem uses, Apollo's
// (@apollo/composition) and The Guild's (@theguild/federation-composition, which Hive Gateway
// and Mesh use), and prints one JSON object: each composer's errors, hints and supergraph.
//
//   node compose.mjs name=path/to/subgraph.graphql[=url] ...
import { readFileSync } from "node:fs";

import { composeServices as composeWithApollo } from "@apollo/composition";
import { composeServices as composeWithGuild } from "@theguild/federation-composition";
import { parse } from "graphql";

const services = process.argv.slice(2).map((argument) => {
  const [name, path, url] = argument.split("=");
  return {
    name,
    url: url ?? `http://${name}.subgraph.invalid/graphql`,
    typeDefs: parse(readFileSync(path, "utf8")),
  };
});

function outcome(result) {
  return {
    errors: (result.errors ?? []).map((error) => error.message),
    hints: (result.hints ?? []).map((hint) => hint.toString()),
    supergraph: result.supergraphSdl ?? null,
  };
}

console.log(
  JSON.stringify({
    apollo: outcome(composeWithApollo(services)),
    guild: outcome(composeWithGuild(services)),
  }),
);
