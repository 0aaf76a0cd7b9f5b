// Usage end to end, on the real Kafka and ClickHouse: golden fixtures of OpenAI, Anthropic, Gemini
// and Bedrock (streamed and whole), replayed byte for byte as the upstream, go through a gateway
// node; ingest stores the records; the ClickHouse rows carry exactly the usage each provider
// reported. A stream the client aborts keeps the usage seen so far; a stream the upstream cuts
// before any usage is recorded as estimated, never as zero.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { startReplayUpstream, type ReplayUpstream } from '@switchyard/mock-upstream';
import { startIngest, type IngestHandle } from '@switchyard/ingest';
import { createLogger } from '@switchyard/schemas';
import { buildGateway, type Gateway } from '../app.ts';
import { GatewayConfigSchema } from '../config.ts';
import { testProvidersConfig } from './conformance-support.ts';
import { loadFixtures, responseBody, responseParts, type Fixture } from './fixtures.ts';
import type { Usage } from './types.ts';

const run = randomBytes(4).toString('hex');
const gatewayName = `usage_${run}`;
const topic = `e2e.usage.${run}`;
const silent = createLogger('e2e', { level: 'silent' });

let replay: ReplayUpstream;
let gateway: Gateway;
let gatewayUrl: string;
let ingest: IngestHandle;
let clickhouse: ClickHouseClient;

function fixture(provider: string, name: string): Fixture {
  const fx = loadFixtures(provider).find((f) => f.name === name);
  if (!fx) throw new Error(`no fixture ${provider}/${name}`);
  return fx;
}

const CASES: Array<[string, string]> = [
  ['openai', 'chat'], ['openai', 'chat-stream-tools'],
  ['anthropic', 'messages'], ['anthropic', 'messages-stream-tools'],
  ['google-ai-studio', 'generate'], ['google-ai-studio', 'stream-tools'],
  ['aws-bedrock', 'converse'], ['aws-bedrock', 'converse-stream-tools'], ['aws-bedrock', 'invoke'], ['aws-bedrock', 'invoke-stream'],
];

interface Expected { usage: Usage; source: 'provider' | 'estimated'; outcome: string; provider: string }
const expected = new Map<string, Expected>();

beforeAll(async () => {
  const brokers = (process.env.KAFKA_BROKERS as string).split(',');
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  replay = await startReplayUpstream();
  const config = GatewayConfigSchema.parse({
    node_id: 'e2e-usage',
    listen: { host: '127.0.0.1', port: 0 },
    telemetry: { kafka: { brokers, topic }, linger_ms: 5 },
    providers: testProvidersConfig(replay.url),
    gateways: { [gatewayName]: {} },
  });
  gateway = buildGateway(config, { logger: silent });
  gatewayUrl = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  clickhouse = createClient({ url: process.env.CLICKHOUSE_URL as string });
  ingest = await startIngest({
    brokers, clickhouseUrl: process.env.CLICKHOUSE_URL as string, topic, deadLetterTopic: `${topic}.dlq`, groupId: `e2e-usage-${run}`,
    maxBatchWaitMs: 200, logger: silent,
  });
});

afterAll(async () => {
  await gateway?.close();
  await ingest?.stop();
  await replay?.close();
  await clickhouse?.close();
});

const post = (provider: string, fx: Fixture, signal?: AbortSignal) => fetch(`${gatewayUrl}/v1/${gatewayName}/${provider}${fx.request.path}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fx.request.body), ...(signal ? { signal } : {}),
});

async function rows(n: number): Promise<Array<Record<string, string>>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await clickhouse.query({
      query: `SELECT log_id, provider, outcome, usage_source, toString(input_tokens) AS input, toString(cached_input_tokens) AS cached,
                     toString(cache_write_tokens) AS cache_write, toString(output_tokens) AS output, toString(reasoning_tokens) AS reasoning
              FROM switchyard.responses_final WHERE gateway = '${gatewayName}'`,
      format: 'JSONEachRow',
    });
    const got = await res.json<Record<string, string>>();
    if (got.length >= n) return got;
    if (Date.now() > deadline) throw new Error(`only ${got.length} of ${n} rows`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('usage from every provider reaches ClickHouse exactly', () => {
  it('stores the provider-reported usage of whole and streamed answers, and the usage seen so far of aborted and cut streams', async () => {
    for (const [provider, name] of CASES) {
      const fx = fixture(provider, name);
      replay.enqueue({ status: 200, headers: fx.response.headers, body: responseBody(fx) });
      const res = await post(provider, fx);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(responseBody(fx))).toBe(true);
      expected.set(res.headers.get('cf-aig-log-id') as string, { usage: fx.usage as Usage, source: 'provider', outcome: 'success', provider });
    }

    // A client that aborts an Anthropic stream after message_start: the input side it reported stays.
    const aborted = fixture('anthropic', 'messages-stream-tools');
    const held = responseParts(aborted).slice(0, 4).reduce((n, p) => n + p.length, 0);
    replay.enqueue({ status: 200, headers: aborted.response.headers, body: responseBody(aborted), holdAfterBytes: held });
    const ac = new AbortController();
    const gone = replay.clientGone();
    const res = await post('anthropic', aborted, ac.signal);
    const reader = res.body!.getReader();
    let received = '';
    while (!received.includes('message_start')) received += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    await gone;
    expected.set(res.headers.get('cf-aig-log-id') as string, {
      usage: { input_tokens: 472, cached_input_tokens: 128, cache_write_tokens: 0, output_tokens: 2, reasoning_tokens: 0 }, source: 'provider', outcome: 'client_closed', provider: 'anthropic',
    });

    // A Gemini stream the upstream cuts before its final chunk keeps the prompt count it saw.
    const gemini = fixture('google-ai-studio', 'stream-tools');
    replay.enqueue({ status: 200, headers: gemini.response.headers, body: responseBody(gemini), cutAfterBytes: responseParts(gemini)[0]!.length });
    const cut = await post('google-ai-studio', gemini);
    expect(await cut.text()).toContain('SWY_UPSTREAM_STREAM_CUT');
    expected.set(cut.headers.get('cf-aig-log-id') as string, { usage: { input_tokens: 57, cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: 0, reasoning_tokens: 0 }, source: 'provider', outcome: 'stream_truncated', provider: 'google-ai-studio' });

    // An OpenAI stream cut before its usage chunk: no provider usage at all, so an estimate.
    const openai = fixture('openai', 'chat-stream-tools');
    replay.enqueue({ status: 200, headers: openai.response.headers, body: responseBody(openai), cutAfterBytes: responseParts(openai).slice(0, 3).reduce((n, p) => n + p.length, 0) });
    const estimated = await post('openai', openai);
    await estimated.text();
    const estimatedId = estimated.headers.get('cf-aig-log-id') as string;

    const stored = await rows(expected.size + 1);
    for (const row of stored) {
      if (row.log_id === estimatedId) {
        expect(row).toMatchObject({ usage_source: 'estimated', outcome: 'stream_truncated' });
        expect(Number(row.input)).toBeGreaterThan(0);
        continue;
      }
      const e = expected.get(String(row.log_id));
      expect(e, `row ${row.log_id} was not sent by this test`).toBeDefined();
      expect(row).toMatchObject({
        provider: e!.provider, outcome: e!.outcome, usage_source: e!.source,
        input: String(e!.usage.input_tokens), cached: String(e!.usage.cached_input_tokens), cache_write: String(e!.usage.cache_write_tokens),
        output: String(e!.usage.output_tokens), reasoning: String(e!.usage.reasoning_tokens),
      });
    }
    expect(stored).toHaveLength(expected.size + 1);
  });
});
