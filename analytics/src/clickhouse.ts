// Talking to ClickHouse: run a SELECT, map failures to catalogue errors, and convert result
// values deliberately (JSON output quotes 64-bit integers, so counts and sums arrive as strings).
import type { ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseError } from './errors.ts';

export async function selectRows<T>(client: ClickHouseClient, query: string, signal?: AbortSignal): Promise<T[]> {
  try {
    const result = await client.query({ query, format: 'JSONEachRow', ...(signal ? { abort_signal: signal } : {}) });
    return await result.json<T>();
  } catch (err) {
    throw fromClickHouseError(err);
  }
}

/** A UInt64 count or sum. Beyond 2^53 a JS number loses precision; token totals stay far below. */
export function toCount(value: unknown, column: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  throw new TypeError(`ClickHouse column ${column}: expected a non-negative integer, got ${JSON.stringify(value)}`);
}

/** A Float64 amount of money. */
export function toUsd(value: unknown, column: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n === 'number' && Number.isFinite(n)) return n;
  throw new TypeError(`ClickHouse column ${column}: expected a finite number, got ${JSON.stringify(value)}`);
}
