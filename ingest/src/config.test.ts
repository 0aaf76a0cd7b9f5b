import { describe, expect, it } from 'vitest';
import { ConfigError, TOPICS } from '@switchyard/schemas';
import { ingestConfigFromEnv } from './config.ts';

describe('ingest config from the environment', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(ingestConfigFromEnv({})).toEqual({
      brokers: ['127.0.0.1:9092'],
      clickhouseUrl: 'http://127.0.0.1:8123',
      groupId: 'switchyard-ingest',
      topic: TOPICS.records,
      deadLetterTopic: TOPICS.deadLetter,
      maxBatchRows: 50_000,
      maxBatchWaitMs: 1000,
      stopTimeoutMs: 30_000,
      metricsPort: 9464,
    });
  });

  it('reads every variable; brokers is a comma list with blanks ignored', () => {
    const config = ingestConfigFromEnv({
      KAFKA_BROKERS: ' k1:9092, k2:19092 ,',
      CLICKHOUSE_URL: 'https://ch.internal:8443',
      INGEST_GROUP_ID: 'g2',
      INGEST_MAX_BATCH_ROWS: '1000',
      INGEST_MAX_BATCH_WAIT_MS: '250',
      INGEST_METRICS_PORT: '0',
      INGEST_TOPIC: 'other.records',
    });
    expect(config).toMatchObject({
      brokers: ['k1:9092', 'k2:19092'], clickhouseUrl: 'https://ch.internal:8443', groupId: 'g2',
      maxBatchRows: 1000, maxBatchWaitMs: 250, metricsPort: 0, topic: 'other.records',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('rejects invalid values, naming each one', () => {
    let error: unknown;
    try {
      ingestConfigFromEnv({ KAFKA_BROKERS: 'no-port', CLICKHOUSE_URL: 'ftp://x', INGEST_MAX_BATCH_ROWS: '0', INGEST_MAX_BATCH_WAIT_MS: 'soon', INGEST_METRICS_PORT: '70000' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((i) => i.split(':')[0]);
    expect(paths).toEqual(expect.arrayContaining(['brokers.0', 'clickhouseUrl', 'maxBatchRows', 'maxBatchWaitMs', 'metricsPort']));
  });
});
