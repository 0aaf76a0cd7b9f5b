// GET /healthz — 200 while ClickHouse answers `SELECT 1`, otherwise 503. Bounded by its own short
// timeout so a hung ClickHouse makes the probe fail fast instead of hanging it.
import type { ClickHouseClient } from '@clickhouse/client';
import type { FastifyInstance } from 'fastify';
import { selectRows } from './clickhouse.ts';
import { AnalyticsError, ERRORS } from './errors.ts';

export function registerHealth(app: FastifyInstance, clickhouse: ClickHouseClient, timeoutMs: number): void {
  app.get('/healthz', async () => {
    try {
      const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
      await selectRows(clickhouse, `SELECT 1 AS ok SETTINGS max_execution_time = ${seconds}`, AbortSignal.timeout(timeoutMs));
    } catch (err) {
      // Whatever went wrong (refused, timed out, or ClickHouse answered with an error), it did
      // not answer SELECT 1: not healthy.
      throw new AnalyticsError(ERRORS.CLICKHOUSE_UNAVAILABLE, undefined, { cause: err });
    }
    return { status: 'ok' };
  });
}
