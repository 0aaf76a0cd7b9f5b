// Shared scaffolding of the chaos scenarios: one run = unique topic, dead-letter topic, consumer
// group, gateway name and temp dir; real processes (mock upstream, gateway nodes, ingest workers);
// and the final count in ClickHouse of the records the load generator's requests produced.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { sql } from '@switchyard/schemas';
import { freePort, scrape, startGatewayProcess, startIngestProcess, startMockUpstreamProcess, type IngestProcessOptions, type ServiceProcess } from '../../scripts/chaos/processes.ts';
import { restoreStack, unmanagedReason } from '../../scripts/chaos/stack.ts';
import type { LoadResult } from '../../scripts/chaos/load.ts';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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

export interface IngestWorker {
  proc: ServiceProcess;
  metrics(): Promise<Record<string, number>>;
}

/** Timestamped progress lines, so a failing run shows its timeline. */
export function timeline(label: string): (what: string) => void {
  const t0 = Date.now();
  return (what) => console.log(`[chaos ${label}] +${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
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

  /** Kill every process of the run, bring the stack back if a fault left it down, delete the run's topics and group. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    await Promise.all(this.procs.map((p) => p.kill9()));
    await restoreStack().catch((err: unknown) => errors.push(err));
    try {
      await this.admin.connect();
      await this.admin.deleteTopics({ topics: [this.topic, this.deadLetterTopic], timeout: 10_000 }).catch(() => undefined);
      await this.admin.deleteGroups([this.groupId]).catch(() => undefined);
    } finally {
      await this.admin.disconnect().catch(() => undefined);
    }
    await this.clickhouse.close();
    // CHAOS_KEEP_LOGS=1 keeps the processes' logs (and spool) for a look afterwards.
    if (errors.length === 0 && !process.env.CHAOS_KEEP_LOGS) rmSync(this.dir, { recursive: true, force: true });
    else console.log(`[chaos] logs kept in ${this.dir}`);
    if (errors.length > 0) throw errors[0];
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
