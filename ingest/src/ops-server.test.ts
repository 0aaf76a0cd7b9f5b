import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyMetrics, type IngestMetrics } from './metrics.ts';
import { createOpsServer, PROMETHEUS_CONTENT_TYPE } from './ops-server.ts';

const servers: import('node:http').Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(healthy: boolean, metrics: IngestMetrics): Promise<string> {
  const server = createOpsServer({ healthy: () => healthy, metrics: () => metrics });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('ops server', () => {
  it('GET /healthz is 200 while healthy and 503 after a fatal crash or during shutdown', async () => {
    const up = await serve(true, emptyMetrics());
    expect((await fetch(`${up}/healthz`)).status).toBe(200);
    const down = await serve(false, emptyMetrics());
    const res = await fetch(`${down}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable' });
  });

  it('GET /metrics renders the counters in Prometheus text format', async () => {
    const m = { ...emptyMetrics(), recordsConsumed: 12, rowsInserted: { requests: 5, responses: 6 }, deadLettered: 1, insertRetries: 3, lastBatchLagMs: 1500 };
    const res = await fetch(`${await serve(true, m)}/metrics`);
    expect(res.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    const body = await res.text();
    const samples = body.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(samples).toEqual([
      'swy_ingest_up 1',
      'swy_ingest_records_consumed_total 12',
      'swy_ingest_rows_inserted_total{table="requests"} 5',
      'swy_ingest_rows_inserted_total{table="responses"} 6',
      'swy_ingest_dead_letters_total 1',
      'swy_ingest_insert_retries_total 3',
      'swy_ingest_dead_letter_retries_total 0',
      'swy_ingest_batches_total 0',
      'swy_ingest_commit_failures_total 0',
      'swy_ingest_last_batch_lag_seconds 1.5',
      'swy_ingest_pending_rows 0',
      'swy_ingest_group_joins_total 0',
    ]);
    // every series is announced with HELP and TYPE before its samples
    for (const name of new Set(samples.map((s) => s.split(/[{ ]/)[0]))) {
      expect(body).toContain(`# TYPE ${name} `);
      expect(body).toContain(`# HELP ${name} `);
    }
  });

  it('answers unknown paths with a typed 404 and other methods with 405', async () => {
    const url = await serve(true, emptyMetrics());
    const res = await fetch(`${url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'SWY_NOT_FOUND' } });
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
