// The Kafka transport against the real broker: batches are compressed as configured, and what a
// consumer reads back is byte for byte what was sent.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@switchyard/schemas';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaTransport, type OutgoingMessage } from './kafka.ts';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const logDir = process.env.KAFKA_LOG_DIR;
const logger = createLogger('kafka-e2e', { level: 'silent' });

/** Compression codec (attributes & 7) of every record batch in a partition's log segments. */
function batchCodecs(topic: string): number[] {
  const dir = join(logDir as string, `${topic}-0`);
  const codecs: number[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
    const log = readFileSync(join(dir, file));
    // Record batch v2: baseOffset int64, batchLength int32, then leaderEpoch int32, magic int8,
    // crc uint32, attributes int16 (at byte 21 of the batch).
    for (let at = 0; at + 23 <= log.length;) {
      const length = log.readInt32BE(at + 8);
      if (length <= 0) break;
      codecs.push(log.readInt16BE(at + 21) & 7);
      at += 12 + length;
    }
  }
  return codecs;
}

async function sendAndReadBack(compression: 'gzip' | 'none'): Promise<{ topic: string; sent: OutgoingMessage[]; received: Array<{ key: string; value: Buffer; headers: Record<string, string> }> }> {
  const topic = `switchyard.test.compression.${compression}.${Date.now()}`;
  const kafka = new Kafka({ brokers, clientId: 'kafka-e2e-reader', logLevel: logLevel.NOTHING });
  // One partition: the order read back is the order sent, and one directory holds every batch.
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const transport = kafkaTransport({ brokers, clientId: 'kafka-e2e', compression, logger });
  const sent: OutgoingMessage[] = Array.from({ length: 40 }, (_, i) => ({
    key: `log-${i}`,
    // Repetitive like real records, so gzip has something to do.
    value: Buffer.from(`{"i":${i},"provider":"openai","model":"gpt-4o-mini","pad":"${'a'.repeat(300)}"}`),
    headers: { 'swy-kind': 'response' },
  }));
  await transport.connect();
  await transport.send(topic, sent.slice(0, 20));
  await transport.send(topic, sent.slice(20));
  await transport.disconnect();

  const consumer = kafka.consumer({ groupId: `kafka-e2e-${topic}` });
  const received: Array<{ key: string; value: Buffer; headers: Record<string, string> }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${received.length} of ${sent.length} within 30 s`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        received.push({ key: String(message.key), value: message.value as Buffer, headers });
        if (received.length === sent.length) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return { topic, sent, received };
}

describe.runIf(logDir)('Kafka transport (local stack: reads the broker log dir from stack.env)', () => {
  it('compresses record batches with gzip by default, and a consumer reads back exactly what was sent', async () => {
    const { topic, sent, received } = await sendAndReadBack('gzip');
    expect(received.map((m) => m.key)).toEqual(sent.map((m) => m.key));
    expect(received.map((m) => m.value.toString())).toEqual(sent.map((m) => m.value.toString()));
    expect(received.every((m) => m.headers['swy-kind'] === 'response')).toBe(true);
    const codecs = batchCodecs(topic);
    expect(codecs).toHaveLength(2);
    expect(codecs.every((c) => c === 1)).toBe(true); // 1 = gzip
  });

  it('sends uncompressed batches with compression "none"', async () => {
    const { topic, sent, received } = await sendAndReadBack('none');
    expect(received.map((m) => m.value.toString())).toEqual(sent.map((m) => m.value.toString()));
    expect(batchCodecs(topic).every((c) => c === 0)).toBe(true);
    expect(batchCodecs(topic).length).toBeGreaterThan(0);
  });
});
