import { describe, expect, it } from 'vitest';
import { HEADERS, RecordCodec } from '@switchyard/schemas';
import { decodeBatch } from './decode.ts';
import type { ConsumedMessage } from './kafka.ts';
import { sampleRequest, sampleResponse } from './test-support.ts';

const codec = new RecordCodec();

function msg(offset: number, value: Buffer | null, key: string | null = 'k' + offset): ConsumedMessage {
  return { offset: String(offset), key: key === null ? null : Buffer.from(key), value, headers: { [HEADERS.kind]: Buffer.from('request') } };
}

describe('decodeBatch', () => {
  it('turns request and response frames into rows carrying partition, offset and schema version', () => {
    const req = sampleRequest({ ts_ms: 2_000 });
    const res = sampleResponse({ ts_ms: 1_000, end_ms: 3_000 });
    const out = decodeBatch(codec, { topic: 't', partition: 2, messages: [msg(10, codec.encode('request', req)), msg(11, codec.encode('response', res))] }, 77);
    expect(out.deadLetters).toEqual([]);
    expect(out.requests).toHaveLength(1);
    expect(out.requests[0]).toMatchObject({ log_id: req.log_id, kafka_partition: 2, kafka_offset: 10, schema_version: 1, ingested_at: 77 });
    expect(out.responses[0]).toMatchObject({ log_id: res.log_id, kafka_partition: 2, kafka_offset: 11, schema_version: 2 });
    // event time: ts_ms of requests, end_ms of responses (when the gateway emitted them)
    expect(out.oldestEventMs).toBe(2_000);
  });

  it('dead-letters every kind of bad frame with its reason, origin and original key, value and headers', () => {
    const good = codec.encode('request', sampleRequest());
    const unknownFingerprint = Buffer.from(good);
    unknownFingerprint.writeUInt32LE(0xdeadbeef, 2);
    const bad: [Buffer | null, string][] = [
      [Buffer.from('not avro at all'), 'bad_magic'],
      [good.subarray(0, 6), 'truncated'],
      [good.subarray(0, good.length - 5), 'truncated'],
      [unknownFingerprint, 'unknown_fingerprint'],
      [null, 'truncated'],
    ];
    const messages = [msg(0, good), ...bad.map(([value], i) => msg(i + 1, value, i === 0 ? null : 'key' + i))];
    const out = decodeBatch(codec, { topic: 'records', partition: 3, messages }, 0);
    expect(out.requests).toHaveLength(1);
    expect(out.deadLetterReasons).toEqual(bad.map(([, reason]) => reason));
    out.deadLetters.forEach((dl, i) => {
      const original = messages[i + 1] as ConsumedMessage;
      expect(dl.key).toEqual(original.key);
      expect(dl.value).toEqual(original.value ?? Buffer.alloc(0));
      expect(dl.headers).toEqual({
        [HEADERS.kind]: Buffer.from('request'),
        [HEADERS.dlqReason]: bad[i]?.[1],
        [HEADERS.dlqTopic]: 'records',
        [HEADERS.dlqPartition]: '3',
        [HEADERS.dlqOffset]: String(i + 1),
      });
    });
  });

  it('reports no event time for a batch without records', () => {
    expect(decodeBatch(codec, { topic: 't', partition: 0, messages: [msg(0, Buffer.from([1, 2, 3]))] }, 0).oldestEventMs).toBeUndefined();
  });
});
