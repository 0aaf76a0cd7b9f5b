// `npm run bench:pipeline`: G8 (cost of publishing records) and G9 (ingest into ClickHouse) on the
// local stack (started if needed). Prints figures and writes bench/results/pipeline.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaRecordProducer, kafkaTransport } from '@switchyard/gateway';
import { startIngest } from '@switchyard/ingest';
import { createLogger, RecordCodec, type ResponseRecord } from '@switchyard/schemas';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const log = (s: string) => process.stdout.write(`${s}\n`);
const silent = createLogger('bench', { level: 'silent' });
const run = Date.now().toString(36);

function stackEnv(): { brokers: string[]; clickhouseUrl: string } {
  if (process.env.KAFKA_BROKERS && process.env.CLICKHOUSE_URL) return { brokers: process.env.KAFKA_BROKERS.split(','), clickhouseUrl: process.env.CLICKHOUSE_URL };
  execFileSync('bash', [resolve(root, 'scripts/stack/up.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = Object.fromEntries(readFileSync(resolve(root, '.stack/stack.env'), 'utf8').trim().split('\n').map((l) => l.split('=') as [string, string]));
  return { brokers: (env.KAFKA_BROKERS as string).split(','), clickhouseUrl: env.CLICKHOUSE_URL as string };
}

function record(i: number, gateway: string, tsMs: number): ResponseRecord {
  return {
    log_id: `${run}-${String(i).padStart(9, '0')}`, request_id: `r${i}`, event_id: null, ts_ms: tsMs, end_ms: tsMs + 5, gateway, node_id: 'bench',
    route: 'native', provider: 'openai', model: 'gpt-4o', stream: i % 2 === 0, metadata: { team: `t${i % 7}` }, token_id: null,
    status: 200, outcome: 'success', error_code: null, upstream_status: 200, input_tokens: 100 + (i % 50), cached_input_tokens: 0,
    cache_write_tokens: 0, output_tokens: 20 + (i % 30), reasoning_tokens: 0, usage_source: 'provider', latency_ms: 25, ttft_ms: 5,
    cache_status: 'MISS', attempts: 1, step: 0, custom_cost_in: null, custom_cost_out: null, response_bytes: 800, body: null,
    limit_hit: null, budget_reserved_usd: 0, budget_settled_usd: 0, key_alias: null,
  };
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0; };

async function main(): Promise<void> {
  const { brokers, clickhouseUrl } = stackEnv();
  const codec = new RecordCodec();
  const results: Record<string, unknown> = { generatedAt: new Date().toISOString() };

  // G8a: Avro encode throughput, one core.
  const sample = Array.from({ length: 1000 }, (_, i) => record(i, 'bench', Date.now()));
  for (let i = 0; i < 50_000; i++) codec.encode('response', sample[i % 1000]!);
  const n = 300_000;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) codec.encode('response', sample[i % 1000]!);
  const encodePerS = Math.round(n / ((performance.now() - t0) / 1000));
  log(`G8  Avro encode (response record, single-object frame): ${encodePerS.toLocaleString()} records/s on one core (target >= 300,000)`);
  results.encodePerSecond = encodePerS;

  // G8b: the gateway's producer (bounded queue, batches, acks from all in-sync replicas) to the real broker.
  const topic = `bench.produce.${run}`;
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }, { topic: `${topic}.dlq`, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const producer = new KafkaRecordProducer({ transport: kafkaTransport({ brokers, clientId: 'bench', logger: silent }), topic, codec, logger: silent, queueMax: 1_000_000, batchMax: 5_000, lingerMs: 5 });
  const total = 200_000;
  const gateway = `bench_${run}`;
  t0 = performance.now();
  const tPublish = performance.now();
  for (let i = 0; i < total; i++) producer.publish('response', record(i, gateway, Date.now()));
  const publishUsPerRecord = ((performance.now() - tPublish) * 1000) / total;
  while (producer.stats().published < total) await new Promise((r) => setTimeout(r, 20));
  const producePerS = Math.round(total / ((performance.now() - t0) / 1000));
  await producer.close();
  log(`G8  produce through the gateway's producer: ${producePerS.toLocaleString()} records/s to Kafka (target >= 100,000); publish() on the request path: ${publishUsPerRecord.toFixed(2)} µs per record`);
  results.producePerSecond = producePerS;
  results.publishMicrosPerRecord = Math.round(publishUsPerRecord * 100) / 100;

  // G9a: ingest throughput: one worker drains the 200k records into ClickHouse.
  const ch = createClient({ url: clickhouseUrl });
  const count = async () => {
    const r = await ch.query({ query: `SELECT toString(count()) AS n FROM switchyard.responses WHERE gateway = '${gateway}'`, format: 'JSONEachRow' });
    return Number((await r.json<{ n: string }>())[0]?.n ?? 0);
  };
  t0 = performance.now();
  const ingest = await startIngest({ brokers, clickhouseUrl, topic, deadLetterTopic: `${topic}.dlq`, groupId: `bench-${run}`, logger: silent });
  while ((await count()) < total) await new Promise((r) => setTimeout(r, 100));
  const ingestPerS = Math.round(total / ((performance.now() - t0) / 1000));
  log(`G9  ingest: ${ingestPerS.toLocaleString()} rows/s into ClickHouse by one worker, join and migrations included (target >= 100,000)`);
  results.ingestRowsPerSecond = ingestPerS;

  // G9b: end-to-end lag at 10k records/s for 10 s: record ts -> row visible, sampled from ingest's batch lag.
  const lags: number[] = [];
  const live = `bench_live_${run}`;
  const lagProducer = new KafkaRecordProducer({ transport: kafkaTransport({ brokers, clientId: 'bench-lag', logger: silent }), topic, codec, logger: silent, queueMax: 1_000_000, batchMax: 2_000, lingerMs: 20 });
  const start = Date.now();
  // The first 2 s still report the lag of the backlog batches above: sample the steady state only.
  const sampler = setInterval(() => { const l = ingest.metrics().lastBatchLagMs; if (l !== null && Date.now() - start > 2_000) lags.push(l); }, 100);
  let sent = 0;
  while (Date.now() - start < 10_000) {
    const due = Math.floor(((Date.now() - start) / 1000) * 10_000);
    for (; sent < due; sent++) lagProducer.publish('response', record(total + sent, live, Date.now()));
    await new Promise((r) => setTimeout(r, 10));
  }
  await lagProducer.close();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await ch.query({ query: `SELECT toString(count()) AS n FROM switchyard.responses WHERE gateway = '${live}'`, format: 'JSONEachRow' });
    if (Number((await r.json<{ n: string }>())[0]?.n ?? 0) >= sent) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  clearInterval(sampler);
  const lag = { p50Ms: pct(lags, 0.5), p99Ms: pct(lags, 0.99), samples: lags.length, records: sent };
  log(`G9  end-to-end lag at 10,000 records/s (record time -> batch stored, sampled every 100 ms): p50 ${lag.p50Ms} ms, p99 ${lag.p99Ms} ms (target p99 <= 2,000 ms)`);
  results.lagAt10kPerSecond = lag;

  await ingest.stop();
  await ch.command({ query: `ALTER TABLE switchyard.responses DELETE WHERE gateway IN ('${gateway}', '${live}')` });
  await ch.close();
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
  await admin.disconnect();
  const out = resolve(root, 'bench/results/pipeline.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${out}`);
}

main().then(() => process.exit(0), (err: unknown) => { process.stderr.write(`bench failed: ${(err as Error).stack}\n`); process.exit(1); });
