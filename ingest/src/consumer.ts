// The ingest pipeline: Kafka batch -> decode -> (dead letters out) -> batcher -> ClickHouse ->
// commit. Delivery is at least once: an offset is committed only after every row at or below it
// has been inserted, and rows are idempotent by log_id (ReplacingMergeTree + the *_final views),
// so a replay after a crash, a rebalance or a failed commit never shows up as a duplicate.
//
// Flow control. Each Kafka batch is decoded, its dead letters produced (awaited), its rows added
// to the open batch, and its offsets *resolved* - which in kafkajs only moves the in-memory fetch
// position so the next fetch continues; the commit happens after the insert. At most one flush is
// in flight; while it runs the next batch fills. A handler that finds the open batch full waits
// for the in-flight flush, heartbeating so the group keeps this member, which stops fetching:
// while ClickHouse is down the lag grows, memory stays at about two batches, nothing is committed.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger, RecordCodec } from '@switchyard/schemas';
import { Batcher, commitOffset, type Batch } from './batcher.ts';
import { insertRows } from './clickhouse.ts';
import { decodeBatch } from './decode.ts';
import type { BatchControl, ConsumedBatch, RecordConsumer, RecordProducer } from './kafka.ts';
import { emptyMetrics, type IngestMetrics } from './metrics.ts';
import { retryUntilDone, type BackoffOptions, DEFAULT_BACKOFF } from './retry.ts';
import { REQUESTS_TABLE, RESPONSES_TABLE, epochSeconds, type TableName } from './rows.ts';

export interface PipelineOptions {
  consumer: RecordConsumer;
  deadLetters: RecordProducer;
  deadLetterTopic: string;
  clickhouse: ClickHouseClient;
  codec: RecordCodec;
  logger: Logger;
  maxBatchRows: number;
  maxBatchWaitMs: number;
  backoff?: BackoffOptions;
}

