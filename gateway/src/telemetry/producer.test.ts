import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, RecordCodec, type RequestRecord } from '@switchyard/schemas';
import type { OutgoingMessage, RecordTransport } from './kafka.ts';
import { kafkaTransport } from './kafka.ts';
import { KafkaRecordProducer } from './producer.ts';
import { Spool } from './spool.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway } from '../testing.ts';

const logger = createLogger('producer-test', { level: 'silent' });

function requestRecord(i: number): RequestRecord {
  return {
    log_id: `log-${i}`, request_id: `req-${i}`, event_id: null, ts_ms: 1_700_000_000_000 + i, gateway: 'g', node_id: 'n', route: 'native',
    provider: 'openai', model: 'gpt-4o', path: '/chat/completions', stream: false, metadata: {}, token_id: null, request_bytes: 10, body: null,
  };
}

/** A transport that records batches in memory and can be told to fail: the producer's own logic under test. */
class MemoryTransport implements RecordTransport {
  batches: OutgoingMessage[][] = [];
  failing = false;
  async connect(): Promise<void> {
    if (this.failing) throw new Error('broker down');
  }
  async send(_topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.failing) throw new Error('broker down');
    this.batches.push(messages);
  }
  async disconnect(): Promise<void> {}
}

describe('KafkaRecordProducer', () => {
  it('batches records, keys them by log_id and encodes decodable frames', async () => {
    const transport = new MemoryTransport();
    const codec = new RecordCodec();
    const p = new KafkaRecordProducer({ transport, topic: 't', codec, logger, queueMax: 100, batchMax: 10, lingerMs: 5 });
    for (let i = 0; i < 25; i++) p.publish('request', requestRecord(i));
    await p.close();
    const all = transport.batches.flat();
    expect(all).toHaveLength(25);
    expect(Math.max(...transport.batches.map((b) => b.length))).toBeLessThanOrEqual(10);
    expect(all[3]?.key).toBe('log-3');
    expect(all[3]?.headers['swy-kind']).toBe('request');
    expect(codec.decode(all[3]!.value)).toMatchObject({ kind: 'request', record: requestRecord(3) });
    expect(p.stats().published).toBe(25);
  });

  it('drops records beyond the queue bound and counts each one', async () => {
    const transport = new MemoryTransport();
    transport.failing = true;
    const p = new KafkaRecordProducer({ transport, topic: 't', codec: new RecordCodec(), logger, queueMax: 10, batchMax: 5, lingerMs: 1_000, reconnectMs: 10_000 });
    for (let i = 0; i < 15; i++) p.publish('request', requestRecord(i));
    expect(p.stats().droppedQueueFull).toBe(5);
    expect(p.stats().queued).toBe(10);
    await p.close(10);
    // What could not be delivered at close is counted too: every record is accounted for.
    const s = p.stats();
    expect(s.published + s.droppedQueueFull + s.droppedSendFailed).toBe(15);
  });

  it('keeps queued records while the broker is away and delivers them when it returns', async () => {
    const transport = new MemoryTransport();
    transport.failing = true;
    const p = new KafkaRecordProducer({ transport, topic: 't', codec: new RecordCodec(), logger, queueMax: 100, batchMax: 50, lingerMs: 1, reconnectMs: 20 });
    for (let i = 0; i < 5; i++) p.publish('request', requestRecord(i));
    await new Promise((r) => setTimeout(r, 50));
    expect(p.stats().published).toBe(0);
    transport.failing = false;
    await new Promise((r) => setTimeout(r, 100));
    expect(p.stats().published).toBe(5);
    await p.close();
  });
});

const made: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'prod-spool-'));
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('KafkaRecordProducer with a spool', () => {
  const spoolIn = (dir: string, maxBytes = 10_000_000) => new Spool({ dir, maxBytes, fsync: 'never' });

  it('spools while Kafka is away and replays everything in order when it returns', async () => {
    const transport = new MemoryTransport();
    transport.failing = true;
    const dir = tempDir();
    const p = new KafkaRecordProducer({ transport, topic: 't', codec: new RecordCodec(), logger, queueMax: 5, batchMax: 4, lingerMs: 1, reconnectMs: 20, spool: spoolIn(dir) });
    for (let i = 0; i < 30; i++) p.publish('request', requestRecord(i));
    await new Promise((r) => setTimeout(r, 60));
    expect(p.stats().published).toBe(0);
    expect(p.stats().spooled).toBe(30);
    transport.failing = false;
    for (let i = 30; i < 35; i++) p.publish('request', requestRecord(i));
    await new Promise((r) => setTimeout(r, 200));
    await p.close();
    expect(transport.batches.flat().map((m) => m.key)).toEqual(Array.from({ length: 35 }, (_, i) => `log-${i}`));
    expect(p.stats()).toMatchObject({ published: 35, droppedQueueFull: 0, droppedSendFailed: 0, droppedSpoolFull: 0 });
  });

  it('counts exactly what the full spool could not take', async () => {
    const transport = new MemoryTransport();
    transport.failing = true;
    const p = new KafkaRecordProducer({ transport, topic: 't', codec: new RecordCodec(), logger, queueMax: 2, batchMax: 2, lingerMs: 1, reconnectMs: 10_000, spool: spoolIn(tempDir(), 2_000) });
    for (let i = 0; i < 100; i++) p.publish('request', requestRecord(i));
    await new Promise((r) => setTimeout(r, 30));
    const s = p.stats();
    expect(s.droppedSpoolFull).toBeGreaterThan(0);
    expect(s.spooled + s.droppedSpoolFull + s.queued).toBe(100);
    await p.close(10);
  });

  it('keeps what it could not send at shutdown in the spool, and a restarted producer replays it', async () => {
    const dir = tempDir();
    const down = new MemoryTransport();
    down.failing = true;
    const first = new KafkaRecordProducer({ transport: down, topic: 't', codec: new RecordCodec(), logger, queueMax: 100, batchMax: 10, lingerMs: 1_000, reconnectMs: 10_000, spool: spoolIn(dir) });
    for (let i = 0; i < 12; i++) first.publish('request', requestRecord(i));
    await first.close(50);
    expect(first.stats().spooled).toBe(12);
    const up = new MemoryTransport();
    const second = new KafkaRecordProducer({ transport: up, topic: 't', codec: new RecordCodec(), logger, queueMax: 100, batchMax: 10, lingerMs: 1, spool: spoolIn(dir) });
    second.publish('request', requestRecord(12));
    await new Promise((r) => setTimeout(r, 100));
    await second.close();
    expect(up.batches.flat().map((m) => m.key)).toEqual(Array.from({ length: 13 }, (_, i) => `log-${i}`));
  });
});

describe('requests while Kafka is unreachable', () => {
  it('keep succeeding with no added latency, and the unsent records are counted', async () => {
    // A real kafkajs producer aimed at a port where no broker listens: Kafka is down.
    const sink = new KafkaRecordProducer({
      transport: kafkaTransport({ brokers: ['127.0.0.1:9'], clientId: 't', logger }),
      topic: 'unreachable', codec: new RecordCodec(), logger, queueMax: 1_000, batchMax: 100, lingerMs: 5, reconnectMs: 200,
    });
    const t = await startTestGateway({}, sink);
    try {
      const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${t.url}/v1/default/openai/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      // Had the request path waited for Kafka, these requests would never have completed.
      const s = sink.stats();
      expect(s.connected).toBe(false);
      expect(s.published).toBe(0);
      expect(s.queued + s.droppedQueueFull + s.droppedSendFailed).toBe(40);
    } finally {
      await t.close();
    }
  });
});
