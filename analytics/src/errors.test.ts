import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClickHouseError } from '@clickhouse/client';
import { AnalyticsError, ERRORS, fromClickHouseError } from './errors.ts';

const defs = Object.values(ERRORS);

describe('error catalogue', () => {
  it('gives every error a unique SWY_ANALYTICS_ code and an HTTP error status', () => {
    expect(new Set(defs.map((d) => d.code)).size).toBe(defs.length);
    for (const d of defs) {
      expect(d.code).toMatch(/^SWY_ANALYTICS_[A-Z_]+$/);
      expect(d.status).toBeGreaterThanOrEqual(400);
      expect(d.status).toBeLessThan(600);
      expect(d.message.length).toBeGreaterThan(0);
    }
  });

  it('is documented in README.md with the same codes and statuses, and nothing else', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const documented = [...readme.matchAll(/^\| `(SWY_ANALYTICS_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(documented.sort()).toEqual(defs.map((d) => `${d.code} ${d.status}`).sort());
  });

  it('renders the body shape every endpoint uses', () => {
    const err = new AnalyticsError(ERRORS.BAD_RANGE, 'from must be before to');
    expect(err.toBody()).toEqual({ error: { code: 'SWY_ANALYTICS_BAD_RANGE', message: 'the time range is invalid: from must be before to' } });
  });
});

describe('fromClickHouseError', () => {
  // Messages as ClickHouse 18.16 sends them; @clickhouse/client passes them on as plain Errors.
  it('maps an 18.16 "Timeout exceeded" to SWY_ANALYTICS_QUERY_TIMEOUT (504)', () => {
    const err = fromClickHouseError(new Error('Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 1.000000059 seconds, maximum: 1, e.what() = DB::Exception\n'));
    expect([err.code, err.status]).toEqual(['SWY_ANALYTICS_QUERY_TIMEOUT', 504]);
  });

  it('maps any other server answer to SWY_ANALYTICS_QUERY_FAILED (502) without echoing the server text', () => {
    const err = fromClickHouseError(new Error("Code: 81, e.displayText() = DB::Exception: Database nope doesn't exist, e.what() = DB::Exception\n"));
    expect([err.code, err.status]).toEqual(['SWY_ANALYTICS_QUERY_FAILED', 502]);
    expect(err.message).not.toContain('nope');
  });

  it('understands the ClickHouseError of current servers', () => {
    expect(fromClickHouseError(new ClickHouseError({ message: 'Timeout exceeded', code: '159', type: 'TIMEOUT_EXCEEDED' })).code).toBe('SWY_ANALYTICS_QUERY_TIMEOUT');
    expect(fromClickHouseError(new ClickHouseError({ message: 'Unknown table', code: '60', type: 'UNKNOWN_TABLE' })).code).toBe('SWY_ANALYTICS_QUERY_FAILED');
  });

  it('maps network failures (refused, client-side timeout) to SWY_ANALYTICS_CLICKHOUSE_UNAVAILABLE (503)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(fromClickHouseError(refused).status).toBe(503);
    expect(fromClickHouseError(new Error('Timeout error.')).code).toBe('SWY_ANALYTICS_CLICKHOUSE_UNAVAILABLE');
  });
});
