// The walking skeleton end to end, on the real Kafka and ClickHouse: requests through a gateway node
// (OpenAI and Anthropic, native and compat, streamed and not) to the mock upstream become Kafka
// records, ingest stores them, and analytics returns exactly the sums and costs computed by hand.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { anthropicUsageFor, openaiChatUsageFor, startMockUpstream, type MockUpstream } from '@switchyard/mock-upstream';
import { buildGateway, GatewayConfigSchema, type Gateway } from '@switchyard/gateway';
import { startIngest, type IngestHandle } from '@switchyard/ingest';
import { buildApp } from '@switchyard/analytics';
import { createLogger, PriceCatalog } from '@switchyard/schemas';

const run = randomBytes(4).toString('hex');
const gatewayName = `e2e_${run}`;
const topic = `e2e.records.${run}`;
const silent = createLogger('e2e', { level: 'silent' });

let mock: MockUpstream;
let gateway: Gateway;
let gatewayUrl: string;
let ingest: IngestHandle;
let clickhouse: ClickHouseClient;

interface Expected { provider: string; model: string; stream: boolean; route: string; input: number; cached: number; cacheWrite: number; output: number }
const expected = new Map<string, Expected>();
const messages = [{ role: 'system', content: 'answer briefly' }, { role: 'user', content: 'how many moons does Jupiter have' }];

beforeAll(async () => {
  const brokers = (process.env.KAFKA_BROKERS as string).split(',');
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();

  mock = await startMockUpstream();
  const config = GatewayConfigSchema.parse({
    node_id: 'e2e',
    listen: { host: '127.0.0.1', port: 0 },
    telemetry: { kafka: { brokers, topic }, linger_ms: 5 },
    providers: { openai: { base_url: `${mock.url}/v1`, api_key: 'sk-e2e' }, anthropic: { base_url: mock.url, api_key: 'sk-ant-e2e' } },
    gateways: { [gatewayName]: {} },
  });
  gateway = buildGateway(config, { logger: silent });
  gatewayUrl = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  clickhouse = createClient({ url: process.env.CLICKHOUSE_URL as string });
  ingest = await startIngest({
    brokers, clickhouseUrl: process.env.CLICKHOUSE_URL as string, topic, deadLetterTopic: `${topic}.dlq`, groupId: `e2e-${run}`,
    maxBatchWaitMs: 200, logger: silent,
  });
});

afterAll(async () => {
  await gateway?.close();
  await ingest?.stop();
  await mock?.close();
  await clickhouse?.close();
});

async function send(path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${gatewayUrl}/v1/${gatewayName}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  await res.text(); // read streams to the end
  return { logId: res.headers.get('cf-aig-log-id') as string, upstreamBody: mock.stats.lastRequest?.body as Record<string, unknown> };
}

async function openaiExchange(path: string, route: string, body: Record<string, unknown>, cached: number) {
  const { logId, upstreamBody } = await send(path, body, { 'x-mock-cached-tokens': String(cached) });
  const u = openaiChatUsageFor(upstreamBody, { cachedTokens: cached });
  expected.set(logId, { provider: 'openai', model: 'gpt-4o', stream: body.stream === true, route, input: u.prompt_tokens - cached, cached, cacheWrite: 0, output: u.completion_tokens });
}

async function anthropicExchange(path: string, route: string, body: Record<string, unknown>, cached: number, cacheWrite: number) {
  const { logId, upstreamBody } = await send(path, body, { 'x-mock-cached-tokens': String(cached), 'x-mock-cache-write-tokens': String(cacheWrite) });
  const u = anthropicUsageFor(upstreamBody, { cachedTokens: cached, cacheWriteTokens: cacheWrite });
  expected.set(logId, { provider: 'anthropic', model: 'claude-sonnet-4', stream: body.stream === true, route, input: u.input_tokens, cached, cacheWrite, output: u.output_tokens });
}

