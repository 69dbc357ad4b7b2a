import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

// One generation for both examples: typed documents, the possibleTypes map Apollo Client
// needs for fragments on the Case and Node interfaces, and the persisted-documents file that
// govgraph loads as trusted documents (GOVGRAPH_TRUSTED_DOCUMENTS).
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["client/src/**/*.ts", "dashboard/src/**/*.ts", "!**/generated/**"],
  ignoreNoDocuments: false,
  generates: {
    "generated/": {
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { mode: "embedHashInDocument", hashPropertyName: "hash", hashAlgorithm: "sha256" },
      },
      config: { enumsAsTypes: true, useTypeImports: true, scalars: { DateTime: "string" } },
      // Apollo Client's cache needs __typename on every object (fragments on interfaces, ids).
      // With trusted documents the gateway runs the stored text, not what the client would send,
      // so the stored text must carry __typename itself.
      documentTransforms: [addTypenameSelectionDocumentTransform],
    },
    "generated/possible-types.ts": {
      plugins: ["fragment-matcher"],
      config: { module: "es2015", apolloClientVersion: 3, useExplicitTyping: true },
    },
  },
};

export default config;
