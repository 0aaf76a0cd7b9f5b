// The HTTP surface without a ClickHouse: parameters are checked before any query, and an
// unreachable ClickHouse (a real closed port, not a mock) is a typed 503.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { PriceCatalog } from '@switchyard/schemas';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let clickhouse: ClickHouseClient;
let app: FastifyInstance;

beforeAll(async () => {
  clickhouse = createClient({ url: `http://127.0.0.1:${await closedPort()}`, log: { level: ClickHouseLogLevel.OFF } });
  app = buildApp({ clickhouse, catalog: PriceCatalog.load() });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await clickhouse.close();
});

const RANGE = 'from=2026-11-21T20:00:00Z&to=2026-11-21T22:00:00Z';

describe('analytics HTTP surface', () => {
  it.each([
    ['missing from', 'to=1795291200000', 'SWY_ANALYTICS_MISSING_PARAM'],
    ['from equal to to', 'from=1795291200000&to=1795291200000', 'SWY_ANALYTICS_BAD_RANGE'],
    ['garbage from', 'from=soon&to=1795291200000', 'SWY_ANALYTICS_BAD_PARAM'],
    ['an unknown parameter', `${RANGE}&limit=5`, 'SWY_ANALYTICS_UNKNOWN_PARAM'],
  ])('answers %s with a typed 400 before querying ClickHouse', async (_, qs, code) => {
    for (const path of ['/api/v1/rollups/hourly', '/api/v1/rollups/summary']) {
      const res = await app.inject({ method: 'GET', url: `${path}?${qs}` });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
    }
  });

  it('answers an unknown route with a typed 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/rollups/daily?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'SWY_ANALYTICS_NOT_FOUND', message: 'no such route: GET /api/v1/rollups/daily' } });
  });

  it('answers 503 SWY_ANALYTICS_CLICKHOUSE_UNAVAILABLE from every ClickHouse-backed route when it is unreachable', async () => {
    for (const url of [`/api/v1/rollups/hourly?${RANGE}`, `/api/v1/rollups/summary?${RANGE}`, '/healthz']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(503);
      expect(res.json(), url).toEqual({ error: { code: 'SWY_ANALYTICS_CLICKHOUSE_UNAVAILABLE', message: 'ClickHouse is unreachable' } });
    }
  });
});
