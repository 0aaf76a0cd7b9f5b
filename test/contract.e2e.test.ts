// The public Kafka contract: records taken from the topic decode with an independent Avro
// implementation (Python fastavro) using only the published .avsc files, and say the same as our codec.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startMockUpstream, type MockUpstream } from '@switchyard/mock-upstream';
import { buildGateway, GatewayConfigSchema, type Gateway } from '@switchyard/gateway';
import { createLogger, HEADERS, RecordCodec } from '@switchyard/schemas';

const run = randomBytes(4).toString('hex');
const topic = `contract.records.${run}`;
let mock: MockUpstream;
let gateway: Gateway;
let url: string;
const brokers = () => (process.env.KAFKA_BROKERS as string).split(',');

beforeAll(async () => {
  const admin = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  mock = await startMockUpstream();
  gateway = buildGateway(
    GatewayConfigSchema.parse({
      listen: { port: 0 },
      telemetry: { kafka: { brokers: brokers(), topic }, linger_ms: 5, spool: { enabled: false } },
      providers: { openai: { base_url: `${mock.url}/v1`, api_key: 'k' }, anthropic: { base_url: mock.url, api_key: 'k' } },
      gateways: { contract: {} },
    }),
    { logger: createLogger('contract', { level: 'silent' }) },
  );
  url = await gateway.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
});

async function readTopic(expected: number): Promise<Array<{ key: string; value: Buffer; headers: Record<string, string> }>> {
  const consumer = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).consumer({ groupId: `contract-${run}` });
  const out: Array<{ key: string; value: Buffer; headers: Record<string, string> }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${out.length} of ${expected} messages`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        out.push({ key: String(message.key), value: message.value as Buffer, headers });
        if (out.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return out;
}

describe('the records topic', () => {
  it('decodes with fastavro from the .avsc files alone, matching our codec field for field', async () => {
    const sent: Array<{ path: string; body: unknown; headers: Record<string, string> }> = [
      { path: '/openai/chat/completions', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'one two' }] }, headers: { 'cf-aig-metadata': '{"team":"a","n":1}' } },
      { path: '/anthropic/v1/messages', body: { model: 'claude-sonnet-4', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'three' }] }, headers: { 'cf-aig-event-id': 'evt-9' } },
    ];
    const logIds: string[] = [];
    for (const s of sent) {
      const res = await fetch(`${url}/v1/contract${s.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...s.headers }, body: JSON.stringify(s.body) });
      expect(res.status, await res.text()).toBe(200);
      logIds.push(res.headers.get('cf-aig-log-id') as string);
    }
    const messages = await readTopic(4);
    // Keyed by log_id; request and response of an exchange share a key (and so a partition).
    expect(new Set(messages.map((m) => m.key))).toEqual(new Set(logIds));
    const input = messages.map((m) => JSON.stringify({ value: m.value.toString('base64') })).join('\n');
    const py = spawnSync('python3', ['scripts/contract/decode_frames.py'], { input, encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(py.status).toBe(0);
    const decoded = py.stdout.trim().split('\n').map((l) => JSON.parse(l) as { schema: string; version: number; record: Record<string, unknown> });
    expect(decoded).toHaveLength(4);
    const codec = new RecordCodec();
    messages.forEach((m, i) => {
      const ours = codec.decode(m.value);
      const theirs = decoded[i]!;
      expect(theirs.schema).toBe(ours.kind === 'request' ? 'dev.switchyard.v1.RequestRecord' : 'dev.switchyard.v1.ResponseRecord');
      expect(m.headers[HEADERS.kind]).toBe(ours.kind);
      expect(m.headers[HEADERS.schema]).toBe(codec.current[ours.kind].fingerprintHex);
      expect(theirs.record).toEqual(ours.record);
    });
    const response = decoded.find((d) => d.schema.endsWith('ResponseRecord') && (d.record.metadata as Record<string, string>).team === 'a');
    expect(response?.record).toMatchObject({ metadata: { team: 'a', n: '1' }, provider: 'openai', outcome: 'success' });
  });
});
