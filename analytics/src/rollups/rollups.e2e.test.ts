// The rollup endpoints against a real ClickHouse: migrations applied by the ingest CLI, response
// rows inserted directly (every column), answers compared with sums and costs worked out by hand
// from the catalog numbers. Every row carries this run's own gateway, and every query filters by
// it, so other tests' rows never count.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { PriceCatalog, sql, type PriceCatalogFile } from '@switchyard/schemas';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLICKHOUSE_URL = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:18123';
const GATEWAY = `analytics-e2e-${randomUUID()}`;
const HOUR = 3_600_000;
const H1 = Date.parse('2026-11-21T20:00:00Z');
const H2 = H1 + HOUR;
const FROM = H1;
const TO = H2 + HOUR;
const M = 1e6; // catalog prices are per million tokens

interface Row {
  log_id: string;
  ts_ms: number;
  provider: string;
  model: string;
  outcome?: string;
  input_tokens?: number;
  cached_input_tokens?: number;
  cache_write_tokens?: number;
  output_tokens?: number;
  reasoning_tokens?: number;
  custom_cost_in?: number | null;
  custom_cost_out?: number | null;
  cache_status?: string;
}

/** A switchyard.responses row with every column written (18.16 stores zeros, not DEFAULTs, for omitted ones). */
function responseRow(r: Row, ingestedAtS: number): Record<string, unknown> {
  const outcome = r.outcome ?? 'success';
  return {
    log_id: r.log_id, request_id: `req-${r.log_id}`, event_id: null,
    ts: Math.floor(r.ts_ms / 1000), ts_ms: r.ts_ms, end_ms: r.ts_ms + 250,
    gateway: GATEWAY, node_id: 'node-1', route: 'compat_chat', provider: r.provider, model: r.model, stream: 0,
    'metadata.key': ['team'], 'metadata.value': ['e2e'], token_id: null,
    status: outcome === 'success' ? 200 : 502, outcome, error_code: outcome === 'success' ? null : 'SWY_UPSTREAM_ERROR',
    upstream_status: outcome === 'success' ? 200 : 500,
    input_tokens: r.input_tokens ?? 0, cached_input_tokens: r.cached_input_tokens ?? 0, cache_write_tokens: r.cache_write_tokens ?? 0,
    output_tokens: r.output_tokens ?? 0, reasoning_tokens: r.reasoning_tokens ?? 0, usage_source: 'provider',
    latency_ms: 250, ttft_ms: 40, cache_status: r.cache_status ?? 'MISS', attempts: 1, step: 0,
    custom_cost_in: r.custom_cost_in ?? null, custom_cost_out: r.custom_cost_out ?? null,
    response_bytes: 512, body: null, schema_version: 1, kafka_partition: 0, kafka_offset: 0, ingested_at: ingestedAtS,
  };
}

const WEIRD_PROVIDER = "we'ird\\prov";
const ROWS: Row[] = [
  // Hour 1, openai/gpt-4o: a success exactly at `from` (inclusive), an error, a custom-cost row.
  { log_id: 'a', ts_ms: H1, provider: 'openai', model: 'gpt-4o', input_tokens: 1000, cached_input_tokens: 200, output_tokens: 300 },
  { log_id: 'b', ts_ms: H1 + 10 * 60_000, provider: 'openai', model: 'gpt-4o', outcome: 'upstream_error', input_tokens: 500 },
  { log_id: 'c', ts_ms: H1 + 20 * 60_000, provider: 'openai', model: 'gpt-4o', input_tokens: 100, output_tokens: 50, custom_cost_in: 0.000002, custom_cost_out: 0.000004 },
  // A dated snapshot, priced as gpt-4o.
  { log_id: 'd', ts_ms: H1 + 30 * 60_000, provider: 'openai', model: 'gpt-4o-2024-08-06', input_tokens: 2000, output_tokens: 100 },
  // A model the catalog does not know: one without, one with a custom cost.
  { log_id: 'e', ts_ms: H1 + 40 * 60_000, provider: 'acme', model: 'acme-1', input_tokens: 700, output_tokens: 70 },
  { log_id: 'e2', ts_ms: H1 + 41 * 60_000, provider: 'acme', model: 'acme-1', input_tokens: 1000, output_tokens: 1000, custom_cost_in: 0.000001, custom_cost_out: 0.000001 },
  // Hour 2: the duplicate (inserted twice below), and a row in the last millisecond of the hour.
  { log_id: 'f', ts_ms: H2 + 60_000, provider: 'openai', model: 'gpt-4o', input_tokens: 10, output_tokens: 20 },
  // The same answer served from the gateway's cache: counted and its tokens summed, but it cost nothing.
  { log_id: 'hit', ts_ms: H2 + 2 * 60_000, provider: 'openai', model: 'gpt-4o', input_tokens: 10, output_tokens: 20, cache_status: 'HIT' },
  { log_id: 'g', ts_ms: H2 + HOUR - 1, provider: 'anthropic', model: 'claude-sonnet-4', input_tokens: 100, cached_input_tokens: 400, cache_write_tokens: 1000, output_tokens: 10 },
  // Outside [from, to): one millisecond before from, exactly at to.
  { log_id: 'early', ts_ms: H1 - 1, provider: 'openai', model: 'gpt-4o', input_tokens: 999_999 },
  { log_id: 'late', ts_ms: TO, provider: 'openai', model: 'gpt-4o', input_tokens: 999_999 },
  // A provider name with a quote and a backslash, used to prove filters are literals.
  { log_id: 'w', ts_ms: H1 + 50 * 60_000, provider: WEIRD_PROVIDER, model: 'x', input_tokens: 3 },
];
const DUPLICATE = ROWS.find((r) => r.log_id === 'f') as Row;

