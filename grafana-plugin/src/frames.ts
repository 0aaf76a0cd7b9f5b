// Pure conversion from the analytics hourly rollup (one row per hour, gateway, provider, model) to
// Grafana data frames: one time series per value of the group-by dimension, on one shared hourly
// time axis, with hours that have no row filled in (0, or no value for a ratio). Nothing here
// touches the network or Grafana's runtime, so it is tested on its own (frames.test.ts).
import { createDataFrame, DataFrame, FieldType } from '@grafana/data';

import { metricDefinition, MetricDefinition } from './metrics';
import { GroupBy, HourlyResponse, HourlyRow, Measure, MetricId } from './types';

export const HOUR_MS = 3_600_000;

/**
 * Filling stops past this many hours (a little over the analytics service's 400-day query limit),
 * so a pathological range cannot allocate unbounded arrays; rows are then plotted as they come.
 */
export const MAX_FILLED_HOURS = 401 * 24;

/** Series name for rows whose group-by dimension is the empty string (e.g. an unknown model). */
export const EMPTY_GROUP_NAME = '(empty)';

const MEASURES: readonly Measure[] = [
  'requests',
  'errors',
  'input_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cost_usd',
  'unpriced_requests',
];
const DIMENSIONS = ['hour', 'gateway', 'provider', 'model'] as const;

/** The analytics service answered something that is not the documented rollup shape. */
export class RollupFormatError extends Error {
  readonly code = 'SWY_PLUGIN_BAD_RESPONSE';
  constructor(detail: string) {
    super(`unexpected response from the analytics service: ${detail}`);
    this.name = 'RollupFormatError';
  }
}

/**
 * Check a decoded JSON body against the hourly rollup contract. Measures given as numeric strings
 * (how ClickHouse renders 64-bit integers) are accepted and converted; anything else is an error,
 * because a silently dropped or zeroed row would make a cost chart quietly wrong.
 */
export function parseHourlyResponse(body: unknown): HourlyResponse {
  if (!isRecord(body) || !Array.isArray(body.rows)) {
    throw new RollupFormatError('expected an object with a "rows" array');
  }
  const rows = body.rows.map((raw: unknown, index: number) => parseRow(raw, index));
  return {
    from: typeof body.from === 'string' ? body.from : '',
    to: typeof body.to === 'string' ? body.to : '',
    catalog_version: typeof body.catalog_version === 'string' ? body.catalog_version : '',
    rows,
  };
}

function parseRow(raw: unknown, index: number): HourlyRow {
  if (!isRecord(raw)) {
    throw new RollupFormatError(`rows[${index}] is not an object`);
  }
  for (const name of DIMENSIONS) {
    if (typeof raw[name] !== 'string') {
      throw new RollupFormatError(`rows[${index}].${name} must be a string`);
    }
  }
  if (!Number.isFinite(Date.parse(raw.hour as string))) {
    throw new RollupFormatError(`rows[${index}].hour is not a timestamp: ${JSON.stringify(raw.hour)}`);
  }
  const row = { hour: raw.hour, gateway: raw.gateway, provider: raw.provider, model: raw.model } as HourlyRow;
  for (const measure of MEASURES) {
    row[measure] = toMeasure(raw[measure], index, measure);
  }
  return row;
}

function toMeasure(value: unknown, index: number, measure: Measure): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) {
    throw new RollupFormatError(`rows[${index}].${measure} must be a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface FrameOptions {
  refId: string;
  metric: MetricId;
  groupBy: GroupBy;
  /** The query's range in epoch ms, half-open [fromMs, toMs) like the analytics API's. */
  fromMs: number;
  toMs: number;
  /** Shown in Grafana's query inspector. */
  executedQueryString?: string;
}

interface Bucket {
  sum: number;
  per: number;
}

/** One frame per group value, biggest total first; see the file comment. */
export function rowsToFrames(rows: readonly HourlyRow[], options: FrameOptions): DataFrame[] {
  const metric = metricDefinition(options.metric);
  const groups = aggregate(rows, metric, options.groupBy);
  if (options.groupBy === 'none' && groups.size === 0) {
    // The total of nothing is known: zero requests, zero cost. (A grouped query has no group names.)
    groups.set(metric.label, new Map());
  }

  const hours = timeline(groups, options.fromMs, options.toMs);
  const series = [...groups].map(([name, buckets]) => {
    const values = hours.map((hour) => valueOf(buckets.get(hour), metric));
    const total = values.reduce<number>((acc, v) => acc + (v ?? 0), 0);
    return { name, values, total };
  });
  series.sort((a, b) => b.total - a.total || compareText(a.name, b.name));

  return series.map(({ name, values }) =>
    createDataFrame({
      refId: options.refId,
      name,
      meta: options.executedQueryString ? { executedQueryString: options.executedQueryString } : undefined,
      fields: [
        { name: 'Time', type: FieldType.time, values: hours },
        {
          name,
          type: FieldType.number,
          values,
          labels: options.groupBy === 'none' ? undefined : { [options.groupBy]: name },
          config: { unit: metric.unit, displayNameFromDS: name },
        },
      ],
    })
  );
}

/** Sum each row's measures into its (group, hour) bucket. */
function aggregate(
  rows: readonly HourlyRow[],
  metric: MetricDefinition,
  groupBy: GroupBy
): Map<string, Map<number, Bucket>> {
  const groups = new Map<string, Map<number, Bucket>>();
  for (const row of rows) {
    const name = groupBy === 'none' ? metric.label : row[groupBy] === '' ? EMPTY_GROUP_NAME : row[groupBy];
    const hour = Date.parse(row.hour);
    let buckets = groups.get(name);
    if (!buckets) {
      buckets = new Map();
      groups.set(name, buckets);
    }
    let bucket = buckets.get(hour);
    if (!bucket) {
      bucket = { sum: 0, per: 0 };
      buckets.set(hour, bucket);
    }
    bucket.sum += sumOf(row, metric.sum);
    if (metric.per) {
      bucket.per += sumOf(row, metric.per);
    }
  }
  return groups;
}

function sumOf(row: HourlyRow, measures: readonly Measure[]): number {
  let total = 0;
  for (const measure of measures) {
    total += row[measure];
  }
  return total;
}

function valueOf(bucket: Bucket | undefined, metric: MetricDefinition): number | null {
  if (!metric.per) {
    return bucket ? bucket.sum : 0;
  }
  // A rate over no requests is undefined, not 0%: leave a gap.
  return bucket && bucket.per > 0 ? bucket.sum / bucket.per : null;
}

/**
 * The shared time axis: every hour that overlaps [fromMs, toMs), plus any hour a row has outside
 * it (never drop data the service chose to return), ascending.
 */
function timeline(groups: Map<string, Map<number, Bucket>>, fromMs: number, toMs: number): number[] {
  const hours = new Set<number>();
  const first = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  if (toMs > fromMs && (toMs - first) / HOUR_MS <= MAX_FILLED_HOURS) {
    for (let hour = first; hour < toMs; hour += HOUR_MS) {
      hours.add(hour);
    }
  }
  for (const buckets of groups.values()) {
    for (const hour of buckets.keys()) {
      hours.add(hour);
    }
  }
  return [...hours].sort((a, b) => a - b);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
