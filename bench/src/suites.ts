// The figures: G1 (added latency at c=1), G3 (throughput vs direct at c=1..64), G2 (max fixed
// arrival rate whose added p99 stays within budget). Direct and gateway phases alternate inside
// each run so slow drift on the machine hits both sides alike; each figure is the median of the
// per-run values.
import { runClosedLoop, runOpenLoop, type PhaseResult, type Target } from './load.ts';
import { addedMs, median, ratio } from './stats.ts';

export type Log = (line: string) => void;

export interface SideFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ConcurrencyFigures {
  concurrency: number;
  direct: SideFigures;
  gateway: SideFigures;
  /** gateway req/s ÷ direct req/s (median of per-run ratios). */
  rpsRatio: number | null;
  /** gateway p99 ÷ direct p99 (median of per-run ratios). */
  p99Ratio: number | null;
  addedP50Ms: number;
  addedP99Ms: number;
  errors: { direct: number; gateway: number };
  runs: { direct: PhaseResult; gateway: PhaseResult }[];
}

function side(results: PhaseResult[]): SideFigures {
  return {
    rps: median(results.map((r) => r.rps)),
    p50Ms: median(results.map((r) => r.latency.p50Ms)),
    p99Ms: median(results.map((r) => r.latency.p99Ms)),
  };
}

function medianOrNull(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : median(present);
}

export function concurrencyFigures(concurrency: number, runs: { direct: PhaseResult; gateway: PhaseResult }[]): ConcurrencyFigures {
  return {
    concurrency,
    direct: side(runs.map((r) => r.direct)),
    gateway: side(runs.map((r) => r.gateway)),
    rpsRatio: medianOrNull(runs.map((r) => ratio(r.gateway.rps, r.direct.rps))),
    p99Ratio: medianOrNull(runs.map((r) => ratio(r.gateway.latency.p99Ms, r.direct.latency.p99Ms))),
    addedP50Ms: median(runs.map((r) => addedMs(r.gateway.latency.p50Ms, r.direct.latency.p50Ms))),
    addedP99Ms: median(runs.map((r) => addedMs(r.gateway.latency.p99Ms, r.direct.latency.p99Ms))),
    errors: {
      direct: runs.reduce((n, r) => n + r.direct.errors, 0),
      gateway: runs.reduce((n, r) => n + r.gateway.errors, 0),
    },
    runs,
  };
}

function describe(r: PhaseResult): string {
  const err = r.errors + r.dropped > 0 ? ` errors=${r.errors} dropped=${r.dropped} ${r.errorSamples.join('; ')}` : '';
  return `${r.target.padEnd(7)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.latency.p50Ms.toFixed(3)} ms  p99 ${r.latency.p99Ms.toFixed(3)} ms${err}`;
}

export interface ClosedSuiteOptions {
  concurrencies: number[];
  runs: number;
  durationMs: number;
  warmupMs: number;
}

export async function closedLoopSuite(direct: Target, gateway: Target, body: string, opts: ClosedSuiteOptions, log: Log): Promise<ConcurrencyFigures[]> {
  const collected = new Map<number, { direct: PhaseResult; gateway: PhaseResult }[]>();
  for (let run = 1; run <= opts.runs; run++) {
    for (const concurrency of opts.concurrencies) {
      const phase = { concurrency, durationMs: opts.durationMs, warmupMs: opts.warmupMs };
      const d = await runClosedLoop(direct, body, phase);
      const g = await runClosedLoop(gateway, body, phase);
      log(`  run ${run} c=${String(concurrency).padEnd(3)} ${describe(d)}`);
      log(`  run ${run} c=${String(concurrency).padEnd(3)} ${describe(g)}`);
      const list = collected.get(concurrency) ?? [];
      list.push({ direct: d, gateway: g });
      collected.set(concurrency, list);
    }
  }
  return opts.concurrencies.map((c) => concurrencyFigures(c, collected.get(c) ?? []));
}

export interface RatePoint {
  rate: number;
  direct: PhaseResult;
  gateway: PhaseResult;
  addedP99Ms: number;
  /** The direct baseline kept up with p99 within mock latency + 10 ms (otherwise the harness or the machine, not the gateway, is the limit). */
  directHealthy: boolean;
  pass: boolean;
}