const ZERO_TOKENS = { input_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: 0, reasoning_tokens: 0 };
// Costs by hand from schemas/prices/catalog.json (USD per million tokens).
const COST_H1_GPT4O = (1500 * 2.5 + 200 * 1.25 + 300 * 10) / M + (100 * 0.000002 + 50 * 0.000004); // a+b catalog, c custom
const COST_H1_SNAPSHOT = (2000 * 2.5 + 100 * 10) / M;
const COST_H1_ACME = (1000 + 1000) * 0.000001; // e2 only; e is unpriced
const COST_H2_SONNET = (100 * 3 + 400 * 0.3 + 1000 * 3.75 + 10 * 15) / M;
const COST_H2_GPT4O = (10 * 2.5 + 20 * 10) / M;

const EXPECTED_HOURLY = [
  { hour: '2026-11-21T20:00:00Z', gateway: GATEWAY, provider: 'acme', model: 'acme-1', requests: 2, errors: 0,
    ...ZERO_TOKENS, input_tokens: 1700, output_tokens: 1070, cost_usd: COST_H1_ACME, unpriced_requests: 1 },
  { hour: '2026-11-21T20:00:00Z', gateway: GATEWAY, provider: 'openai', model: 'gpt-4o', requests: 3, errors: 1,
    ...ZERO_TOKENS, input_tokens: 1600, cached_input_tokens: 200, output_tokens: 350, cost_usd: COST_H1_GPT4O, unpriced_requests: 0 },
  { hour: '2026-11-21T20:00:00Z', gateway: GATEWAY, provider: 'openai', model: 'gpt-4o-2024-08-06', requests: 1, errors: 0,
    ...ZERO_TOKENS, input_tokens: 2000, output_tokens: 100, cost_usd: COST_H1_SNAPSHOT, unpriced_requests: 0 },
  { hour: '2026-11-21T20:00:00Z', gateway: GATEWAY, provider: WEIRD_PROVIDER, model: 'x', requests: 1, errors: 0,
    ...ZERO_TOKENS, input_tokens: 3, cost_usd: 0, unpriced_requests: 1 },
  { hour: '2026-11-21T21:00:00Z', gateway: GATEWAY, provider: 'anthropic', model: 'claude-sonnet-4', requests: 1, errors: 0,
    ...ZERO_TOKENS, input_tokens: 100, cached_input_tokens: 400, cache_write_tokens: 1000, output_tokens: 10, cost_usd: COST_H2_SONNET, unpriced_requests: 0 },
  { hour: '2026-11-21T21:00:00Z', gateway: GATEWAY, provider: 'openai', model: 'gpt-4o', requests: 2, errors: 0,
    ...ZERO_TOKENS, input_tokens: 20, output_tokens: 40, cost_usd: COST_H2_GPT4O, unpriced_requests: 0 },
];

/** Exact integers; costs to 1e-12 USD (float sums may differ in the last bit). */
function withCloseCosts<T extends { cost_usd: number }>(rows: T[]): unknown[] {
  return rows.map((r) => ({ ...r, cost_usd: expect.closeTo(r.cost_usd, 12) }));
}

let clickhouse: ClickHouseClient;
let app: FastifyInstance;

async function get(path: string, query: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await app.inject({ method: 'GET', url: path, query });
  return { status: res.statusCode, body: res.json() };
}
const range = { from: String(FROM), to: String(TO), gateway: GATEWAY };

