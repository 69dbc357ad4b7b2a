import { ApolloLink, HttpLink } from "@apollo/client";
import { SetContextLink } from "@apollo/client/link/context";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { RetryLink } from "@apollo/client/link/retry";
import type { DocumentNode } from "graphql";

export type Mode = "plain" | "apq" | "trusted";

export interface GovgraphLinkOptions {
  url: string;
  token?: string;
  mode: Mode;
  fetch?: typeof fetch;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The hash GraphQL Code Generator's client preset embeds in each document it generates. */
function generatedHash(document: DocumentNode): string {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) {
    throw new Error("document has no generated hash: run `npm run codegen`");
  }
  return hash;
}

/**
 * One key per mutation call, kept by every retry of it, so a retried report is not filed
 * twice: govgraph answers a repeated key with the first answer. Pass `context.idempotencyKey`
 * to reuse a key across calls (after a reload, say).
 */
const idempotencyKeyLink = new SetContextLink((context, operation) => {
  const isMutation = operation.query.definitions.some(
    (d) => d.kind === "OperationDefinition" && d.operation === "mutation",
  );
  if (!isMutation) {
    return {};
  }
  const key = (context.idempotencyKey as string | undefined) ?? crypto.randomUUID();
  return {
    idempotencyKey: key,
    headers: { ...(context.headers as Record<string, string> | undefined), "Idempotency-Key": key },
  };
});

export function govgraphLink(options: GovgraphLinkOptions): ApolloLink {
  const auth = new SetContextLink((context) => ({
    headers: {
      ...(context.headers as Record<string, string> | undefined),
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    },
  }));
  // Retries only what govgraph says may be retried: transport failures and 429/503.
  const retry = new RetryLink({
    delay: { initial: 200, max: 2000, jitter: true },
    attempts: { max: 3, retryIf: (error) => isRetryable(error) },
  });
  const http = new HttpLink({ uri: options.url, fetch: options.fetch ?? fetch });
  const links: ApolloLink[] = [auth, idempotencyKeyLink, retry];
  if (options.mode === "apq") {
    links.push(new PersistedQueryLink({ sha256, useGETForHashedQueries: true }));
  } else if (options.mode === "trusted") {
    // Trusted documents: only the generated hash travels; the gateway knows the document.
    links.push(new PersistedQueryLink({ generateHash: generatedHash, retry: () => false }));
  }
  links.push(http);
  return ApolloLink.from(links);
}

function isRetryable(error: unknown): boolean {
  const status = (error as { statusCode?: number } | null)?.statusCode;
  return status === undefined || status === 429 || status === 503;
}