export interface RateSweep {
  mockLatencyMs: number;
  maxAddedP99Ms: number;
  points: RatePoint[];
  /** Highest rate that passed in the sweep; null if none did. */
  maxRate: number | null;
  /** Whether a majority of `runs` repeats at maxRate passed too. */
  confirmed: boolean;
  confirmation: { rate: number; runs: RatePoint[]; medianAddedP99Ms: number; pass: boolean } | null;
  /** What stopped the sweep. */
  limitedBy: 'gateway' | 'harness' | 'rates-exhausted';
}

export interface RateSuiteOptions {
  rates: number[];
  runs: number;
  durationMs: number;
  warmupMs: number;
  mockLatencyMs: number;
  maxAddedP99Ms: number;
}

// A side keeps up when it delivers what was asked: ≥ 97% of the rate, no errors, no drops.
function keepsUp(r: PhaseResult, rate: number): boolean {
  return r.errors === 0 && r.dropped === 0 && r.rps >= 0.97 * rate;
}

/** Slack over the mock latency the direct p99 may show before the baseline itself is called noisy. */
export const DIRECT_P99_SLACK_MS = 10;

async function ratePoint(direct: Target, gateway: Target, body: string, rate: number, opts: RateSuiteOptions, log: Log): Promise<RatePoint> {
  const phase = { rate, durationMs: opts.durationMs, warmupMs: opts.warmupMs };
  const d = await runOpenLoop(direct, body, phase);
  const g = await runOpenLoop(gateway, body, phase);
  const added = addedMs(g.latency.p99Ms, d.latency.p99Ms);
  // A direct p99 far above the mock latency means the machine (load generator, mock, other work)
  // cannot hold this rate; comparing the gateway against that baseline would say nothing.
  const directHealthy = keepsUp(d, rate) && d.latency.p99Ms <= opts.mockLatencyMs + DIRECT_P99_SLACK_MS;
  const pass = directHealthy && keepsUp(g, rate) && added <= opts.maxAddedP99Ms;
  log(`  rate ${String(rate).padStart(5)}/s ${describe(d)}`);
  log(`  rate ${String(rate).padStart(5)}/s ${describe(g)}  added p99 ${added.toFixed(3)} ms ${pass ? 'PASS' : 'FAIL'}`);
  return { rate, direct: d, gateway: g, addedP99Ms: added, directHealthy, pass };
}

/** Ascending sweep; stops at the first failing rate, tries one rate halfway, then confirms the best. */
export async function rateSweep(direct: Target, gateway: Target, body: string, opts: RateSuiteOptions, log: Log): Promise<RateSweep> {
  const points: RatePoint[] = [];
  let best: number | null = null;
  let limitedBy: RateSweep['limitedBy'] = 'rates-exhausted';
  let failedAt: number | null = null;
  for (const rate of opts.rates) {
    const p = await ratePoint(direct, gateway, body, rate, opts, log);
    points.push(p);
    if (p.pass) {
      best = rate;
      continue;
    }
    limitedBy = p.directHealthy ? 'gateway' : 'harness';
    failedAt = rate;
    break;
  }
  // One bisection step between the last pass and the first failure narrows the answer cheaply.
  if (limitedBy === 'gateway' && failedAt !== null) {
    const low = best ?? 0;
    const mid = Math.round((low + failedAt) / 2 / 50) * 50;
    if (mid > low && mid < failedAt) {
      const p = await ratePoint(direct, gateway, body, mid, opts, log);
      points.push(p);
      if (p.pass) best = mid;
    }
  }
  let confirmation: RateSweep['confirmation'] = null;
  if (best !== null && opts.runs > 1) {
    const first = points.find((p) => p.rate === best) as RatePoint;
    const runs = [first];
    for (let i = 1; i < opts.runs; i++) runs.push(await ratePoint(direct, gateway, body, best, opts, log));
    const medianAddedP99Ms = median(runs.map((r) => r.addedP99Ms));
    const pass = runs.filter((r) => r.pass).length * 2 > runs.length;
    confirmation = { rate: best, runs, medianAddedP99Ms, pass };
  }
  const confirmed = best !== null && (confirmation === null || confirmation.pass);
  return { mockLatencyMs: opts.mockLatencyMs, maxAddedP99Ms: opts.maxAddedP99Ms, points, maxRate: best, confirmed, confirmation, limitedBy };
}
