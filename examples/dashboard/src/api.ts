/** One typed GraphQL request over fetch: the generated document, a Bearer token, and the
 * gateway's partial answers (data beside errors) kept apart from failures. */
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

export interface Answer<T> {
  data: T | null;
  errors: GraphQLErrorEntry[];
}

export class GatewayError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export async function request<T, V>(
  url: string,
  token: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
): Promise<Answer<T>> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
    "X-Purpose": "leaders' dashboard",
  };
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: print(document), variables }),
    });
  } catch {
    throw new GatewayError(`无法连接网关 / cannot reach ${url}`, "NETWORK");
  }
  const body = (await response.json().catch(() => null)) as
    | { data?: T | null; errors?: GraphQLErrorEntry[] }
    | null;
  if (body === null) {
    throw new GatewayError(`网关返回 ${response.status} / the gateway answered ${response.status}`, "HTTP");
  }
  const errors = body.errors ?? [];
  if (body.data === undefined || body.data === null) {
    const first = errors[0];
    throw new GatewayError(first?.message ?? `HTTP ${response.status}`, first?.extensions?.code ?? "HTTP");
  }
  return { data: body.data, errors };
}
