// The gateway's whole use of Kafka, behind a small interface of ours so the client library
// (kafkajs today) can be swapped without touching the producer logic or its tests.
import { Kafka, logLevel, CompressionTypes, type Producer } from 'kafkajs';
import type { Logger } from '@switchyard/schemas';

export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface RecordTransport {
  /** Connect (retrying in the background is the caller's business). */
  connect(): Promise<void>;
  /** Send one batch; resolves when the brokers acknowledged it (acks from all in-sync replicas). */
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaTransportOptions {
  brokers: string[];
  clientId: string;
  /** Batch compression (default gzip, the codec kafkajs ships). */
  compression?: 'gzip' | 'none';
  logger: Logger;
}

export function kafkaTransport(opts: KafkaTransportOptions): RecordTransport {
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: 2_000,
    requestTimeout: 10_000,
    // Few quick retries: a batch that cannot be sent soon is the producer's to handle, not kafkajs'.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    logLevel: logLevel.ERROR,
    logCreator: () => ({ namespace, log }) => opts.logger.warn({ namespace, kafka: log.message }, 'kafka client'),
  });
  // Not kafkajs' idempotent mode: after a broker is killed mid-write, kafkajs rolls back its
  // sequence numbers while the broker kept the batch, and every later send fails with
  // OUT_OF_ORDER_SEQUENCE_NUMBER until a restart (seen in the broker-kill chaos test). Resends
  // instead make at-least-once duplicates, which ClickHouse collapses by log_id.
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false, maxInFlightRequests: 1 });
  const compression = opts.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP;
  return {
    connect: () => producer.connect(),
    async send(topic, messages) {
      await producer.send({ topic, acks: -1, compression, messages });
    },
    disconnect: () => producer.disconnect(),
  };
}
