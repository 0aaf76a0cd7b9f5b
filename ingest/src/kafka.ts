// The only file that imports kafkajs. The rest of ingest sees a consumer that hands over one
// partition's batch at a time and commits only the offsets it is told to (autoCommit off,
// eachBatchAutoResolve off), and a producer for the dead-letter topic. kafkajs' own logs go
// through our pino logger at warn and above.
import { Kafka, Partitioners, logLevel, type Consumer, type Producer, type LogEntry } from 'kafkajs';
import type { Logger } from '@switchyard/schemas';

/** Header values as Kafka carries them. */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export interface ConsumedMessage {
  key: Buffer | null;
  value: Buffer | null;
  /** Decimal string (Kafka offsets are 64-bit). */
  offset: string;
  headers?: MessageHeaders | undefined;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
}

export interface BatchControl {
  /**
   * Move this partition's fetch position past `offset`. This is not a commit: kafkajs only keeps
   * it in memory, and forgets it on a rebalance (the position goes back to the committed offset).
   */
  resolveOffset(offset: string): void;
  /** Heartbeat the group; call while blocked so the broker does not evict this member. */
  heartbeat(): Promise<void>;
}

export type BatchHandler = (batch: ConsumedBatch, control: BatchControl) => Promise<void>;

export interface OffsetCommit {
  topic: string;
  partition: number;
  /** The next offset to read (last processed + 1). */
  offset: string;
}

export interface CrashInfo {
  error: Error;
  /** Whether kafkajs restarts the consumer by itself. */
  restart: boolean;
}

export interface ConsumerOptions {
  groupId: string;
  topic: string;
  /** Where a group without committed offsets starts: the earliest retained record. */
  fromBeginning?: boolean;
  /** How long the broker may hold a fetch that has no data (also bounds stop latency). */
  maxWaitTimeInMs?: number;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export interface RecordConsumer {
  /** Connect, subscribe, join the group; resolves once the member has its assignment. */
  start(handler: BatchHandler): Promise<void>;
  /** Commit offsets through the group coordinator. */
  commit(offsets: OffsetCommit[]): Promise<void>;
  /** Whether this member currently owns the partition (from the last group join). */
  owns(topic: string, partition: number): boolean;
  /** Stop fetching the topic (batches already handed over still complete). */
  pause(): void;
  onCrash(listener: (info: CrashInfo) => void): void;
  /** Called after every group join (first join and each rebalance). */
  onGroupJoin(listener: (assignment: Record<string, number[]>) => void): void;
  /** Stop the fetch loop, leave the group, close connections. */
  disconnect(): Promise<void>;
  readonly heartbeatIntervalMs: number;
}

export interface OutboundMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: MessageHeaders;
}

export interface RecordProducer {
  connect(): Promise<void>;
  /** Send and wait for all in-sync replicas to acknowledge. */
  send(topic: string, messages: OutboundMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface KafkaClient {
  consumer(opts: ConsumerOptions): RecordConsumer;
  producer(): RecordProducer;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A rebalance is routine, yet kafkajs logs each heartbeat that learns of it at ERROR. */
const ROUTINE_REBALANCE = /rebalanc/i;

/** kafkajs logCreator writing through pino (kafkajs filters by level before calling it). */
function pinoLogCreator(logger: Logger) {
  return () => ({ namespace, level, log }: LogEntry) => {
    const { message, timestamp: _ts, logger: _name, ...extra } = log as LogEntry['log'] & { timestamp?: string; logger?: string; error?: unknown };
    const routine = typeof extra.error === 'string' && ROUTINE_REBALANCE.test(extra.error);
    logger[routine ? 'info' : (LEVEL_NAMES[level] ?? 'warn')]({ kafkajs: namespace, ...extra }, message);
  };
}

export function createKafka(opts: { brokers: string[]; clientId: string; logger: Logger }): KafkaClient {
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(opts.logger),
  });
  return {
    consumer: (copts) => wrapConsumer(kafka, copts),
    producer: () => wrapProducer(kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })),
  };
}

function wrapConsumer(kafka: Kafka, opts: ConsumerOptions): RecordConsumer {
  const heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 3000;
  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: heartbeatIntervalMs,
    maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 500,
    maxBytesPerPartition: opts.maxBytesPerPartition ?? 4 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
  });
  let assignment: Record<string, number[]> = {};
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assignment = e.payload.memberAssignment;
  });
  return {
    heartbeatIntervalMs,
    async start(handler) {
      await consumer.connect();
      await consumer.subscribe({ topic: opts.topic, fromBeginning: opts.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          await handler(
            { topic: batch.topic, partition: batch.partition, messages: batch.messages },
            { resolveOffset, heartbeat },
          );
        },
      });
    },
    async commit(offsets) {
      if (offsets.length > 0) await consumer.commitOffsets(offsets);
    },
    owns: (topic, partition) => assignment[topic]?.includes(partition) ?? false,
    pause: () => consumer.pause([{ topic: opts.topic }]),
    onCrash(listener) {
      consumer.on(consumer.events.CRASH, (e) => listener({ error: e.payload.error, restart: e.payload.restart }));
    },
    onGroupJoin(listener) {
      consumer.on(consumer.events.GROUP_JOIN, (e) => listener(e.payload.memberAssignment));
    },
    disconnect: () => consumer.disconnect(),
  };
}

function wrapProducer(producer: Producer): RecordProducer {
  return {
    connect: () => producer.connect(),
    async send(topic, messages) {
      await producer.send({ topic, acks: -1, messages });
    },
    disconnect: () => producer.disconnect(),
  };
}
