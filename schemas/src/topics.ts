// The Kafka topic contract (documented in docs/data-contract.md). Topic names carry a major
// version: a change that old consumers could not read gets a new topic, never a reused one.
export const TOPICS = {
  /** Request and response records, Avro single-object frames, keyed by log_id. */
  records: 'switchyard.records.v1',
  /** Frames ingest could not decode or store, with the reason and their origin in headers. */
  deadLetter: 'switchyard.records.dlq.v1',
} as const;

/** Kafka message headers set by the gateway (records) and by ingest (dead letters). */
export const HEADERS = {
  /** "request" | "response" */
  kind: 'swy-kind',
  /** Writer schema fingerprint, 16 hex digits (the same as in the frame; for tooling). */
  schema: 'swy-schema',
  /** Dead-letter only: why the frame was rejected (a CodecErrorReason or "insert_rejected"). */
  dlqReason: 'swy-dlq-reason',
  dlqTopic: 'swy-dlq-topic',
  dlqPartition: 'swy-dlq-partition',
  dlqOffset: 'swy-dlq-offset',
} as const;

export const CONTENT_TYPE = 'application/vnd.apache.avro+single-object';