beforeAll(async () => {
  execFileSync(process.execPath, [`${ROOT}ingest/src/migrate.ts`], { env: { ...process.env, CLICKHOUSE_URL }, stdio: ['ignore', 'ignore', 'inherit'], timeout: 60_000 });
  clickhouse = createClient({ url: CLICKHOUSE_URL, log: { level: ClickHouseLogLevel.OFF } });
  const now = Math.floor(Date.now() / 1000);
  await clickhouse.insert({ table: 'switchyard.responses', format: 'JSONEachRow', values: ROWS.map((r) => responseRow(r, now)) });
  // The same record replayed later: a second insert (a separate part), newer ingested_at.
  await clickhouse.insert({ table: 'switchyard.responses', format: 'JSONEachRow', values: [responseRow(DUPLICATE, now + 5)] });
  app = buildApp({ clickhouse, catalog: PriceCatalog.load(), queryTimeoutSeconds: 20 });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await clickhouse?.close();
});

describe('GET /api/v1/rollups/hourly', () => {
  it('returns per hour, gateway, provider and model the exact sums and hand-computed costs', async () => {
    const { status, body } = await get('/api/v1/rollups/hourly', range);
    expect(status).toBe(200);
    expect(body).toEqual({
      from: '2026-11-21T20:00:00Z',
      to: '2026-11-21T22:00:00Z',
      catalog_version: PriceCatalog.load().version,
      rows: withCloseCosts(EXPECTED_HOURLY),
    });
  });

  it('counts a record inserted twice once', async () => {
    // Two inserts make two parts; a background merge may or may not have collapsed them by now
    // (so the raw copy count is not asserted). The rollup must count the record once either way.
    const { body } = await get('/api/v1/rollups/hourly', { ...range, from: String(H2), model: 'gpt-4o' });
    // Two records in this group: 'f' (inserted twice, counted once) and the cache hit.
    expect(body.rows).toEqual([expect.objectContaining({ hour: '2026-11-21T21:00:00Z', requests: 2, input_tokens: 20, output_tokens: 40 })]);
  });

  it('reads exactly what the documented responses_final view holds for the range', async () => {
    const view = await clickhouse.query({
      query: sql`SELECT count() AS n, sum(input_tokens) AS input, sum(output_tokens) AS output FROM switchyard.responses_final
                 WHERE gateway = ${GATEWAY} AND ts_ms >= ${FROM} AND ts_ms < ${TO}`,
      format: 'JSONEachRow',
    });
    const [expected] = await view.json<{ n: string; input: string; output: string }>();
    const { body } = await get('/api/v1/rollups/hourly', range);
    const rows = body.rows as typeof EXPECTED_HOURLY;
    const total = (k: 'requests' | 'input_tokens' | 'output_tokens') => String(rows.reduce((s, r) => s + r[k], 0));
    expect({ n: total('requests'), input: total('input_tokens'), output: total('output_tokens') }).toEqual(expected);
  });

  it('accepts ISO-8601 bounds and treats from as inclusive and to as exclusive', async () => {
    const { body } = await get('/api/v1/rollups/hourly', { gateway: GATEWAY, from: '2026-11-21T20:00:00.000Z', to: '2026-11-21T21:59:59.999Z' });
    expect(body.rows).toEqual(withCloseCosts(EXPECTED_HOURLY.filter((r) => r.provider !== 'anthropic'))); // g sits in the last millisecond
    const oneMs = await get('/api/v1/rollups/hourly', { gateway: GATEWAY, from: String(H1), to: String(H1 + 1) });
    expect(oneMs.body.rows).toEqual([expect.objectContaining({ provider: 'openai', model: 'gpt-4o', requests: 1, input_tokens: 1000 })]);
  });

  it('filters by provider and model exactly', async () => {
    const { body } = await get('/api/v1/rollups/hourly', { ...range, provider: 'openai', model: 'gpt-4o' });
    expect(body.rows).toEqual(withCloseCosts(EXPECTED_HOURLY.filter((r) => r.provider === 'openai' && r.model === 'gpt-4o')));
    const prefix = await get('/api/v1/rollups/hourly', { ...range, model: 'gpt-4' });
    expect(prefix.body.rows).toEqual([]);
  });

  it('treats a provider with a quote and a backslash as a literal value, not SQL', async () => {
    const { status, body } = await get('/api/v1/rollups/hourly', { ...range, provider: WEIRD_PROVIDER });
    expect(status).toBe(200);
    expect(body.rows).toEqual(withCloseCosts(EXPECTED_HOURLY.filter((r) => r.provider === WEIRD_PROVIDER)));
    const injection = await get('/api/v1/rollups/hourly', { ...range, provider: "x' OR '1'='1" });
    expect([injection.status, injection.body.rows]).toEqual([200, []]);
  });

  it('re-prices history when a corrected catalog is used: a price effective mid-hour applies from the next hour', async () => {
    const file = JSON.parse(readFileSync(`${ROOT}schemas/prices/catalog.json`, 'utf8')) as PriceCatalogFile;
    file.version = 'corrected';
    file.entries.push({ provider: 'openai', model: 'gpt-4o', effective_from: '2026-11-21T20:30:00Z', input: 5, output: 20 });
    const corrected = buildApp({ clickhouse, catalog: new PriceCatalog(file) });
    try {
      const res = await corrected.inject({ method: 'GET', url: '/api/v1/rollups/hourly', query: range });
      const rows = res.json().rows as typeof EXPECTED_HOURLY;
      expect(res.json().catalog_version).toBe('corrected');
      const h2 = rows.find((r) => r.hour === '2026-11-21T21:00:00Z' && r.model === 'gpt-4o');
      const h1 = rows.find((r) => r.hour === '2026-11-21T20:00:00Z' && r.model === 'gpt-4o');
      expect(h2?.cost_usd).toBeCloseTo((10 * 5 + 20 * 20) / M, 12);
      expect(h1?.cost_usd).toBeCloseTo(COST_H1_GPT4O, 12);

      const summary = await corrected.inject({ method: 'GET', url: '/api/v1/rollups/summary', query: range });
      const openai = (summary.json().rows as { provider: string; cost_usd: number }[]).find((r) => r.provider === 'openai');
      expect(openai?.cost_usd).toBeCloseTo(COST_H1_GPT4O + COST_H1_SNAPSHOT + (10 * 5 + 20 * 20) / M, 12);
    } finally {
      await corrected.close();
    }
  });

  it.each([
    ['missing from', { to: String(TO) }, 'SWY_ANALYTICS_MISSING_PARAM'],
    ['from equal to to', { from: String(FROM), to: String(FROM) }, 'SWY_ANALYTICS_BAD_RANGE'],
    ['from after to', { from: String(TO), to: String(FROM) }, 'SWY_ANALYTICS_BAD_RANGE'],
    ['garbage from', { from: 'last tuesday', to: String(TO) }, 'SWY_ANALYTICS_BAD_PARAM'],
    ['a range over 400 days', { from: '2025-01-01T00:00:00Z', to: '2026-11-21T00:00:00Z' }, 'SWY_ANALYTICS_BAD_RANGE'],
  ])('answers %s with a typed 400', async (_, query, code) => {
    const { status, body } = await get('/api/v1/rollups/hourly', query);
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code, message: expect.any(String) } });
  });
});

