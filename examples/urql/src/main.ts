/**
 * A govgraph client written with urql (@urql/core 6) and the same typed documents as the Apollo
 * example: queries by GET within the URL limit (urql's default), its document cache, a
 * subscription over plain fetch (`fetchSubscriptions`, the gateway answers with Server-Sent
 * Events), and a mutation with an Idempotency-Key per call. Prints one JSON summary that the
 * project's tests check.
 */
import { Client, cacheExchange, fetchExchange } from "@urql/core";

import { GridCaseChanges, GridCases, ReportCase } from "../../client/src/operations";

const env = process.env;
const url = env.GOVGRAPH_URL ?? "http://127.0.0.1:8000/graphql";
const grid = env.GOVGRAPH_GRID ?? "";

/** Each request as it went: its method, what it accepted and what came back. */
interface Sent {
  method: string;
  accept: string;
  contentType: string;
  status: number;
}
const sent: Sent[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  const headers = new Headers(init?.headers);
  const response = await fetch(input, init);
  sent.push({
    method: init?.method ?? "GET",
    accept: headers.get("accept") ?? "",
    contentType: response.headers.get("content-type") ?? "",
    status: response.status,
  });
  return response;
};

function client(token: string): Client {
  return new Client({
    url,
    exchanges: [cacheExchange, fetchExchange],
    fetchSubscriptions: true,
    fetch: recordingFetch,
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token}` } }),
  });
}

async function main(): Promise<void> {
  if (!grid || !env.GOVGRAPH_TOKEN || !env.GOVGRAPH_REPORTER_TOKEN) {
    throw new Error("GOVGRAPH_GRID, GOVGRAPH_TOKEN and GOVGRAPH_REPORTER_TOKEN must be set");
  }
  const staff = client(env.GOVGRAPH_TOKEN);
  const reporterToken = env.GOVGRAPH_REPORTER_TOKEN;
  const reporter = client(reporterToken);

  const first = await staff.query(GridCases, { code: grid, first: 3 }).toPromise();
  if (first.error) throw new Error(`query: ${first.error.message}`);
  const numbers = first.data?.grid?.cases?.edges.map((edge) => edge.node.number) ?? [];
  const before = sent.length;
  const again = await staff.query(GridCases, { code: grid, first: 3 }).toPromise();
  const cachedRepeatSent = sent.length - before;

  // The grid's staff follow its cases live while a resident reports one.
  const changes: { number: string; status: string }[] = [];
  const errors: string[] = [];
  const live = staff.subscription(GridCaseChanges, { grid }).subscribe((result) => {
    if (result.error) errors.push(result.error.message);
    const change = result.data?.casesInGrid;
    if (change) changes.push({ number: change.number, status: change.status });
  });
  await new Promise((wake) => setTimeout(wake, 500));

  const input = {
    gridCode: grid,
    subClassCode: "0102",
    source: "MINI_PROGRAM" as const,
    description: "楼道堆放杂物（urql 示例）",
    address: "示例路2号",
  };
  // A retry after a lost answer: the same key, so the case is filed once.
  const keyed = {
    fetchOptions: {
      headers: { Authorization: `Bearer ${reporterToken}`, "Idempotency-Key": crypto.randomUUID() },
    },
  };
  const once = await reporter.mutation(ReportCase, { input }, keyed).toPromise();
  const twice = await reporter.mutation(ReportCase, { input }, keyed).toPromise();
  const number = once.data?.reportCase?.case?.number ?? "";

  const deadline = Date.now() + 10_000;
  while (!changes.some((change) => change.number === number) && Date.now() < deadline) {
    await new Promise((wake) => setTimeout(wake, 100));
  }
  live.unsubscribe();

  console.log(
    JSON.stringify({
      numbers,
      totalCount: first.data?.grid?.cases?.totalCount ?? 0,
      repeatedSame: JSON.stringify(again.data) === JSON.stringify(first.data),
      cachedRepeatSent,
      reported: [number, twice.data?.reportCase?.case?.number ?? ""],
      mutationErrors: [once.error?.message ?? null, twice.error?.message ?? null],
      heardLive: changes.find((change) => change.number === number) ?? null,
      subscriptionErrors: errors,
      sent,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
