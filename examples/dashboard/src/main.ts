/**
 * The leaders' dashboard: a year of a district's or a community's figures from govgraph, drawn
 * with Apache ECharts. Served by `govgraph demo` at /dashboard/ (same origin), or from any other
 * origin the gateway allows: `?gateway=http://127.0.0.1:8000/graphql`.
 */
import { GatewayError, request } from "./api";
import * as charts from "./charts";
import { combine, days, type Figures, lastMonths, type PeriodStatistics, percent } from "./figures";
import { CommunityStatistics, DepartmentStatistics } from "./operations";

const TOKEN_KEY = "govgraph.dashboard.token";
const MONTHS = 12;

interface Community {
  code: string;
  name: string;
  statistics: PeriodStatistics | null;
}

interface DashboardState {
  state: "idle" | "loading" | "ready" | "error";
  scope: string;
  labels: string[];
  periods: { since: string; until: string }[];
  monthly: Figures[];
  total: Figures | null;
  departments: { name: string; overdue: number }[];
  hidden: string[];
  options: Record<string, charts.Option>;
  error?: string;
}

declare global {
  interface Window {
    govgraphDashboard: DashboardState;
  }
}

const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
};

const gateway = new URLSearchParams(location.search).get("gateway")
  ?? new URL("/graphql", location.href).toString();
const view: DashboardState = {
  state: "idle", scope: "", labels: [], periods: [], monthly: [], total: null, departments: [], hidden: [], options: {},
};
window.govgraphDashboard = view;
const drawn = new Map<string, ReturnType<typeof charts.echarts.init>>();

function setState(state: DashboardState["state"], message: string): void {
  view.state = state;
  document.body.dataset.state = state;
  element("status").textContent = message;
}

function draw(id: string, option: charts.Option): void {
  view.options[id] = option;
  let chart = drawn.get(id);
  if (!chart) {
    chart = charts.echarts.init(element(id), undefined, { renderer: "svg" });
    drawn.set(id, chart);
  }
  chart.setOption(option, true);
}

function showFigures(total: Figures): void {
  const shown: Record<string, string> = {
    reported: total.reported.toLocaleString("zh-CN"),
    closed: total.closed.toLocaleString("zh-CN"),
    overdue: total.overdue.toLocaleString("zh-CN"),
    averageDaysToClose: days(total.averageDaysToClose),
    onTimeRate: percent(total.onTimeRate),
    satisfactionRate: percent(total.satisfactionRate),
  };
  for (const [name, text] of Object.entries(shown)) {
    const tile = document.querySelector<HTMLElement>(`[data-figure="${name}"] .value`);
    if (tile) tile.textContent = text;
  }
}

function fillScopes(communities: Community[]): void {
  const select = element<HTMLSelectElement>("scope");
  if (select.options.length > 1) return;
  for (const c of communities) {
    if (c.statistics !== null) select.add(new Option(c.name, c.code));
  }
  select.value = view.scope;
}

async function load(token: string): Promise<void> {
  setState("loading", "正在加载… / loading…");
  const months = lastMonths(new Date(), MONTHS);
  const first = months[0];
  const last = months[months.length - 1];
  if (!first || !last) return;
  try {
    const [answers, departments] = await Promise.all([
      Promise.all(months.map((m) => request(gateway, token, CommunityStatistics, { since: m.since, until: m.until }))),
      request(gateway, token, DepartmentStatistics, { since: first.since, until: last.until })
        .catch((error: unknown) => (error instanceof GatewayError && error.code === "FORBIDDEN" ? null : Promise.reject(error))),
    ]);
    const perMonth = answers.map((a) => (a.data?.communities ?? []) as Community[]);
    const chosen = (list: Community[]): PeriodStatistics[] =>
      list.filter((c) => c.statistics !== null && (view.scope === "" || c.code === view.scope))
        .map((c) => c.statistics as PeriodStatistics);
    view.hidden = (perMonth[0] ?? []).filter((c) => c.statistics === null).map((c) => c.name);
    view.labels = months.map((m) => m.label);
    view.periods = months.map(({ since, until }) => ({ since, until }));
    view.monthly = perMonth.map((list) => combine(chosen(list)));
    view.total = combine(perMonth.flatMap(chosen));
    view.departments = (departments?.data?.departments ?? [])
      .filter((d) => d.statistics !== null && d.statistics !== undefined)
      .map((d) => ({ name: d.shortName, overdue: d.statistics?.overdue ?? 0 }));
    fillScopes(perMonth[0] ?? []);
    if (view.hidden.length === (perMonth[0] ?? []).length) {
      throw new GatewayError("此角色无权查看统计 / this token may not see any statistics", "FORBIDDEN");
    }
    showFigures(view.total);
    draw("chart-monthly", charts.monthlyCounts(view.labels, view.monthly));
    draw("chart-days", charts.daysToClose(view.labels, view.monthly));
    draw("chart-rates", charts.rates(view.labels, view.monthly));
    draw("chart-classes", charts.byClass(view.total));
    draw("chart-departments", charts.overdueByDepartment(view.departments));
    const note = view.hidden.length ? `；${view.hidden.length} 个社区无权查看 / not visible: ${view.hidden.join("、")}` : "";
    setState("ready", `${view.labels[0]} – ${view.labels[view.labels.length - 1]}${note}`);
  } catch (error: unknown) {
    view.error = error instanceof GatewayError ? error.code : "UNKNOWN";
    setState("error", error instanceof Error ? error.message : String(error));
  }
}

function start(): void {
  const form = element<HTMLFormElement>("login");
  const input = element<HTMLTextAreaElement>("token");
  const select = element<HTMLSelectElement>("scope");
  input.value = sessionStorage.getItem(TOKEN_KEY) ?? "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = input.value.trim().replace(/^Bearer\s+/i, "");
    sessionStorage.setItem(TOKEN_KEY, token);
    void load(token);
  });
  select.addEventListener("change", () => {
    view.scope = select.value;
    void load(sessionStorage.getItem(TOKEN_KEY) ?? "");
  });
  window.addEventListener("resize", () => drawn.forEach((chart) => chart.resize()));
  element("gateway").textContent = gateway;
  if (input.value) {
    void load(input.value);
  } else {
    setState("idle", "请粘贴令牌后加载 / paste a token (govgraph demo prints some) and load");
  }
}

start();
