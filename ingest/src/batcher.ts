// Accumulates rows per table across Kafka batches and says when to flush: at `maxRows` rows, or
// `maxWaitMs` after the first chunk arrived. Alongside the rows it keeps, per topic-partition,
// the range of offsets the batch covers, so a flush knows exactly which offsets its insert makes
// safe to commit (last + 1). Pure: the clock is passed in.
import type { RequestRow, ResponseRow, TableRows } from './rows.ts';

export interface BatcherOptions {
  maxRows: number;
  maxWaitMs: number;
}

/** What one Kafka batch contributed: its rows and the offsets it consumed (dead letters included). */
export interface Chunk {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  requests: RequestRow[];
  responses: ResponseRow[];
  oldestEventMs?: number | undefined;
}

export interface OffsetRange {
  topic: string;
  partition: number;
  first: bigint;
  last: bigint;
}

/** A closed batch, ready to insert. */
export interface Batch extends TableRows {
  /** Offset ranges per topic-partition, in the order the partitions first appeared. */
  ranges: OffsetRange[];
  oldestEventMs: number | undefined;
  openedAtMs: number;
}

/** The offset to commit for a range: the next one to read. */
export function commitOffset(range: OffsetRange): string {
  return (range.last + 1n).toString();
}

export class Batcher {
  readonly maxRows: number;
  readonly maxWaitMs: number;
  private requests: RequestRow[] = [];
  private responses: ResponseRow[] = [];
  private ranges = new Map<string, OffsetRange>();
  private oldestEventMs: number | undefined;
  private openedAtMs: number | undefined;

  constructor(opts: BatcherOptions) {
    if (!(opts.maxRows >= 1) || !(opts.maxWaitMs >= 0)) throw new RangeError('Batcher needs maxRows >= 1 and maxWaitMs >= 0');
    this.maxRows = opts.maxRows;
    this.maxWaitMs = opts.maxWaitMs;
  }

  get rowCount(): number {
    return this.requests.length + this.responses.length;
  }

  /** True when nothing was added since the last take: no rows and no offsets to commit. */
  get isEmpty(): boolean {
    return this.openedAtMs === undefined;
  }

  isFull(): boolean {
    return this.rowCount >= this.maxRows;
  }

  /** When the open batch must be flushed by time; undefined when empty. */
  dueAtMs(): number | undefined {
    return this.openedAtMs === undefined ? undefined : this.openedAtMs + this.maxWaitMs;
  }

  /** Should the open batch be flushed now? */
  isReady(nowMs: number): boolean {
    const due = this.dueAtMs();
    return due !== undefined && (this.isFull() || nowMs >= due);
  }

  /**
   * Add one Kafka batch's rows. A partition's range widens to cover the chunk; a re-delivered
   * offset (after a rebalance reset the fetch position to the committed offset) only adds
   * duplicate rows, which collapse in the ReplacingMergeTree tables, and never lowers the commit.
   */
  add(chunk: Chunk, nowMs: number): void {
    const first = BigInt(chunk.firstOffset);
    const last = BigInt(chunk.lastOffset);
    if (last < first) throw new RangeError(`chunk offsets out of order: ${chunk.firstOffset} > ${chunk.lastOffset}`);
    const key = `${chunk.topic}\u0000${chunk.partition}`;
    const range = this.ranges.get(key);
    if (range) {
      if (first < range.first) range.first = first;
      if (last > range.last) range.last = last;
    } else {
      this.ranges.set(key, { topic: chunk.topic, partition: chunk.partition, first, last });
    }
    for (const row of chunk.requests) this.requests.push(row);
    for (const row of chunk.responses) this.responses.push(row);
    if (chunk.oldestEventMs !== undefined && (this.oldestEventMs === undefined || chunk.oldestEventMs < this.oldestEventMs)) {
      this.oldestEventMs = chunk.oldestEventMs;
    }
    this.openedAtMs ??= nowMs;
  }

  /** Close the open batch and start a new one; undefined when there is nothing to flush. */
  take(): Batch | undefined {
    if (this.openedAtMs === undefined) return undefined;
    const batch: Batch = {
      requests: this.requests,
      responses: this.responses,
      ranges: [...this.ranges.values()],
      oldestEventMs: this.oldestEventMs,
      openedAtMs: this.openedAtMs,
    };
    this.requests = [];
    this.responses = [];
    this.ranges = new Map();
    this.oldestEventMs = undefined;
    this.openedAtMs = undefined;
    return batch;
  }
}
