// One Kafka batch -> table rows plus dead letters. Pure apart from the codec: no I/O, so the
// consumer can decide what to do with the result (send dead letters first, then buffer rows).
import { CodecError, HEADERS, type CodecErrorReason, type RecordCodec } from '@switchyard/schemas';
import type { ConsumedBatch, MessageHeaders, OutboundMessage } from './kafka.ts';
import { requestRow, responseRow, type TableRows } from './rows.ts';

export interface DecodedBatch extends TableRows {
  /** Frames that are not records, ready to send to the dead-letter topic. */
  deadLetters: OutboundMessage[];
  /** Reasons of the dead letters, in the same order (for logs and metrics). */
  deadLetterReasons: CodecErrorReason[];
  /**
   * Earliest event time among the decoded records, epoch ms: ts_ms for a request, end_ms for a
   * response (when the gateway emitted it). Undefined when the batch held no record.
   */
  oldestEventMs: number | undefined;
}

const EMPTY = Buffer.alloc(0);

/** The dead-letter message for a frame: original key and bytes, original headers plus ours. */
export function deadLetterMessage(
  origin: { topic: string; partition: number; offset: string },
  message: { key: Buffer | null; value: Buffer | null; headers?: MessageHeaders | undefined },
  reason: CodecErrorReason,
): OutboundMessage {
  return {
    key: message.key,
    value: message.value ?? EMPTY,
    headers: {
      ...message.headers,
      [HEADERS.dlqReason]: reason,
      [HEADERS.dlqTopic]: origin.topic,
      [HEADERS.dlqPartition]: String(origin.partition),
      [HEADERS.dlqOffset]: origin.offset,
    },
  };
}

/** Decode every message of a batch. Only CodecError is caught: anything else is a bug and propagates. */
export function decodeBatch(codec: RecordCodec, batch: ConsumedBatch, ingestedAt: number): DecodedBatch {
  const out: DecodedBatch = { requests: [], responses: [], deadLetters: [], deadLetterReasons: [], oldestEventMs: undefined };
  let oldest = Infinity;
  for (const message of batch.messages) {
    let decoded;
    try {
      // A null value (tombstone) is an empty frame: CodecError('truncated').
      decoded = codec.decode(message.value ?? EMPTY);
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      out.deadLetters.push(deadLetterMessage({ topic: batch.topic, partition: batch.partition, offset: message.offset }, message, err.reason));
      out.deadLetterReasons.push(err.reason);
      continue;
    }
    const origin = { schemaVersion: decoded.version, partition: batch.partition, offset: message.offset, ingestedAt };
    if (decoded.kind === 'request') {
      out.requests.push(requestRow(decoded.record, origin));
      if (decoded.record.ts_ms < oldest) oldest = decoded.record.ts_ms;
    } else {
      out.responses.push(responseRow(decoded.record, origin));
      if (decoded.record.end_ms < oldest) oldest = decoded.record.end_ms;
    }
  }
  if (oldest !== Infinity) out.oldestEventMs = oldest;
  return out;
}
