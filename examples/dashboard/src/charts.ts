/** The dashboard's charts as ECharts options, built from figures alone (no DOM here). Only the
 * parts of ECharts in use are bundled; the SVG renderer keeps text sharp when printed. */
import { BarChart, LineChart, PieChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

import { type Figures, TARGETS } from "./figures";

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  SVGRenderer,
]);

export { echarts };
export type Option = echarts.EChartsCoreOption;

const RED = "#c23531";
const BLUE = "#2f4554";
const round = (value: number | null, digits: number): number | null =>
  value === null ? null : Number(value.toFixed(digits));

export function monthlyCounts(labels: string[], months: Figures[]): Option {
  return {
    title: { text: "上报与结案 / reported and closed per month", left: "center" },
    tooltip: { trigger: "axis" },
    legend: { top: 34, data: ["上报 reported", "结案 closed"] },
    grid: { top: 72, left: 48, right: 16, bottom: 32 },
    xAxis: { type: "category", data: labels },
    yAxis: { type: "value" },
    series: [
      { name: "上报 reported", type: "bar", data: months.map((m) => m.reported), itemStyle: { color: BLUE } },
      { name: "结案 closed", type: "bar", data: months.map((m) => m.closed), itemStyle: { color: RED } },
    ],
  };
}

export function daysToClose(labels: string[], months: Figures[]): Option {
  return {
    title: { text: "平均办结天数 / days to close", left: "center" },
    tooltip: { trigger: "axis" },
    grid: { top: 48, left: 48, right: 96, bottom: 32 },
    xAxis: { type: "category", data: labels },
    yAxis: { type: "value", min: 0, max: (extent: { max: number }) => Math.max(5, Math.ceil(extent.max)) },
    series: [
      {
        name: "天 days",
        type: "line",
        data: months.map((m) => round(m.averageDaysToClose, 2)),
        itemStyle: { color: BLUE },
        markLine: {
          symbol: "none",
          data: [
            { yAxis: TARGETS.daysToCloseBefore, name: "改革前", label: { formatter: "改革前 4.5" } },
            { yAxis: TARGETS.daysToClose, name: "目标", label: { formatter: "目标 3.2" } },
          ],
        },
      },
    ],
  };
}

export function rates(labels: string[], months: Figures[]): Option {
  const pct = (rate: number | null): number | null => round(rate === null ? null : rate * 100, 1);
  return {
    title: { text: "按期结案率与满意率 / on time and satisfied (%)", left: "center" },
    tooltip: { trigger: "axis" },
    legend: { top: 34, data: ["按期 on time", "满意 satisfied"] },
    grid: { top: 72, left: 48, right: 96, bottom: 32 },
    xAxis: { type: "category", data: labels },
    yAxis: { type: "value", min: 50, max: 100 },
    series: [
      { name: "按期 on time", type: "line", data: months.map((m) => pct(m.onTimeRate)), itemStyle: { color: BLUE } },
      {
        name: "满意 satisfied",
        type: "line",
        data: months.map((m) => pct(m.satisfactionRate)),
        itemStyle: { color: RED },
        markLine: {
          symbol: "none",
          data: [
            { yAxis: TARGETS.satisfactionBefore * 100, label: { formatter: "改革前 92.6" } },
            { yAxis: TARGETS.satisfaction * 100, label: { formatter: "目标 96.7" } },
          ],
        },
      },
    ],
  };
}

export function byClass(total: Figures): Option {
  return {
    title: { text: "案件大类 / cases by class", left: "center" },
    tooltip: { trigger: "item" },
    series: [
      {
        name: "大类 class",
        type: "pie",
        radius: ["35%", "65%"],
        top: 32,
        data: total.byClass.map((c) => ({ name: c.name, value: c.count })),
      },
    ],
  };
}

export function overdueByDepartment(departments: { name: string; overdue: number }[]): Option {
  const sorted = [...departments].sort((a, b) => a.overdue - b.overdue);
  return {
    title: { text: "超期案件（按部门） / overdue cases per department", left: "center" },
    tooltip: { trigger: "axis" },
    grid: { top: 48, left: 96, right: 24, bottom: 32 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: sorted.map((d) => d.name) },
    series: [{ name: "超期 overdue", type: "bar", data: sorted.map((d) => d.overdue), itemStyle: { color: RED } }],
  };
}