async function waitForRows(table: string, n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await clickhouse.query({ query: `SELECT toString(count()) AS n FROM switchyard.${table} WHERE gateway = '${gatewayName}'`, format: 'JSONEachRow' });
    const [row] = await res.json<{ n: string }>();
    if (Number(row?.n) >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${row?.n} of ${n} rows in ${table}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('one request through a gateway node reaches ClickHouse and the analytics API', () => {
  it('stores every exchange with the usage the provider reported, and analytics sums and prices it exactly', async () => {
    const started = Date.now();
    for (const stream of [false, true]) {
      await openaiExchange('/openai/chat/completions', 'native', { model: 'gpt-4o', messages, stream }, 3);
      await anthropicExchange('/anthropic/v1/messages', 'native', { model: 'claude-sonnet-4', max_tokens: 200, messages: messages.slice(1), system: 'answer briefly', stream }, 2, 5);
      await openaiExchange('/compat/chat/completions', 'compat_chat', { model: 'openai/gpt-4o', messages, stream }, 1);
      await anthropicExchange('/compat/chat/completions', 'compat_chat', { model: 'anthropic/claude-sonnet-4', messages, stream }, 4, 0);
    }
    expect(expected.size).toBe(8);

    await waitForRows('responses_final', 8);
    await waitForRows('requests_final', 8);

    const res = await clickhouse.query({
      query: `SELECT log_id, provider, model, route, stream, status, outcome, usage_source,
                     toString(input_tokens) AS input, toString(cached_input_tokens) AS cached,
                     toString(cache_write_tokens) AS cache_write, toString(output_tokens) AS output
              FROM switchyard.responses_final WHERE gateway = '${gatewayName}'`,
      format: 'JSONEachRow',
    });
    const rows = await res.json<Record<string, string | number>>();
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      const e = expected.get(String(row.log_id));
      expect(e, `row ${row.log_id} was not sent by this test`).toBeDefined();
      expect(row).toMatchObject({
        provider: e!.provider, model: e!.model, route: e!.route, stream: e!.stream ? 1 : 0, status: 200, outcome: 'success', usage_source: 'provider',
        input: String(e!.input), cached: String(e!.cached), cache_write: String(e!.cacheWrite), output: String(e!.output),
      });
    }

    // The analytics rollup over the same window: sums per provider/model, cost by hand from the catalog.
    const app = buildApp({ clickhouse, catalog: PriceCatalog.load() });
    const from = new Date(started - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const reply = await app.inject({ method: 'GET', url: `/api/v1/rollups/hourly?from=${from}&to=${to}&gateway=${gatewayName}` });
    expect(reply.statusCode).toBe(200);
    const body = reply.json() as { rows: Array<Record<string, number | string>> };
    interface Totals { requests: number; input: number; cached: number; cacheWrite: number; output: number; cost: number; errors: number }
    const totals = new Map<string, Totals>();
    for (const r of body.rows) {
      const t: Totals = totals.get(String(r.provider)) ?? { requests: 0, input: 0, cached: 0, cacheWrite: 0, output: 0, cost: 0, errors: 0 };
      t.requests += Number(r.requests); t.input += Number(r.input_tokens); t.cached += Number(r.cached_input_tokens);
      t.cacheWrite += Number(r.cache_write_tokens); t.output += Number(r.output_tokens); t.cost += Number(r.cost_usd); t.errors += Number(r.errors);
      totals.set(String(r.provider), t);
    }
    // Per 1M tokens, from schemas/prices/catalog.json: gpt-4o 2.5 in / 1.25 cached / 10 out;
    // claude-sonnet-4 3 in / 0.3 cache read / 3.75 cache write / 15 out.
    const hand = {
      openai: { in: 2.5, cached: 1.25, write: 2.5, out: 10 },
      anthropic: { in: 3, cached: 0.3, write: 3.75, out: 15 },
    } as const;
    for (const provider of ['openai', 'anthropic'] as const) {
      const mine = [...expected.values()].filter((e) => e.provider === provider);
      const sum = (k: 'input' | 'cached' | 'cacheWrite' | 'output') => mine.reduce((a, e) => a + e[k], 0);
      const p = hand[provider];
      const cost = (sum('input') * p.in + sum('cached') * p.cached + sum('cacheWrite') * p.write + sum('output') * p.out) / 1e6;
      expect(totals.get(provider)).toMatchObject({ requests: 4, errors: 0, input: sum('input'), cached: sum('cached'), cacheWrite: sum('cacheWrite'), output: sum('output') });
      expect(totals.get(provider)!.cost).toBeCloseTo(cost, 12);
    }
    await app.close();
  });
});
