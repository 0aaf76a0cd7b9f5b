-- Switchyard ClickHouse schema, migration 0001: the raw record tables and their deduplicated views.
-- Runs on ClickHouse 18.16 and current releases: no DateTime64/Map/TTL/CODEC/LowCardinality.
-- Ingest writes every column explicitly (18.16 stores zero values, not DEFAULTs, for omitted ones).
-- Rows are idempotent by log_id: a replayed record has the same sorting key and collapses in
-- ReplacingMergeTree; the *_final views (FINAL) never show a duplicate, even before merges.

CREATE DATABASE IF NOT EXISTS switchyard;

CREATE TABLE IF NOT EXISTS switchyard.requests
(
    log_id          String,
    request_id      String,
    event_id        Nullable(String),
    ts              DateTime,
    ts_ms           UInt64,
    gateway         String,
    node_id         String,
    route           String,
    provider        String,
    model           String,
    path            String,
    stream          UInt8,
    metadata        Nested(key String, value String),
    token_id        Nullable(String),
    request_bytes   UInt64,
    body            Nullable(String),
    schema_version  UInt16,
    kafka_partition UInt32,
    kafka_offset    UInt64,
    ingested_at     DateTime
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(ts)
ORDER BY (gateway, provider, model, ts, log_id);

CREATE TABLE IF NOT EXISTS switchyard.responses
(
    log_id              String,
    request_id          String,
    event_id            Nullable(String),
    ts                  DateTime,
    ts_ms               UInt64,
    end_ms              UInt64,
    gateway             String,
    node_id             String,
    route               String,
    provider            String,
    model               String,
    stream              UInt8,
    metadata            Nested(key String, value String),
    token_id            Nullable(String),
    status              UInt16,
    outcome             String,
    error_code          Nullable(String),
    upstream_status     UInt16,
    input_tokens        UInt64,
    cached_input_tokens UInt64,
    cache_write_tokens  UInt64,
    output_tokens       UInt64,
    reasoning_tokens    UInt64,
    usage_source        String,
    latency_ms          UInt64,
    ttft_ms             Nullable(UInt64),
    cache_status        String,
    attempts            UInt16,
    step                UInt16,
    custom_cost_in      Nullable(Float64),
    custom_cost_out     Nullable(Float64),
    response_bytes      UInt64,
    body                Nullable(String),
    schema_version      UInt16,
    kafka_partition     UInt32,
    kafka_offset        UInt64,
    ingested_at         DateTime
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(ts)
ORDER BY (gateway, provider, model, ts, log_id);

CREATE VIEW IF NOT EXISTS switchyard.requests_final AS SELECT * FROM switchyard.requests FINAL;

CREATE VIEW IF NOT EXISTS switchyard.responses_final AS SELECT * FROM switchyard.responses FINAL;