export class IngestPipeline {
  private readonly opts: PipelineOptions;
  private readonly log: Logger;
  private readonly batcher: Batcher;
  private readonly counters = emptyMetrics();
  private readonly abort = new AbortController();
  private inFlight: Promise<void> | undefined;
  private inFlightRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private activeHandlers = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: PipelineOptions) {
    this.opts = opts;
    this.log = opts.logger;
    this.batcher = new Batcher({ maxRows: opts.maxBatchRows, maxWaitMs: opts.maxBatchWaitMs });
  }

  metrics(): IngestMetrics {
    return {
      ...this.counters,
      rowsInserted: { ...this.counters.rowsInserted },
      pendingRows: this.batcher.rowCount + this.inFlightRows,
    };
  }

  /** Count a consumer group join (wired to the consumer's join event). */
  readonly onGroupJoin = (): void => {
    this.counters.groupJoins++;
  };

  /** The eachBatch handler. */
  readonly handleBatch = async (batch: ConsumedBatch, control: BatchControl): Promise<void> => {
    const first = batch.messages[0];
    const last = batch.messages.at(-1);
    // After stop began the topic is paused; an unresolved batch is simply fetched again later.
    if (!first || !last || this.stopping) return;
    this.activeHandlers++;
    try {
      // Backpressure: never hold more than the batch being inserted plus one full open batch.
      while (this.batcher.isFull()) {
        this.schedule();
        if (this.inFlight) await this.waitHeartbeating(this.inFlight, control);
      }
      // The stop deadline passed while we waited: leave the batch unresolved for the next owner.
      if (this.abort.signal.aborted) return;
      const decoded = decodeBatch(this.opts.codec, batch, epochSeconds(Date.now()));
      if (decoded.deadLetters.length > 0) {
        await retryUntilDone(() => this.opts.deadLetters.send(this.opts.deadLetterTopic, decoded.deadLetters), {
          backoff: this.opts.backoff ?? DEFAULT_BACKOFF,
          signal: this.abort.signal,
          whileWaiting: control.heartbeat,
          tickMs: this.opts.consumer.heartbeatIntervalMs,
          onRetry: (err, attempt, delayMs) => {
            this.counters.deadLetterRetries++;
            this.log.warn({ err, attempt, delayMs, topic: this.opts.deadLetterTopic }, 'dead-letter produce failed; retrying');
          },
        });
        this.counters.deadLettered += decoded.deadLetters.length;
        this.log.warn(
          { topic: batch.topic, partition: batch.partition, count: decoded.deadLetters.length, reasons: countReasons(decoded.deadLetterReasons) },
          'undecodable frames sent to the dead-letter topic',
        );
      }
      this.batcher.add(
        {
          topic: batch.topic,
          partition: batch.partition,
          firstOffset: first.offset,
          lastOffset: last.offset,
          requests: decoded.requests,
          responses: decoded.responses,
          oldestEventMs: decoded.oldestEventMs,
        },
        Date.now(),
      );
      control.resolveOffset(last.offset);
      this.counters.recordsConsumed += batch.messages.length;
      this.schedule();
    } finally {
      if (--this.activeHandlers === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  };

  /**
   * Graceful stop: stop taking batches, let the handler in progress finish, insert and commit
   * everything buffered. Retries continue until `deadlineMs`; after that the remaining rows are
   * dropped uncommitted (they are read again by whoever consumes the partitions next).
   */
  async stop(deadlineMs: number): Promise<void> {
    this.stopping = true;
    const deadline = setTimeout(() => this.abort.abort(new Error(`ingest stop deadline of ${deadlineMs} ms reached`)), deadlineMs);
    try {
      if (this.activeHandlers > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      this.schedule();
      while (this.inFlight) await this.inFlight;
    } finally {
      clearTimeout(deadline);
      this.clearTimer();
    }
  }

  /** Start a flush when the open batch is ready (or we are stopping), else arm the timer. */
  private schedule(): void {
    if (this.inFlight) return; // re-run when the in-flight flush settles
    const now = Date.now();
    const due = this.batcher.dueAtMs();
    if (due === undefined) return this.clearTimer();
    if (!this.stopping && !this.batcher.isReady(now)) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, due - now).unref();
      return;
    }
    this.clearTimer();
    const batch = this.batcher.take() as Batch;
    this.inFlightRows = batch.requests.length + batch.responses.length;
    this.inFlight = this.flush(batch)
      .catch((err: unknown) => {
        if (this.abort.signal.aborted) {
          this.log.warn({ err, rows: this.inFlightRows }, 'stopped before the batch was stored; its offsets stay uncommitted and will be read again');
        } else {
          this.log.error({ err }, 'flush failed unexpectedly; its offsets stay uncommitted');
        }
      })
      .finally(() => {
        this.inFlight = undefined;
        this.inFlightRows = 0;
        this.schedule();
      });
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async flush(batch: Batch): Promise<void> {
    // Both tables at once: each retries on its own, and the commit waits for both.
    await Promise.all([this.insertRetrying(REQUESTS_TABLE, batch.requests), this.insertRetrying(RESPONSES_TABLE, batch.responses)]);
    this.counters.rowsInserted.requests += batch.requests.length;
    this.counters.rowsInserted.responses += batch.responses.length;
    if (batch.oldestEventMs !== undefined) this.counters.lastBatchLagMs = Math.max(0, Date.now() - batch.oldestEventMs);
    // A partition revoked meanwhile is left to its new owner: committing for it could move its
    // committed offset backwards. Its rows are stored anyway and collapse when re-read.
    const offsets = batch.ranges
      .filter((r) => this.opts.consumer.owns(r.topic, r.partition))
      .map((r) => ({ topic: r.topic, partition: r.partition, offset: commitOffset(r) }));
    try {
      await this.opts.consumer.commit(offsets);
    } catch (err) {
      this.counters.commitFailures++;
      this.log.warn({ err, offsets }, 'offset commit failed after insert; the rows are stored and will be re-read without duplicates');
    }
    this.counters.batchesFlushed++;
  }

  private insertRetrying(table: TableName, rows: readonly object[]): Promise<void> {
    return retryUntilDone(() => insertRows(this.opts.clickhouse, table, rows), {
      backoff: this.opts.backoff ?? DEFAULT_BACKOFF,
      signal: this.abort.signal,
      onRetry: (err, attempt, delayMs) => {
        this.counters.insertRetries++;
        this.log.warn({ err, table, rows: rows.length, attempt, delayMs }, 'ClickHouse insert failed; retrying, offsets not committed');
      },
    });
  }

  /** Wait for `work`, heartbeating the group every interval (a rebalance error propagates). */
  private async waitHeartbeating(work: Promise<void>, control: BatchControl): Promise<void> {
    let settled = false;
    const done = work.then(() => { settled = true; }, () => { settled = true; });
    while (!settled) {
      const tick = new AbortController();
      await Promise.race([done, sleep(this.opts.consumer.heartbeatIntervalMs, undefined, { signal: tick.signal }).catch(() => {})]);
      tick.abort();
      if (!settled) await control.heartbeat();
    }
  }
}

function countReasons(reasons: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reasons) out[r] = (out[r] ?? 0) + 1;
  return out;
}
