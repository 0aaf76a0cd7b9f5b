// The service entry point as a real process: env config, /healthz and /metrics, SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordCodec, quoteString } from '@switchyard/schemas';
import { KafkaTestClient, clickhouse, e2eEnv, eventually, queryRows, uniqueName } from './e2e-support.ts';
import { sampleRequest, sampleResponse } from './test-support.ts';

const env = e2eEnv();
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
let kafka: KafkaTestClient;
const ch = clickhouse(env.clickhouseUrl);
const children: ChildProcess[] = [];

beforeAll(async () => {
  kafka = new KafkaTestClient(env.brokers);
  await kafka.connect();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await kafka.close();
  await ch.close();
});

/** Start `node ingest/src/main.ts`, collecting its JSON log lines. */
function spawnService(extraEnv: Record<string, string>): { child: ChildProcess; logs: Record<string, unknown>[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, LOG_LEVEL: 'info', ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ msg: line });
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, logs, exited };
}

describe('ingest service process', () => {
  it('serves /healthz and /metrics, ingests, and on SIGTERM commits and exits 0', async () => {
    const topic = uniqueName('test.records');
    const dlq = uniqueName('test.records.dlq');
    const groupId = uniqueName('test.ingest.main');
    const gateway = uniqueName('gw');
    await kafka.createTopics(topic, dlq);
    const svc = spawnService({
      KAFKA_BROKERS: env.brokers.join(','),
      CLICKHOUSE_URL: env.clickhouseUrl,
      INGEST_GROUP_ID: groupId,
      INGEST_TOPIC: topic,
      INGEST_DEAD_LETTER_TOPIC: dlq,
      INGEST_MAX_BATCH_ROWS: '1000',
      INGEST_MAX_BATCH_WAIT_MS: '600000', // only the SIGTERM flush can store the rows
      INGEST_METRICS_PORT: '0',
    });
    const port = await eventually('the ops server port', () => svc.logs.find((l) => l.msg === 'serving /healthz and /metrics')?.port as number | undefined, 30_000);
    await eventually('ingest started', () => (svc.logs.some((l) => l.msg === 'ingest started') ? true : undefined), 30_000);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const codec = new RecordCodec();
    const req = sampleRequest({ gateway });
    await kafka.produce(topic, [
      { key: req.log_id, value: codec.encode('request', req) },
      { key: req.log_id, value: codec.encode('response', sampleResponse({ gateway, log_id: req.log_id })) },
      { key: 'junk', value: Buffer.from('junk') },
    ]);
    const metrics = await eventually('3 records consumed', async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return text.includes('\nswy_ingest_records_consumed_total 3\n') ? text : undefined;
    });
    expect(metrics).toContain('\nswy_ingest_dead_letters_total 1\n');
    expect(metrics).toContain('\nswy_ingest_pending_rows 2\n');

    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    const [row] = await queryRows<{ n: string }>(ch, `SELECT toString(count()) AS n FROM switchyard.responses_final WHERE gateway = ${quoteString(gateway)}`);
    expect(row?.n).toBe('1');
    expect(await kafka.committedToEnd(groupId, topic)).toBe(true);
  });

  it('refuses to start with invalid configuration, exiting 2 and naming the variable', async () => {
    const svc = spawnService({ KAFKA_BROKERS: 'k:9092', INGEST_MAX_BATCH_ROWS: 'lots' });
    expect(await svc.exited).toBe(2);
    expect(JSON.stringify(svc.logs)).toContain('maxBatchRows');
  });
});
