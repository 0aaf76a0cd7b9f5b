// Shared scaffolding of the chaos scenarios: one run = unique topic, dead-letter topic, consumer
// group, gateway name and temp dir; real processes (mock upstream, gateway nodes, ingest workers);
// and the final count in ClickHouse of the records the load generator's requests produced.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { RecordCodec, sql } from '@switchyard/schemas';
import { freePort, scrape, startGatewayProcess, startIngestProcess, startMockUpstreamProcess, type IngestProcessOptions, type ServiceProcess } from '../../scripts/chaos/processes.ts';
import { restoreStack, unmanagedReason } from '../../scripts/chaos/stack.ts';
import { startLoad, type LoadResult, type LoadRun } from '../../scripts/chaos/load.ts';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `check` until it returns something other than undefined; throws after timeoutMs. */
export async function until<T>(what: string | (() => string), check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}

/** Timestamped progress lines, so a failing run shows its timeline. */
export function timeline(label: string): (what: string) => void {
  const t0 = Date.now();
  return (what) => console.log(`[chaos ${label}] +${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
}

export function chaosEnv(): { brokers: string[]; clickhouseUrl: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const clickhouseUrl = process.env.CLICKHOUSE_URL;
  if (!brokers || !clickhouseUrl) throw new Error('KAFKA_BROKERS and CLICKHOUSE_URL must be set (test/global-setup.ts does it)');
  return { brokers: brokers.split(','), clickhouseUrl };
}

/** Why the chaos tests cannot run here (the services are not the local stack they can fault), or null. */
export function cannotFault(): string | null {
  const { brokers, clickhouseUrl } = chaosEnv();
  return unmanagedReason(brokers, clickhouseUrl);
}

export interface GatewayNode {
  proc: ServiceProcess;
  origin: string;
  /** /v1/<gateway>/openai/chat/completions */
  chatPath: string;
  metrics(): Promise<Record<string, number>>;
}

/**
 * Wait until a gateway node has nothing left for Kafka: spool and queue empty, connected, and
 * the published count steady over two scrapes (a batch in flight has left the queue but is not
 * counted as published until Kafka acknowledged it). Returns the last metrics.
 */
export async function drained(node: GatewayNode, timeoutMs = 30_000): Promise<Record<string, number>> {
  let previous = -1;
  let last: Record<string, number> = {};
  const describe = () => `the gateway to drain its spool and queue (last metrics: ${JSON.stringify(last)})\n--- ${node.proc.logPath} ---\n${node.proc.tail(6)}`;
  return until(describe, async () => {
    const m = await node.metrics();
    last = m;
    const idle = m.switchyard_spool_bytes === 0 && m.switchyard_records_queued === 0 && m.switchyard_kafka_connected === 1;
    const published = m.switchyard_records_published_total ?? -1;
    const steady = idle && published === previous;
    previous = idle ? published : -1;
    return steady ? m : undefined;
  }, timeoutMs, 300);
}

export interface IngestWorker {
  proc: ServiceProcess;
  metrics(): Promise<Record<string, number>>;
}

export class ChaosRun {
  readonly id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  readonly gateway: string;
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly groupId: string;
  readonly dir: string;
  readonly brokers: string[];
  readonly clickhouseUrl: string;
  readonly clickhouse: ClickHouseClient;
  private readonly admin: Admin;
  private readonly procs: ServiceProcess[] = [];
  private readonly loads: LoadRun[] = [];
  private keepLogs = !!process.env.CHAOS_KEEP_LOGS;
  private mockUrl = '';
  private gatewayPort = 0;

  constructor(label: string) {
    const env = chaosEnv();
    this.brokers = env.brokers;
    this.clickhouseUrl = env.clickhouseUrl;
    this.gateway = `chaos_${label}_${this.id}`;
    this.topic = `chaos.${label}.${this.id}`;
    this.deadLetterTopic = `${this.topic}.dlq`;
    this.groupId = `chaos-${label}-${this.id}`;
    this.dir = mkdtempSync(join(tmpdir(), `switchyard-chaos-${label}-`));
    this.clickhouse = createClient({ url: this.clickhouseUrl, request_timeout: 30_000 });
    this.admin = new Kafka({ clientId: 'chaos', brokers: this.brokers, logLevel: logLevel.NOTHING }).admin();
  }

  /** Topics (4 partitions) and the mock upstream. */
  async open(): Promise<void> {
    await this.admin.connect();
    await this.admin.createTopics({ waitForLeaders: true, topics: [this.topic, this.deadLetterTopic].map((topic) => ({ topic, numPartitions: 4, replicationFactor: 1 })) });
    const mock = await startMockUpstreamProcess(this.dir);
    this.procs.push(mock.proc);
    this.mockUrl = mock.url;
    this.gatewayPort = await freePort();
  }

  /**
   * A gateway node (`node gateway/src/main.ts`) for this run's gateway and topic. Every node of
   * the run listens on the same port and, unless told otherwise, uses the same spool directory,
   * so a restarted node replays what its predecessor spooled.
   */
  async startGateway(name = 'gateway', spoolDir = join(this.dir, 'spool')): Promise<GatewayNode> {
    const config = {
      node_id: `chaos-${this.id}`,
      listen: { host: '127.0.0.1', port: this.gatewayPort },
      telemetry: {
        kafka: { brokers: this.brokers, topic: this.topic, client_id: `chaos-${this.id}` },
        spool: { dir: spoolDir },
        linger_ms: 5,
      },
      providers: { openai: { base_url: `${this.mockUrl}/v1`, api_key: 'sk-chaos' } },
      gateways: { [this.gateway]: {} },
    };
    const { proc, origin } = await startGatewayProcess(name, config, join(this.dir, `${name}.json`), this.dir);
    this.procs.push(proc);
    return { proc, origin, chatPath: `/v1/${this.gateway}/openai/chat/completions`, metrics: () => scrape(`${origin}/metrics`) };
  }

  /** Open-loop load on a gateway node's chat route (stopped by close() if a test fails midway). */
  load(node: GatewayNode, ratePerSecond: number, durationMs: number): LoadRun {
    const run = startLoad({ origin: node.origin, path: node.chatPath, ratePerSecond, durationMs });
    this.loads.push(run);
    return run;
  }

  /** An ingest worker (`node ingest/src/main.ts`) in this run's group, reading this run's topic. */
  async startIngest(name: string, opts: Partial<IngestProcessOptions> = {}): Promise<IngestWorker> {
    const { proc, metricsUrl } = await startIngestProcess(name, {
      brokers: this.brokers, clickhouseUrl: this.clickhouseUrl, groupId: this.groupId, topic: this.topic, deadLetterTopic: this.deadLetterTopic,
      ...opts,
    }, this.dir);
    this.procs.push(proc);
    return { proc, metrics: () => scrape(metricsUrl) };
  }

  /** Committed offset per partition of this run's group (-1 = none). */
  async committedOffsets(): Promise<number[]> {
    const [t] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    return (t?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  }

  /** End offset (high watermark) per partition of this run's topic. */
  async endOffsets(): Promise<number[]> {
    return (await this.admin.fetchTopicOffsets(this.topic)).sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));
  }

  /**
   * Run a scenario, then always close(): the run's processes, load and topics go away and the
   * stack is up again. If the scenario failed, the processes' logs and the spool stay in `dir`.
   */
  async around(scenario: () => Promise<void>): Promise<void> {
    try {
      await scenario();
    } catch (err) {
      this.keepLogs = true;
      throw err;
    } finally {
      await this.close();
    }
  }

  /** Bring the stack back if a fault left it down, stop every process of the run, delete the run's topics and group. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const load of this.loads) load.stop();
    await Promise.all(this.loads.map((l) => l.done));
    // Stack first, so that the workers can leave their group (and the group can be deleted).
    await restoreStack().catch((err: unknown) => errors.push(err));
    await Promise.all(this.procs.map((p) => p.terminate(5_000)));
    try {
      await this.admin.connect();
      await this.admin.deleteTopics({ topics: [this.topic, this.deadLetterTopic], timeout: 10_000 }).catch(() => undefined);
      await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
    } finally {
      await this.admin.disconnect().catch(() => undefined);
    }
    await this.clickhouse.close();
    // CHAOS_KEEP_LOGS=1 keeps the processes' logs (and spool) for a look afterwards.
    if (errors.length === 0 && !this.keepLogs) rmSync(this.dir, { recursive: true, force: true });
    else console.log(`[chaos] logs kept in ${this.dir}`);
    if (errors.length > 0) throw errors[0];
  }

  /**
   * How far this run's records are out of order in Kafka: reading each partition from the start,
   * the largest amount by which a request record's ts_ms is older than one before it (a record's
   * second copy, from an at-least-once re-send, is skipped). A spool replayed behind newer records
   * would show about the outage's length; in-order delivery leaves only the jitter between a
   * request's start and its record's publication (milliseconds). Also returns how many distinct
   * request records were read.
   */
  async orderInKafka(): Promise<{ maxInversionMs: number; requestRecords: number }> {
    const end = await this.endOffsets();
    const kafka = new Kafka({ clientId: 'chaos-order', brokers: this.brokers, logLevel: logLevel.NOTHING });
    const reader = `${this.groupId}-order`;
    const consumer = kafka.consumer({ groupId: reader, maxWaitTimeInMs: 200 });
    const codec = new RecordCodec();
    const seen = new Set<string>();
    const newest = new Map<number, number>();
    const reached = new Set<number>(end.flatMap((high, p) => (high === 0 ? [p] : [])));
    let worst = 0;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        if (reached.size === end.length) return resolve();
        const timer = setTimeout(() => reject(new Error(`could not read ${this.topic} to its end within 30 s`)), 30_000);
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            const decoded = codec.decode(message.value as Buffer);
            if (decoded.kind === 'request' && !seen.has(decoded.record.log_id)) {
              seen.add(decoded.record.log_id);
              const ts = Number(decoded.record.ts_ms);
              const top = newest.get(partition) ?? 0;
              worst = Math.max(worst, top - ts);
              newest.set(partition, Math.max(top, ts));
            }
            if (Number(message.offset) + 1 >= (end[partition] ?? 0)) reached.add(partition);
            if (reached.size === end.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        }).catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await this.admin.deleteGroups([reader]).catch(() => undefined);
    }
    return { maxInversionMs: worst, requestRecords: seen.size };
  }

  /** Per log_id, how many rows a view (or table) holds for this run's gateway. */
  async rowsPerLogId(table: string): Promise<Map<string, number>> {
    const rs = await this.clickhouse.query({
      query: `SELECT log_id, toString(count()) AS n FROM switchyard.${table} WHERE gateway = ${sql`${this.gateway}`} GROUP BY log_id`,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ log_id: string; n: string }>();
    return new Map(rows.map((r) => [r.log_id, Number(r.n)]));
  }

  /**
   * Wait until both final views hold every id in `ids` (or `timeoutMs` passed), then count:
   * ids missing, ids stored more than once, and rows whose id the client never saw. Also the raw
   * tables' surplus rows (replays that ReplacingMergeTree has not merged away yet), as evidence of
   * what the views collapsed.
   */
  async countStored(ids: ReadonlySet<string>, timeoutMs = 60_000): Promise<StoredCounts> {
    const deadline = Date.now() + timeoutMs;
    const count = async (view: string): Promise<ViewCount> => {
      const rows = await this.rowsPerLogId(view);
      let missing = 0;
      let duplicates = 0;
      let unknown = 0;
      for (const id of ids) if (!rows.has(id)) missing++;
      for (const [id, n] of rows) {
        if (n > 1) duplicates += n - 1;
        if (!ids.has(id)) unknown++;
      }
      return { expected: ids.size, stored: rows.size, missing, duplicates, unknown };
    };
    for (;;) {
      const requests = await count('requests_final').catch(() => undefined);
      const responses = await count('responses_final').catch(() => undefined);
      if ((requests && responses && requests.missing === 0 && responses.missing === 0) || Date.now() > deadline) {
        if (!requests || !responses) throw new Error('ClickHouse did not answer the final count');
        const raw = async (table: string) => [...(await this.rowsPerLogId(table)).values()].reduce((a, n) => a + n - 1, 0);
        return { requests, responses, rawReplays: { requests: await raw('requests'), responses: await raw('responses') } };
      }
      await sleep(500);
    }
  }
}

export interface ViewCount {
  /** Ids the client saw answered. */
  expected: number;
  /** Distinct ids in the view for this gateway. */
  stored: number;
  missing: number;
  /** Rows beyond the first per id (must be 0 in a final view). */
  duplicates: number;
  /** Ids in the view that no answered request carried (requests cut by a kill, for example). */
  unknown: number;
}

export interface StoredCounts {
  requests: ViewCount;
  responses: ViewCount;
  /** Surplus rows in the raw tables: records stored twice by a replay, collapsed by the views. */
  rawReplays: { requests: number; responses: number };
}

/** The ids of the requests that were answered 200. */
export function answeredIds(result: LoadResult): Set<string> {
  return new Set(result.samples.filter((s) => s.status === 200 && s.logId !== null).map((s) => s.logId as string));
}

/** Sum of `switchyard_records_dropped_total` over every reason, and the per-reason values. */
export function droppedRecords(metrics: Record<string, number>): { total: number; byReason: Record<string, number> } {
  const byReason: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of Object.entries(metrics)) {
    const m = /^switchyard_records_dropped_total\{reason="([^"]+)"\}$/.exec(k);
    if (!m) continue;
    byReason[m[1] as string] = v;
    total += v;
  }
  if (Object.keys(byReason).length === 0) throw new Error('no switchyard_records_dropped_total series in the metrics');
  return { total, byReason };
}
