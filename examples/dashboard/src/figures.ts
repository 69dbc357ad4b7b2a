/**
 * The figures leaders watch, summed over communities: counts add up, rates are weighted by what
 * they are rates of (days to close and on-time rate by closed cases, satisfaction by ratings).
 */

export interface PeriodStatistics {
  reported: number;
  closed: number;
  overdue: number;
  averageDaysToClose: number | null;
  onTimeRate: number | null;
  satisfactionRate: number | null;
  rated: number;
  byClass: { code: string; name: string; count: number }[];
}

export interface Figures {
  reported: number;
  closed: number;
  overdue: number;
  averageDaysToClose: number | null;
  onTimeRate: number | null;
  satisfactionRate: number | null;
  rated: number;
  byClass: { name: string; count: number }[];
}

/** The seeds' figures (Yuhuatai): days to close from 4.5 to 3.2, satisfaction from 92.6% to 96.7%. */
export const TARGETS = {
  daysToCloseBefore: 4.5,
  daysToClose: 3.2,
  satisfactionBefore: 0.926,
  satisfaction: 0.967,
} as const;

function weighted(parts: PeriodStatistics[], value: (s: PeriodStatistics) => number | null,
                  weight: (s: PeriodStatistics) => number): number | null {
  let total = 0;
  let weights = 0;
  for (const part of parts) {
    const v = value(part);
    const w = weight(part);
    if (v !== null && w > 0) {
      total += v * w;
      weights += w;
    }
  }
  return weights > 0 ? total / weights : null;
}

export function combine(parts: PeriodStatistics[]): Figures {
  const classes = new Map<string, { name: string; count: number }>();
  for (const part of parts) {
    for (const c of part.byClass) {
      const entry = classes.get(c.code) ?? { name: c.name, count: 0 };
      entry.count += c.count;
      classes.set(c.code, entry);
    }
  }
  const sum = (pick: (s: PeriodStatistics) => number): number =>
    parts.reduce((total, part) => total + pick(part), 0);
  return {
    reported: sum((s) => s.reported),
    closed: sum((s) => s.closed),
    overdue: sum((s) => s.overdue),
    rated: sum((s) => s.rated),
    averageDaysToClose: weighted(parts, (s) => s.averageDaysToClose, (s) => s.closed),
    onTimeRate: weighted(parts, (s) => s.onTimeRate, (s) => s.closed),
    satisfactionRate: weighted(parts, (s) => s.satisfactionRate, (s) => s.rated),
    byClass: [...classes.values()].sort((a, b) => b.count - a.count),
  };
}

export interface Month {
  label: string;
  since: string;
  until: string;
}

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

function beijingMidnight(year: number, month: number): string {
  // Date.UTC carries a month past 11 or below 0 into the next or previous year.
  const first = new Date(Date.UTC(year, month, 1));
  const mm = String(first.getUTCMonth() + 1).padStart(2, "0");
  return `${first.getUTCFullYear()}-${mm}-01T00:00:00+08:00`;
}

/** The last `count` calendar months in Beijing time, the current (partial) one last. */
export function lastMonths(now: Date, count: number): Month[] {
  const local = new Date(now.getTime() + BEIJING_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  const months: Month[] = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    const since = beijingMidnight(year, month - back);
    const until = beijingMidnight(year, month - back + 1);
    months.push({ label: since.slice(0, 7), since, until });
  }
  return months;
}

export function percent(rate: number | null): string {
  return rate === null ? "—" : `${(rate * 100).toFixed(1)}%`;
}

export function days(value: number | null): string {
  return value === null ? "—" : value.toFixed(1);
}
