// Query parameters shared by the rollup endpoints: a half-open time range [from, to) and optional
// exact-match filters. Validated here, before anything reaches ClickHouse; every failure is a
// typed 400. Unknown or repeated parameters are refused so a typo never silently widens a query.
import { z } from 'zod';
import { AnalyticsError, ERRORS } from './errors.ts';

export const MAX_RANGE_DAYS = 400;
const MAX_RANGE_MS = MAX_RANGE_DAYS * 24 * 3600 * 1000;
/** ClickHouse DateTime is UInt32 seconds: it cannot hold instants after 2106-02-07T06:28:15Z. */
const MAX_INSTANT_MS = 2 ** 32 * 1000 - 1;

export const FILTER_NAMES = ['gateway', 'provider', 'model'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];
/** A filter that is present matches exactly, including the empty string (e.g. an unknown model). */
export type Filters = Partial<Record<FilterName, string>>;

export interface RollupParams {
  fromMs: number;
  toMs: number;
  filters: Filters;
}

const KNOWN = new Set<string>(['from', 'to', ...FILTER_NAMES]);
const EPOCH_MS = /^\d{1,16}$/;
// ISO-8601 with an explicit offset (a bare local time would depend on the server's zone), or a
// calendar date meaning UTC midnight. zod checks the calendar (no 2026-02-30).
const IsoInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/** Parse one instant: epoch milliseconds or ISO-8601. */
export function parseInstant(name: string, value: string): number {
  let ms: number;
  if (EPOCH_MS.test(value)) ms = Number(value);
  else if (IsoInstant.safeParse(value).success) ms = Date.parse(value);
  else throw new AnalyticsError(ERRORS.BAD_PARAM, `${name} must be epoch milliseconds or an ISO-8601 instant with an offset (e.g. 2026-11-21T20:00:00Z)`);
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_INSTANT_MS) {
    throw new AnalyticsError(ERRORS.BAD_PARAM, `${name} must lie between 1970-01-01 and 2106-02-07 (ClickHouse DateTime range)`);
  }
  return ms;
}

export function parseRollupParams(query: unknown): RollupParams {
  const q = (query ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(q)) {
    if (!KNOWN.has(name)) throw new AnalyticsError(ERRORS.UNKNOWN_PARAM, `${name} (accepted: ${[...KNOWN].join(', ')})`);
    if (typeof value !== 'string') throw new AnalyticsError(ERRORS.BAD_PARAM, `${name} must be given once`);
  }
  const fromText = q.from as string | undefined;
  const toText = q.to as string | undefined;
  if (fromText === undefined || fromText === '') throw new AnalyticsError(ERRORS.MISSING_PARAM, 'from');
  if (toText === undefined || toText === '') throw new AnalyticsError(ERRORS.MISSING_PARAM, 'to');
  const fromMs = parseInstant('from', fromText);
  const toMs = parseInstant('to', toText);
  if (fromMs >= toMs) throw new AnalyticsError(ERRORS.BAD_RANGE, 'from must be before to');
  if (toMs - fromMs > MAX_RANGE_MS) throw new AnalyticsError(ERRORS.BAD_RANGE, `at most ${MAX_RANGE_DAYS} days per query`);

  const filters: Filters = {};
  for (const name of FILTER_NAMES) {
    const value = q[name];
    if (typeof value === 'string') filters[name] = value;
  }
  return { fromMs, toMs, filters };
}

/** ISO-8601 UTC without milliseconds when they are zero: 2026-11-21T20:00:00Z. */
export function isoUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}
