// Percentile summaries and the direct-vs-gateway comparisons every figure is reported as.
import { build, type Histogram } from 'hdr-histogram-js';

/** Latencies are recorded in whole microseconds; 3 significant digits is 0.1% resolution. */
export function newLatencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function summarize(h: Histogram): LatencySummary {
  const us = (p: number) => (h.totalCount === 0 ? 0 : round3(h.getValueAtPercentile(p) / 1000));
  return {
    count: h.totalCount,
    meanMs: h.totalCount === 0 ? 0 : round3(h.mean / 1000),
    p50Ms: us(50),
    p90Ms: us(90),
    p99Ms: us(99),
    p999Ms: us(99.9),
    maxMs: round3(h.maxValue / 1000),
  };
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** gateway / direct, or null when the direct figure is 0 (no meaningful ratio). */
export function ratio(gateway: number, direct: number): number | null {
  if (direct === 0 || !Number.isFinite(direct) || !Number.isFinite(gateway)) return null;
  return round3(gateway / direct);
}

/** Milliseconds the gateway adds over the direct baseline (may be negative within noise). */
export function addedMs(gatewayMs: number, directMs: number): number {
  return round3(gatewayMs - directMs);
}

export { round3 };
