// Hive Gateway serving the composed supergraph. For a fair comparison, in-flight request
// deduplication is off, inbound and outbound (the REST transport has none of its own).
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  inboundInflightRequestDeduplication: false,
  transportEntries: {
    '*.http': { options: { deduplicateInflightRequests: false } as Record<string, unknown> },
  },
});
