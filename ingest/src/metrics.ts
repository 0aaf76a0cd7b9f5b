// Ingest counters, kept as plain numbers on the hot path and rendered in the Prometheus text
// exposition format on demand (a handful of series does not need a metrics library).

export interface IngestMetrics {
  /** Kafka messages handed to ingest (records and undecodable frames; re-deliveries count again). */
  recordsConsumed: number;
  /** Rows inserted per table (a replayed record is inserted again and collapses in *_final). */
  rowsInserted: { requests: number; responses: number };
  /** Frames sent to the dead-letter topic. */
  deadLettered: number;
  /** Failed ClickHouse insert attempts that were retried. */
  insertRetries: number;
  /** Failed dead-letter produce attempts that were retried. */
  deadLetterRetries: number;
  /** Batches inserted and committed. */
  batchesFlushed: number;
  /** Offset commits that failed after their insert (the rows are stored; the offsets are re-read later). */
  commitFailures: number;
  /**
   * For the last flushed batch: milliseconds from the oldest record's event time (ts_ms of a
   * request, end_ms of a response) to the moment its insert succeeded. Null before the first batch.
   */
  lastBatchLagMs: number | null;
  /** Rows buffered and not yet inserted (open batch plus the one being inserted). */
  pendingRows: number;
  /** Times this worker joined its consumer group (1 = no rebalance since start). */
  groupJoins: number;
}

export function emptyMetrics(): IngestMetrics {
  return {
    recordsConsumed: 0,
    rowsInserted: { requests: 0, responses: 0 },
    deadLettered: 0,
    insertRetries: 0,
    deadLetterRetries: 0,
    batchesFlushed: 0,
    commitFailures: 0,
    lastBatchLagMs: null,
    pendingRows: 0,
    groupJoins: 0,
  };
}

function series(name: string, type: 'counter' | 'gauge', help: string, samples: [labels: string, value: number][]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  return lines.join('\n');
}

/** Prometheus text format (version 0.0.4). */
export function renderPrometheus(m: IngestMetrics, up: boolean): string {
  return [
    series('swy_ingest_up', 'gauge', 'Whether the consumer is running (0 after a fatal crash or during shutdown).', [['', up ? 1 : 0]]),
    series('swy_ingest_records_consumed_total', 'counter', 'Kafka messages handed to ingest, decodable or not.', [['', m.recordsConsumed]]),
    series('swy_ingest_rows_inserted_total', 'counter', 'Rows inserted into ClickHouse.', [
      ['{table="requests"}', m.rowsInserted.requests],
      ['{table="responses"}', m.rowsInserted.responses],
    ]),
    series('swy_ingest_dead_letters_total', 'counter', 'Frames sent to the dead-letter topic.', [['', m.deadLettered]]),
    series('swy_ingest_insert_retries_total', 'counter', 'Failed ClickHouse insert attempts that were retried.', [['', m.insertRetries]]),
    series('swy_ingest_dead_letter_retries_total', 'counter', 'Failed dead-letter produce attempts that were retried.', [['', m.deadLetterRetries]]),
    series('swy_ingest_batches_total', 'counter', 'Batches inserted and committed.', [['', m.batchesFlushed]]),
    series('swy_ingest_commit_failures_total', 'counter', 'Offset commits that failed after a successful insert.', [['', m.commitFailures]]),
    series('swy_ingest_last_batch_lag_seconds', 'gauge', 'Event time of the oldest record of the last batch to its insert.', [
      ['', m.lastBatchLagMs === null ? Number.NaN : m.lastBatchLagMs / 1000],
    ]),
    series('swy_ingest_pending_rows', 'gauge', 'Rows buffered and not yet inserted.', [['', m.pendingRows]]),
    series('swy_ingest_group_joins_total', 'counter', 'Consumer group joins (the first join plus one per rebalance).', [['', m.groupJoins]]),
  ].join('\n') + '\n';
}
