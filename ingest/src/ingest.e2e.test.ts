// End to end against the real Kafka and ClickHouse: records produced with kafkajs as the gateway
// would (RecordCodec frames keyed by log_id) must show up in the *_final views, bad frames in the
// dead-letter topic, and offsets must be committed only once the rows are stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS, RecordCodec, quoteString, type RequestRecord, type ResponseRecord } from '@switchyard/schemas';
import type { ClickHouseClient } from '@clickhouse/client';
import { startIngest, type IngestHandle, type IngestOptions } from './ingest.ts';
import { CuttableProxy, KafkaTestClient, clickhouse, e2eEnv, eventually, queryRows, testLogger, uniqueName } from './e2e-support.ts';
import { sampleRequest, sampleResponse } from './test-support.ts';

const env = e2eEnv();
const codec = new RecordCodec();
let kafka: KafkaTestClient;
let ch: ClickHouseClient;
const running: IngestHandle[] = [];

beforeAll(async () => {
  kafka = new KafkaTestClient(env.brokers);
  await kafka.connect();
  ch = clickhouse(env.clickhouseUrl);
});

afterAll(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  await kafka?.close();
  await ch?.close();
});

interface Scenario {
  topic: string;
  dlq: string;
  groupId: string;
  gateway: string;
}

async function scenario(): Promise<Scenario> {
  const s = { topic: uniqueName('test.records'), dlq: uniqueName('test.records.dlq'), groupId: uniqueName('test.ingest'), gateway: uniqueName('gw') };
  await kafka.createTopics(s.topic, s.dlq);
  return s;
}

async function start(s: Scenario, extra: Partial<IngestOptions> = {}): Promise<IngestHandle> {
  const handle = await startIngest({
    brokers: env.brokers,
    clickhouseUrl: env.clickhouseUrl,
    topic: s.topic,
    deadLetterTopic: s.dlq,
    groupId: s.groupId,
    maxBatchRows: 50,
    maxBatchWaitMs: 200,
    logger: testLogger(),
    retryBackoff: { initialMs: 50, maxMs: 200 },
    ...extra,
  });
  running.push(handle);
  return handle;
}

async function stop(h: IngestHandle): Promise<void> {
  running.splice(running.indexOf(h), 1);
  await h.stop();
}

type Rec = { kind: 'request'; record: RequestRecord } | { kind: 'response'; record: ResponseRecord };

function records(gateway: string, n: number): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const ts = Date.now() - 5_000 + i;
    const req = sampleRequest({ gateway, ts_ms: ts, stream: i % 2 === 0, event_id: i % 3 === 0 ? `evt-${i}` : null, metadata: i % 4 === 0 ? {} : { i: String(i), tag: `t'${i}"\n` } });
    out.push({ kind: 'request', record: req });
    out.push({
      kind: 'response',
      record: sampleResponse({ gateway, log_id: req.log_id, request_id: req.request_id, ts_ms: ts, end_ms: ts + 100 + i, ttft_ms: i % 2 ? null : 20 + i, custom_cost_in: i % 2 ? 0.000001 * i : null, body: i % 5 ? null : `body ${i} ✓` }),
    });
  }
  return out;
}

function frames(recs: Rec[]): { key: string; value: Buffer; headers: Record<string, string> }[] {
  return recs.map((r) => ({
    key: r.record.log_id,
    value: r.kind === 'request' ? codec.encode('request', r.record) : codec.encode('response', r.record),
    headers: { [HEADERS.kind]: r.kind },
  }));
}

type Row = Record<string, unknown>;
const INT64_COLUMNS = new Set(['ts_ms', 'end_ms', 'request_bytes', 'input_tokens', 'cached_input_tokens', 'cache_write_tokens', 'output_tokens', 'reasoning_tokens', 'latency_ms', 'ttft_ms', 'response_bytes', 'kafka_offset']);

/** Rows of a *_final view for one gateway, with 64-bit ints as numbers and ts as epoch seconds. */
async function finalRows(view: 'requests_final' | 'responses_final', gateway: string): Promise<Row[]> {
  const rows = await queryRows<Row>(ch, `SELECT *, toUnixTimestamp(ts) AS ts_epoch, toUnixTimestamp(ingested_at) AS ingested_epoch FROM switchyard.${view} WHERE gateway = ${quoteString(gateway)} ORDER BY log_id`);
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, INT64_COLUMNS.has(k) && typeof v === 'string' ? Number(v) : v])));
}

async function countFinal(view: 'requests_final' | 'responses_final', gateway: string): Promise<number> {
  const [row] = await queryRows<{ n: string }>(ch, `SELECT count() AS n FROM switchyard.${view} WHERE gateway = ${quoteString(gateway)}`);
  return Number(row?.n ?? 0);
}

