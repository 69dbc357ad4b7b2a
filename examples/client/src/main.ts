/**
 * A govgraph client as a frontend developer writes one: Apollo Client 4, typed documents from
 * GraphQL Code Generator, possibleTypes generated from the schema, persisted queries and an
 * Idempotency-Key per mutation. Run against `govgraph demo` (see examples/README.md); prints
 * one JSON summary that the project's tests check.
 */
import { ApolloClient, InMemoryCache } from "@apollo/client";
import { loadDevMessages, loadErrorMessages } from "@apollo/client/dev";
import { relayStylePagination } from "@apollo/client/utilities";

import possibleTypes from "../../generated/possible-types";
import { CaseByNode, GridCaseChanges, GridCases, ReportCase } from "./operations";
import { govgraphLink, type Mode } from "./links";

loadDevMessages();
loadErrorMessages();

const env = process.env;
const url = env.GOVGRAPH_URL ?? "http://127.0.0.1:8000/graphql";
const mode = (env.GOVGRAPH_MODE ?? "apq") as Mode;
const grid = required("GOVGRAPH_GRID");

function required(name: string): string {
  const value = env[name];
  if (!value) {
    throw new Error(`${name} is not set (see examples/README.md)`);
  }
  return value;
}

/** What went over the wire: each request's operation, whether it carried the document or
 * only its hash, and whether the gateway answered PERSISTED_QUERY_NOT_FOUND. */
interface Sent {
  operation: string;
  method: string;
  document: boolean;
  notFound: boolean;
}
const sent: Sent[] = [];
const countingFetch: typeof fetch = async (input, init) => {
  const target = new URL(typeof input === "string" ? input : input.toString());
  const method = init?.method ?? "GET";
  const body = (typeof init?.body === "string" ? JSON.parse(init.body) : null) as {
    operationName?: string;
    query?: string;
  } | null;
  const operation = body?.operationName ?? target.searchParams.get("operationName") ?? "?";
  const document = Boolean(body?.query ?? target.searchParams.get("query"));
  const response = await fetch(input, init);
  // A subscription's answer is a stream that lasts: not read here.
  const streamed = response.headers.get("content-type")?.startsWith("multipart/mixed") ?? false;
  const text = streamed ? "" : await response.clone().text();
  sent.push({ operation, method, document, notFound: text.includes("PERSISTED_QUERY_NOT_FOUND") });
  return response;
};

function client(token: string | undefined): ApolloClient {
  return new ApolloClient({
    link: govgraphLink({ url, token, mode, fetch: countingFetch }),
    cache: new InMemoryCache({
      possibleTypes: possibleTypes.possibleTypes,
      typePolicies: { Grid: { fields: { cases: relayStylePagination() } } },
    }),
  });
}

async function main(): Promise<void> {
  const staff = client(env.GOVGRAPH_TOKEN);
  const first = await staff.query({ query: GridCases, variables: { code: grid, first: 2 } });
  const page = first.data?.grid?.cases;
  if (!page) throw new Error(`grid ${grid}: no cases visible with this token`);
  // The next page through fetchMore; relayStylePagination merges it into one list.
  const watched = staff.watchQuery({ query: GridCases, variables: { code: grid, first: 2 } });
  const subscription = watched.subscribe(() => undefined);
  const more = await watched.fetchMore({ variables: { after: page.pageInfo.endCursor } });
  const merged = staff.readQuery({ query: GridCases, variables: { code: grid, first: 2 } });
  subscription.unsubscribe();
  const firstNode = page.edges[0]?.node;
  if (!firstNode) throw new Error(`grid ${grid} has no cases`);
  // The same case through node(id) and a fragment on the Case interface.
  const byNode = await staff.query({ query: CaseByNode, variables: { id: firstNode.id } });
  const node = byNode.data?.node;
  const fragmentNumber = node && "number" in node ? node.number : null;
  // Asked again: answered by the cache, nothing sent.
  const before = sent.length;
  await staff.query({ query: CaseByNode, variables: { id: firstNode.id } });
  const cachedRepeatSent = sent.length - before;

  const summary: Record<string, unknown> = {
    mode,
    grid,
    totalCount: page.totalCount,
    firstPage: page.edges.map((edge) => edge.node.number),
    secondPage: more.data?.grid?.cases?.edges.map((edge) => edge.node.number) ?? [],
    merged: merged?.grid?.cases?.edges.map((edge) => edge.node.number) ?? [],
    fragmentNumber,
    expectedNumber: firstNode.number,
    cachedRepeatSent,
  };

  if (env.GOVGRAPH_REPORTER_TOKEN) {
    const reporter = client(env.GOVGRAPH_REPORTER_TOKEN);
    const input = {
      gridCode: grid,
      subClassCode: "0102",
      source: "MINI_PROGRAM" as const,
      description: "楼道堆放杂物（示例客户端）",
      address: "示例路1号",
    };
    const idempotencyKey = crypto.randomUUID();
    // The grid's staff follow its cases live while the resident reports one.
    const heard = heardOf(staff);
    await heard.ready;
    // A retry after a lost answer: the same key, so the case is filed once.
    const once = await reporter.mutate({ mutation: ReportCase, variables: { input }, context: { idempotencyKey } });
    const again = await reporter.mutate({ mutation: ReportCase, variables: { input }, context: { idempotencyKey } });
    summary.reported = [once.data?.reportCase?.case?.number, again.data?.reportCase?.case?.number];
    summary.heardLive = await heard.first(once.data?.reportCase?.case?.number ?? "");
  }
  summary.sent = sent;
  console.log(JSON.stringify(summary));
}

/** A subscription to the grid's case changes; `first(number)` is the first change heard of
 * that case (number and status), or null after ten seconds. */
function heardOf(staff: ApolloClient): { ready: Promise<void>; first: (number: string) => Promise<unknown> } {
  const changes: { number: string; status: string }[] = [];
  const waiting: (() => void)[] = [];
  let opened: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const subscription = staff.subscribe({ query: GridCaseChanges, variables: { grid } }).subscribe({
    next: (result) => {
      const change = result.data?.casesInGrid;
      if (change) changes.push({ number: change.number, status: change.status });
      waiting.splice(0).forEach((wake) => wake());
    },
    error: (error: unknown) => {
      console.error("subscription:", error instanceof Error ? error.message : error);
    },
  });
  // The gateway opens a multipart stream with a heartbeat; give the request time to be taken.
  setTimeout(opened, 500);
  const first = async (number: string): Promise<unknown> => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const found = changes.find((change) => change.number === number);
      if (found) {
        subscription.unsubscribe();
        return found;
      }
      await new Promise<void>((wake) => {
        waiting.push(wake);
        setTimeout(wake, 200);
      });
    }
    subscription.unsubscribe();
    return null;
  };
  return { ready, first };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