describe('GET /api/v1/rollups/summary', () => {
  it('totals each provider over the range with the same costs as the hourly rows', async () => {
    const { status, body } = await get('/api/v1/rollups/summary', range);
    expect(status).toBe(200);
    expect(body).toEqual({
      from: '2026-11-21T20:00:00Z',
      to: '2026-11-21T22:00:00Z',
      catalog_version: PriceCatalog.load().version,
      rows: withCloseCosts([
        { gateway: GATEWAY, provider: 'acme', requests: 2, errors: 0, ...ZERO_TOKENS, input_tokens: 1700, output_tokens: 1070, cost_usd: COST_H1_ACME, unpriced_requests: 1 },
        { gateway: GATEWAY, provider: 'anthropic', requests: 1, errors: 0, ...ZERO_TOKENS, input_tokens: 100, cached_input_tokens: 400, cache_write_tokens: 1000, output_tokens: 10, cost_usd: COST_H2_SONNET, unpriced_requests: 0 },
        { gateway: GATEWAY, provider: 'openai', requests: 6, errors: 1, ...ZERO_TOKENS, input_tokens: 3620, cached_input_tokens: 200, output_tokens: 490, cost_usd: COST_H1_GPT4O + COST_H1_SNAPSHOT + COST_H2_GPT4O, unpriced_requests: 0 },
        { gateway: GATEWAY, provider: WEIRD_PROVIDER, requests: 1, errors: 0, ...ZERO_TOKENS, input_tokens: 3, cost_usd: 0, unpriced_requests: 1 },
      ]),
    });
  });

  it('applies the same filters and validation', async () => {
    const { body } = await get('/api/v1/rollups/summary', { ...range, provider: 'anthropic' });
    expect(body.rows.map((r: { provider: string }) => r.provider)).toEqual(['anthropic']);
    const bad = await get('/api/v1/rollups/summary', { gateway: GATEWAY, to: String(TO) });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'SWY_ANALYTICS_MISSING_PARAM']);
  });
});

describe('GET /healthz', () => {
  it('answers 200 when ClickHouse answers SELECT 1', async () => {
    const { status, body } = await get('/healthz', {});
    expect([status, body]).toEqual([200, { status: 'ok' }]);
  });
});
