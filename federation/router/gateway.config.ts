// Hive Gateway in front of govgraph's subgraphs. Each subgraph enforces access itself, so the
// caller's token, stated purpose and request id go to every subgraph of a request, and the
// Idempotency-Key to the one that writes, and the trace context. Nothing else is forwarded.
// A purpose in Chinese should come percent-encoded (HTTP headers are Latin-1); one sent as raw
// UTF-8 bytes reaches Node as Latin-1 text, and is passed on percent-encoded, as it was meant.
import { defineConfig } from '@graphql-hive/gateway';

const FORWARDED = [
  'authorization',
  'x-purpose',
  'x-request-id',
  'idempotency-key',
  // W3C trace context: the subgraphs' spans join the caller's trace
  'traceparent',
  'tracestate',
];

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const headers: Record<string, string> = {};
      for (const name of FORWARDED) {
        const value = request.headers.get(name);
        if (value) {
          headers[name] = /^[\x20-\x7e]*$/.test(value)
            ? value
            : encodeURIComponent(Buffer.from(value, 'latin1').toString('utf8'));
        }
      }
      return headers;
    },
  },
});
