// startIngest: apply migrations, connect the dead-letter producer, join the consumer group and run
// the pipeline until stop().
import { hostname } from 'node:os';
import { RecordCodec, TOPICS, createLogger, type Logger } from '@switchyard/schemas';
import { createClickHouse } from './clickhouse.ts';
import { IngestPipeline } from './consumer.ts';
import { createKafka, type RecordConsumer, type RecordProducer } from './kafka.ts';
import type { IngestMetrics } from './metrics.ts';
import { migrate } from './migrate.ts';
import type { BackoffOptions } from './retry.ts';

export const DEFAULT_GROUP_ID = 'switchyard-ingest';
export const DEFAULT_MAX_BATCH_ROWS = 50_000;
export const DEFAULT_MAX_BATCH_WAIT_MS = 1_000;
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;

export interface IngestOptions {
  brokers: string[];
  clickhouseUrl: string;
  /** Records topic (default TOPICS.records). */
  topic?: string;
  /** Dead-letter topic (default TOPICS.deadLetter). */
  deadLetterTopic?: string;
  /** Consumer group (default "switchyard-ingest"); workers of one group share the partitions. */
  groupId?: string;
  /** Flush when this many rows are buffered (default 50 000). */
  maxBatchRows?: number;
  /** Flush at the latest this long after the first buffered record (default 1000 ms). */
  maxBatchWaitMs?: number;
  logger?: Logger;
  /** How long stop() keeps retrying the last inserts before giving up on them (default 30 s). */
  stopTimeoutMs?: number;
  /** Backoff of insert and dead-letter retries (default 200 ms doubling to 30 s). */
  retryBackoff?: BackoffOptions;
  /** Kafka group timing (defaults: session 30 s, heartbeat every 3 s). */
  kafka?: { sessionTimeoutMs?: number; heartbeatIntervalMs?: number };
  /** Called once if the consumer crashes and kafkajs will not restart it (the service should exit). */
  onFatal?: (err: Error) => void;
}

export interface IngestHandle {
  /** Finish the batch in progress, insert and commit what is buffered, leave the group, disconnect. */
  stop(): Promise<void>;
  metrics(): IngestMetrics;
  /** False after the consumer crashed without restarting, and once stop() began. */
  healthy(): boolean;
}

export async function startIngest(opts: IngestOptions): Promise<IngestHandle> {
  const logger = opts.logger ?? createLogger('ingest');
  const topic = opts.topic ?? TOPICS.records;
  const deadLetterTopic = opts.deadLetterTopic ?? TOPICS.deadLetter;
  const groupId = opts.groupId ?? DEFAULT_GROUP_ID;
  const clickhouse = createClickHouse(opts.clickhouseUrl);
  let producer: RecordProducer | undefined;
  let consumer: RecordConsumer | undefined;
  try {
    const applied = await migrate(clickhouse);
    if (applied.length > 0) logger.info({ applied }, 'applied ClickHouse migrations');

    const kafka = createKafka({ brokers: opts.brokers, clientId: `switchyard-ingest-${hostname()}`, logger });
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId, topic, ...opts.kafka });
    const pipeline = new IngestPipeline({
      consumer,
      deadLetters: producer,
      deadLetterTopic,
      clickhouse,
      codec: new RecordCodec(),
      logger,
      maxBatchRows: opts.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS,
      maxBatchWaitMs: opts.maxBatchWaitMs ?? DEFAULT_MAX_BATCH_WAIT_MS,
      ...(opts.retryBackoff ? { backoff: opts.retryBackoff } : {}),
    });

    let crashed = false;
    let stopping: Promise<void> | undefined;
    consumer.onCrash(({ error, restart }) => {
      if (restart) {
        logger.warn({ err: error }, 'Kafka consumer crashed; kafkajs restarts it');
      } else {
        crashed = true;
        logger.error({ err: error }, 'Kafka consumer crashed and will not restart');
        opts.onFatal?.(error);
      }
    });
    consumer.onGroupJoin((assignment) => {
      pipeline.onGroupJoin();
      logger.info({ groupId, assignment }, 'joined the consumer group');
    });
    await consumer.start(pipeline.handleBatch);
    logger.info({ topic, deadLetterTopic, groupId }, 'ingest started');

    const c = consumer;
    const p = producer;
    return {
      metrics: () => pipeline.metrics(),
      healthy: () => !crashed && stopping === undefined,
      stop() {
        stopping ??= (async () => {
          c.pause();
          try {
            await pipeline.stop(opts.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
          } finally {
            await c.disconnect();
            await p.disconnect();
            await clickhouse.close();
            logger.info({ metrics: pipeline.metrics() }, 'ingest stopped');
          }
        })();
        return stopping;
      },
    };
  } catch (err) {
    await consumer?.disconnect().catch(() => {});
    await producer?.disconnect().catch(() => {});
    await clickhouse.close();
    throw err;
  }
}
