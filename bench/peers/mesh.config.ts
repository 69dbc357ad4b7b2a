// GraphQL Mesh composing the legal-aid mock's OpenAPI document: the peer the benchmark compares
// govgraph with. LEGAL_URL is the running mock; the caller's Authorization is passed through.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const legal = process.env.LEGAL_URL ?? 'http://127.0.0.1:8103';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('LegalAid', {
        source: `${legal}/openapi.json`,
        endpoint: legal,
        operationHeaders: { Authorization: '{context.headers.authorization}' },
      }),
    },
  ],
});
