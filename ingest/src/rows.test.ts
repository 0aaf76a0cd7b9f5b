import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadMigrations, MIGRATIONS_DIR } from './migrate.ts';
import { REQUEST_COLUMNS, RESPONSE_COLUMNS, epochSeconds, requestRow, responseRow } from './rows.ts';
import { sampleRequest, sampleResponse } from './test-support.ts';

/** Column names of a table after every migration: its CREATE TABLE (Nested(...) expanded into
 * name.sub columns), then each later `ADD COLUMN name … AFTER other`. */
function columnsOf(table: string): string[] {
  const columns = createdColumnsOf(table);
  for (const m of loadMigrations()) {
    for (const st of m.statements) {
      if (!st.startsWith(`ALTER TABLE switchyard.${table}`)) continue;
      for (const add of st.matchAll(/ADD COLUMN (\w+) [^,]*?AFTER (\w+)/g)) columns.splice(columns.indexOf(add[2] as string) + 1, 0, add[1] as string);
    }
  }
  return columns;
}

function createdColumnsOf(table: string): string[] {
  const text = readFileSync(MIGRATIONS_DIR + '0001_records.sql', 'utf8').replace(/--.*$/gm, '');
  const m = new RegExp(`CREATE TABLE IF NOT EXISTS switchyard\\.${table}\\s*\\(([\\s\\S]*?)\\)\\s*ENGINE`).exec(text);
  if (!m?.[1]) throw new Error(`table ${table} not found in migration`);
  const columns: string[] = [];
  for (const line of m[1].split('\n').map((l) => l.trim().replace(/,$/, '')).filter(Boolean)) {
    const [name, ...type] = line.split(/\s+/);
    const nested = /^Nested\((.*)\)$/.exec(type.join(' '));
    if (nested?.[1]) for (const sub of nested[1].split(',')) columns.push(`${name}.${sub.trim().split(/\s+/)[0]}`);
    else columns.push(name as string);
  }
  return columns;
}

const origin = { schemaVersion: 1, partition: 3, offset: '9007199254740', ingestedAt: 1_763_760_000 };

describe('rows', () => {
  it('request rows carry exactly the columns of switchyard.requests, in table order', () => {
    expect([...REQUEST_COLUMNS]).toEqual(columnsOf('requests'));
    expect(Object.keys(requestRow(sampleRequest(), origin))).toEqual(columnsOf('requests'));
  });

  it('response rows carry exactly the columns of switchyard.responses, in table order', () => {
    expect([...RESPONSE_COLUMNS]).toEqual(columnsOf('responses'));
    expect(Object.keys(responseRow(sampleResponse(), origin))).toEqual(columnsOf('responses'));
  });

  it('maps a request record: ts in epoch seconds, metadata as parallel arrays, booleans as 0/1, origin columns', () => {
    const r = sampleRequest({ ts_ms: 1_763_750_000_999, metadata: { a: '1', b: 'two' }, stream: true, event_id: 'e1' });
    expect(requestRow(r, origin)).toEqual({
      log_id: r.log_id,
      request_id: r.request_id,
      event_id: 'e1',
      ts: 1_763_750_000,
      ts_ms: 1_763_750_000_999,
      gateway: 'test-gw',
      node_id: 'node-1',
      route: 'compat_chat',
      provider: 'openai',
      model: 'gpt-4o-mini',
      path: '/v1/chat/completions',
      stream: 1,
      'metadata.key': ['a', 'b'],
      'metadata.value': ['1', 'two'],
      token_id: 'tok_1',
      request_bytes: 1234,
      body: r.body,
      schema_version: 1,
      kafka_partition: 3,
      kafka_offset: 9_007_199_254_740,
      ingested_at: 1_763_760_000,
    });
    expect(requestRow(sampleRequest({ stream: false, metadata: {} }), origin)).toMatchObject({ stream: 0, 'metadata.key': [], 'metadata.value': [] });
  });

  it('maps a response record, keeping nulls as nulls', () => {
    const r = sampleResponse({ ttft_ms: null, custom_cost_in: null, custom_cost_out: 0.5, error_code: 'SWY_UPSTREAM_5XX' });
    const row = responseRow(r, origin);
    expect(row).toMatchObject({
      ts: 1_763_750_000, ts_ms: r.ts_ms, end_ms: r.end_ms, stream: 0, status: 200, upstream_status: 200,
      input_tokens: 1200, cached_input_tokens: 300, cache_write_tokens: 50, output_tokens: 800, reasoning_tokens: 120,
      usage_source: 'provider', latency_ms: 1333, ttft_ms: null, cache_status: 'MISS', attempts: 2, step: 1,
      custom_cost_in: null, custom_cost_out: 0.5, error_code: 'SWY_UPSTREAM_5XX', event_id: 'evt-7', token_id: null,
      'metadata.key': ['team'], 'metadata.value': ['search'], body: null, response_bytes: 4567,
    });
  });

  it('clamps numbers into their column range so ClickHouse never rejects or wraps a batch', () => {
    const row = responseRow(
      sampleResponse({ status: 70_000, upstream_status: -1, input_tokens: -5, attempts: 1e9, ttft_ms: -3, latency_ms: Number.NaN, custom_cost_in: Number.POSITIVE_INFINITY, ts_ms: -1000 }),
      origin,
    );
    expect(row).toMatchObject({ status: 65_535, upstream_status: 0, input_tokens: 0, attempts: 65_535, ttft_ms: 0, latency_ms: 0, custom_cost_in: null, ts: 0, ts_ms: 0 });
    expect(epochSeconds(1e16)).toBe(4_294_967_295);
  });
});
