// Helpers for ingest's e2e tests against the real Kafka and ClickHouse (KAFKA_BROKERS,
// CLICKHOUSE_URL): unique topics, producing frames with kafkajs directly, reading ClickHouse and
// the dead-letter topic, and a TCP proxy that can cut ClickHouse off to simulate an outage.
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Kafka, Partitioners, logLevel, type Admin, type IHeaders, type Producer } from 'kafkajs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createLogger, type Logger } from '@switchyard/schemas';

export function e2eEnv(): { brokers: string[]; clickhouseUrl: string } {
  const brokers = process.env.KAFKA_BROKERS;
  const clickhouseUrl = process.env.CLICKHOUSE_URL;
  if (!brokers || !clickhouseUrl) throw new Error('KAFKA_BROKERS and CLICKHOUSE_URL must be set (test/global-setup.ts does it)');
  return { brokers: brokers.split(','), clickhouseUrl };
}

export function uniqueName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** Quiet unless LOG_LEVEL is set. */
export function testLogger(): Logger {
  return createLogger('ingest-e2e', { level: process.env.LOG_LEVEL ?? 'silent' });
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export class KafkaTestClient {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
  private readonly topics: string[] = [];

  constructor(brokers: string[]) {
    this.kafka = new Kafka({ clientId: 'ingest-e2e', brokers, logLevel: logLevel.ERROR });
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  }

  async connect(): Promise<void> {
    await this.admin.connect();
    await this.producer.connect();
  }

  /** Create topics explicitly (4 partitions) rather than relying on auto-creation. */
  async createTopics(...names: string[]): Promise<void> {
    await this.admin.createTopics({ waitForLeaders: true, topics: names.map((topic) => ({ topic, numPartitions: 4, replicationFactor: 1 })) });
    this.topics.push(...names);
  }

  async produce(topic: string, messages: { key: string | null; value: Buffer; headers?: IHeaders }[]): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages });
  }

  /** Committed offset per partition for a group ('-1' when none). */
  async committed(groupId: string, topic: string): Promise<Record<number, string>> {
    const [t] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((t?.partitions ?? []).map((p) => [p.partition, p.offset]));
  }

  /** End offset (high watermark) per partition. */
  async endOffsets(topic: string): Promise<Record<number, string>> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return Object.fromEntries(offsets.map((p) => [p.partition, p.high]));
  }

  /** Whether the group committed every partition up to its end (empty partitions need no commit). */
  async committedToEnd(groupId: string, topic: string): Promise<boolean> {
    const [committed, end] = await Promise.all([this.committed(groupId, topic), this.endOffsets(topic)]);
    return Object.entries(end).every(([p, high]) => (committed[Number(p)] ?? '-1') === (high === '0' ? '-1' : high));
  }

  /** Read every message of a topic from the beginning until `count` arrived. */
  async readAll(topic: string, count: number, timeoutMs = 30_000): Promise<ReadMessage[]> {
    const consumer = this.kafka.consumer({ groupId: uniqueName('ingest-e2e-reader'), maxWaitTimeInMs: 200 });
    const out: ReadMessage[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${out.length} of ${count} messages on ${topic} after ${timeoutMs} ms`)), timeoutMs);
        void consumer.run({
          eachMessage: async ({ partition, message }) => {
            out.push({ partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} });
            if (out.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await consumer.disconnect();
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.topics.length > 0) await this.admin.deleteTopics({ topics: this.topics.splice(0) }).catch(() => {});
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}

export function clickhouse(url: string): ClickHouseClient {
  return createClient({ url });
}

export async function queryRows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await client.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** Poll until `check` returns a value that is not undefined, or fail after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A TCP proxy to a real server that can be switched off (connections reset, new ones refused). */
export class CuttableProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private down = false;
  private readonly target: { host: string; port: number };

  constructor(targetUrl: string) {
    const u = new URL(targetUrl);
    this.target = { host: u.hostname, port: Number(u.port || 80) };
    this.server = createServer((client) => {
      if (this.down) return void client.destroy();
      const upstream = connect(this.target);
      this.track(client);
      this.track(upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((r) => this.server.close(r));
  }
}