/** Compare a stored row with the record it came from, field by field. */
function expectRowMatches(row: Row, record: RequestRecord | ResponseRecord): void {
  const { metadata, stream, ts_ms, ...plain } = record;
  expect(row).toMatchObject(plain);
  expect(row.ts_ms).toBe(ts_ms);
  expect(row.ts_epoch).toBe(Math.floor(ts_ms / 1000));
  expect(row.stream).toBe(stream ? 1 : 0);
  const keys = row['metadata.key'] as string[];
  const values = row['metadata.value'] as string[];
  expect(Object.fromEntries(keys.map((k, i) => [k, values[i]]))).toEqual(metadata);
  // Written with the newest schema of its kind (request v1, response v2).
  expect(row.schema_version).toBe('budget_settled_usd' in record ? 2 : 1);
  expect(row.kafka_partition).toBeGreaterThanOrEqual(0);
  expect(row.kafka_partition).toBeLessThan(4);
  expect(Math.abs((row.ingested_epoch as number) - Date.now() / 1000)).toBeLessThan(120);
}

async function expectAllCommitted(s: Scenario): Promise<void> {
  expect(await kafka.committedToEnd(s.groupId, s.topic)).toBe(true);
}

async function waitForCounts(gateway: string, requests: number, responses: number): Promise<void> {
  await eventually(`${requests} requests and ${responses} responses in ClickHouse`, async () =>
    (await countFinal('requests_final', gateway)) === requests && (await countFinal('responses_final', gateway)) === responses ? true : undefined,
  );
}

describe('ingest (real Kafka and ClickHouse)', () => {
  it('stores every request and response record in the *_final views as produced, and commits all offsets', async () => {
    const s = await scenario();
    const recs = records(s.gateway, 60); // 120 frames over 4 partitions, batches of at most ~50 rows
    const ingest = await start(s);
    await kafka.produce(s.topic, frames(recs));
    await waitForCounts(s.gateway, 60, 60);

    const byId = (kind: Rec['kind']) => new Map(recs.filter((r) => r.kind === kind).map((r) => [r.record.log_id, r.record]));
    const requests = byId('request');
    const responses = byId('response');
    const reqRows = await finalRows('requests_final', s.gateway);
    const resRows = await finalRows('responses_final', s.gateway);
    for (const row of reqRows) expectRowMatches(row, requests.get(row.log_id as string) as RequestRecord);
    for (const row of resRows) expectRowMatches(row, responses.get(row.log_id as string) as ResponseRecord);
    // kafka_partition / kafka_offset point at where each frame really is
    const placed = new Map((await kafka.readAll(s.topic, 120)).map((m) => [`${m.key?.toString()}/${m.headers[HEADERS.kind]?.toString()}`, `${m.partition}/${m.offset}`]));
    for (const row of reqRows) expect(`${row.kafka_partition}/${row.kafka_offset}`).toBe(placed.get(`${row.log_id}/request`));
    for (const row of resRows) expect(`${row.kafka_partition}/${row.kafka_offset}`).toBe(placed.get(`${row.log_id}/response`));
    expect(new Set(reqRows.map((r) => r.kafka_partition)).size).toBeGreaterThan(1);

    await eventually('offsets committed', async () => ((await kafka.committedToEnd(s.groupId, s.topic)) ? true : undefined));
    const m = ingest.metrics();
    expect(m).toMatchObject({ recordsConsumed: 120, rowsInserted: { requests: 60, responses: 60 }, deadLettered: 0, insertRetries: 0, pendingRows: 0 });
    // 120 rows with maxBatchRows 50: more than one flush (a batch may overshoot by one Kafka batch)
    expect(m.batchesFlushed).toBeGreaterThanOrEqual(2);
    expect(m.lastBatchLagMs).toBeGreaterThanOrEqual(4_000);
    await stop(ingest);
    await expectAllCommitted(s);
  });

  it('sends undecodable frames to the dead-letter topic with reason and origin headers, and keeps consuming', async () => {
    const s = await scenario();
    const good = records(s.gateway, 10);
    const valid = codec.encode('request', sampleRequest({ gateway: s.gateway }));
    const unknownFingerprint = Buffer.from(valid);
    unknownFingerprint.writeUInt32LE(0x0badf00d, 2);
    const garbage = [
      { key: 'garbage-random', value: Buffer.concat([Buffer.from([0x00]), Buffer.from('random bytes, not a frame')]), reason: 'bad_magic' },
      { key: 'garbage-short', value: valid.subarray(0, 7), reason: 'truncated' },
      { key: 'garbage-cut', value: valid.subarray(0, valid.length - 4), reason: 'truncated' },
      { key: 'garbage-fingerprint', value: unknownFingerprint, reason: 'unknown_fingerprint' },
    ];
    const ingest = await start(s);
    // garbage first, between and after good records: consumption must go on past every bad frame
    const goodFrames = frames(good);
    await kafka.produce(s.topic, [...garbage.slice(0, 2), ...goodFrames.slice(0, 10), ...garbage.slice(2), ...goodFrames.slice(10)].map(({ key, value }) => ({ key, value, headers: { origin: 'test' } })));
    await waitForCounts(s.gateway, 10, 10);

    const dead = await kafka.readAll(s.dlq, garbage.length);
    const source = new Map((await kafka.readAll(s.topic, 24)).map((m) => [`${m.partition}/${m.offset}`, m.key?.toString()]));
    expect(dead).toHaveLength(garbage.length);
    for (const g of garbage) {
      const dl = dead.find((d) => d.key?.toString() === g.key);
      expect(dl, g.key).toBeDefined();
      expect(dl?.value).toEqual(g.value);
      const h = Object.fromEntries(Object.entries(dl?.headers ?? {}).map(([k, v]) => [k, String(v)]));
      expect(h).toMatchObject({ origin: 'test', [HEADERS.dlqReason]: g.reason, [HEADERS.dlqTopic]: s.topic });
      // the partition/offset headers point at the original frame
      expect(source.get(`${h[HEADERS.dlqPartition]}/${h[HEADERS.dlqOffset]}`)).toBe(g.key);
    }
    await eventually('offsets committed past the bad frames', async () => ((await kafka.committedToEnd(s.groupId, s.topic)) ? true : undefined));
    expect(ingest.metrics()).toMatchObject({ deadLettered: 4, recordsConsumed: 24 });
    await stop(ingest);
  });

  it('re-delivered records (produced twice, then replayed by a new group) leave no duplicates in the *_final views', async () => {
    const s = await scenario();
    const recs = records(s.gateway, 20);
    await kafka.produce(s.topic, frames(recs));
    await kafka.produce(s.topic, frames(recs));
    const first = await start(s);
    await eventually('both copies inserted', () => (first.metrics().rowsInserted.requests === 40 ? true : undefined));
    await waitForCounts(s.gateway, 20, 20);
    await stop(first);

    // a second group replays the whole topic, as after losing the committed offsets
    const replay = await start({ ...s, groupId: uniqueName('test.ingest.replay') });
    await eventually('replay inserted', () => (replay.metrics().rowsInserted.responses === 40 ? true : undefined));
    await stop(replay);
    await waitForCounts(s.gateway, 20, 20);
    const [distinct] = await queryRows<{ n: string }>(ch, `SELECT uniqExact(log_id) AS n FROM switchyard.requests_final WHERE gateway = ${quoteString(s.gateway)}`);
    expect(Number(distinct?.n)).toBe(20);
  });

  it('stop() inserts and commits the batch still being filled before leaving the group', async () => {
    const s = await scenario();
    const ingest = await start(s, { maxBatchRows: 100_000, maxBatchWaitMs: 600_000 });
    await kafka.produce(s.topic, frames(records(s.gateway, 15)));
    await eventually('all 30 frames buffered', () => (ingest.metrics().recordsConsumed === 30 ? true : undefined));
    expect(ingest.metrics().pendingRows).toBe(30);
    expect(await countFinal('requests_final', s.gateway)).toBe(0);
    expect(Object.values(await kafka.committed(s.groupId, s.topic)).every((o) => o === '-1')).toBe(true);

    await stop(ingest);
    expect(await countFinal('requests_final', s.gateway)).toBe(15);
    expect(await countFinal('responses_final', s.gateway)).toBe(15);
    await expectAllCommitted(s);
  });

  it('while ClickHouse is unreachable it retries with backoff and commits nothing; after it returns every row lands', async () => {
    const s = await scenario();
    const proxy = new CuttableProxy(env.clickhouseUrl);
    const proxyUrl = await proxy.listen();
    try {
      const ingest = await start(s, { clickhouseUrl: proxyUrl });
      proxy.cut();
      await kafka.produce(s.topic, frames(records(s.gateway, 25)));
      await eventually('insert retries', () => (ingest.metrics().insertRetries >= 3 ? true : undefined));
      expect(ingest.metrics().rowsInserted).toEqual({ requests: 0, responses: 0 });
      expect(Object.values(await kafka.committed(s.groupId, s.topic)).every((o) => o === '-1')).toBe(true);
      expect(await countFinal('requests_final', s.gateway)).toBe(0);
      expect(ingest.healthy()).toBe(true);

      proxy.restore();
      await waitForCounts(s.gateway, 25, 25);
      await eventually('offsets committed after recovery', async () => ((await kafka.committedToEnd(s.groupId, s.topic)) ? true : undefined));
      await stop(ingest);
      await expectAllCommitted(s);
    } finally {
      await proxy.close();
    }
  });

  it('a worker that dies before storing its batch loses nothing: the next worker of the group re-reads what it had not committed', async () => {
    const s = await scenario();
    const proxy = new CuttableProxy(env.clickhouseUrl);
    const proxyUrl = await proxy.listen();
    try {
      const doomed = await start(s, { clickhouseUrl: proxyUrl, stopTimeoutMs: 0 });
      const stored = records(s.gateway, 10);
      await kafka.produce(s.topic, frames(stored));
      await waitForCounts(s.gateway, 10, 10);
      await eventually('first records committed', async () => ((await kafka.committedToEnd(s.groupId, s.topic)) ? true : undefined));

      proxy.cut();
      await kafka.produce(s.topic, frames(records(s.gateway, 15)));
      await eventually('the doomed worker holds the new records', () => (doomed.metrics().recordsConsumed === 50 && doomed.metrics().insertRetries > 0 ? true : undefined));
      await stop(doomed); // deadline 0: gives up at once, as if killed; nothing more is committed
      expect(await kafka.committedToEnd(s.groupId, s.topic)).toBe(false);

      const successor = await start(s);
      await waitForCounts(s.gateway, 25, 25);
      await eventually('all offsets committed by the successor', async () => ((await kafka.committedToEnd(s.groupId, s.topic)) ? true : undefined));
      // it re-read only the uncommitted records
      expect(successor.metrics().recordsConsumed).toBe(30);
      await stop(successor);
    } finally {
      await proxy.close();
    }
  });

  it('two workers in one group share the partitions; rebalances while records flow leave every record exactly once', async () => {
    const s = await scenario();
    const fast = { kafka: { heartbeatIntervalMs: 300, sessionTimeoutMs: 6_000 } };
    const a = await start(s, fast);
    await kafka.produce(s.topic, frames(records(s.gateway, 30)));
    const b = await start(s, fast); // joining triggers a rebalance
    await kafka.produce(s.topic, frames(records(s.gateway, 30)));
    await waitForCounts(s.gateway, 60, 60);
    await eventually('the first worker rejoined', () => (a.metrics().groupJoins >= 2 ? true : undefined));
    expect(b.metrics().recordsConsumed).toBeGreaterThan(0);

    await stop(a); // leaving triggers another rebalance: b takes every partition
    await kafka.produce(s.topic, frames(records(s.gateway, 30)));
    await waitForCounts(s.gateway, 90, 90);
    await eventually('all offsets committed', async () => ((await kafka.committedToEnd(s.groupId, s.topic)) ? true : undefined));
    expect(b.metrics().groupJoins).toBeGreaterThanOrEqual(2);
    await stop(b);
    const [distinct] = await queryRows<{ n: string }>(ch, `SELECT toString(uniqExact(log_id)) AS n FROM switchyard.responses_final WHERE gateway = ${quoteString(s.gateway)}`);
    expect(distinct?.n).toBe('90');
  });

  it('during a ClickHouse outage longer than the session timeout it stops consuming and keeps its group membership', async () => {
    const s = await scenario();
    const proxy = new CuttableProxy(env.clickhouseUrl);
    const proxyUrl = await proxy.listen();
    try {
      const ingest = await start(s, { clickhouseUrl: proxyUrl, maxBatchRows: 10, kafka: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 } });
      proxy.cut();
      await kafka.produce(s.topic, frames(records(s.gateway, 100)));
      await eventually('insert retries', () => (ingest.metrics().insertRetries >= 1 ? true : undefined));
      // Longer than the session timeout: without heartbeats while blocked the broker would evict us.
      const until = Date.now() + 8_000;
      while (Date.now() < until) {
        const m = ingest.metrics();
        expect(m.recordsConsumed).toBeLessThan(200); // backpressure: the worker stopped taking batches
        expect(m.rowsInserted).toEqual({ requests: 0, responses: 0 });
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(Object.values(await kafka.committed(s.groupId, s.topic)).every((o) => o === '-1')).toBe(true);

      proxy.restore();
      await waitForCounts(s.gateway, 100, 100);
      await eventually('offsets committed after recovery', async () => ((await kafka.committedToEnd(s.groupId, s.topic)) ? true : undefined));
      expect(ingest.metrics().groupJoins).toBe(1);
      await stop(ingest);
    } finally {
      await proxy.close();
    }
  });
});
