// Builds the analytics HTTP service without listening: main.ts listens, tests use inject().
import type { ClickHouseClient } from '@clickhouse/client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger, PriceCatalog } from '@switchyard/schemas';
import { AnalyticsError, ERRORS } from './errors.ts';
import { registerHealth } from './health.ts';
import { registerHourly } from './rollups/hourly.ts';
import { priceBoundaries } from './rollups/query.ts';
import { registerSummary } from './rollups/summary.ts';
import type { RollupDeps } from './rollups/usage.ts';

export interface AppOptions {
  clickhouse: ClickHouseClient;
  catalog: PriceCatalog;
  /** Request and error logging; none when absent. */
  logger?: Logger;
  /** ClickHouse max_execution_time for rollup queries, in seconds. Default 30. */
  queryTimeoutSeconds?: number;
  /** How long /healthz waits for `SELECT 1`, in milliseconds. Default 2000. */
  healthTimeoutMs?: number;
}

export function buildApp(opts: AppOptions): FastifyInstance {
  // Typed as the base logger so the instance is the plain FastifyInstance every route module takes.
  const loggerInstance: FastifyBaseLogger | undefined = opts.logger;
  const app = loggerInstance ? Fastify({ loggerInstance }) : Fastify({ logger: false });

  const deps: RollupDeps = {
    clickhouse: opts.clickhouse,
    catalog: opts.catalog,
    queryTimeoutSeconds: opts.queryTimeoutSeconds ?? 30,
    priceBoundariesMs: priceBoundaries(opts.catalog),
  };

  app.setErrorHandler((err, req, reply) => {
    const error = toAnalyticsError(err);
    if (error.status >= 500) req.log.error({ err, code: error.code }, error.message);
    return reply.status(error.status).send(error.toBody());
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const error = new AnalyticsError(ERRORS.NOT_FOUND, `${req.method} ${path}`);
    return reply.status(error.status).send(error.toBody());
  });

  registerHealth(app, opts.clickhouse, opts.healthTimeoutMs ?? 2000);
  registerHourly(app, deps);
  registerSummary(app, deps);
  return app;
}

function toAnalyticsError(err: unknown): AnalyticsError {
  if (err instanceof AnalyticsError) return err;
  // fastify's own client errors (bad content type, body too large, ...) keep a 4xx statusCode.
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AnalyticsError(ERRORS.BAD_REQUEST, (err as Error).message, { cause: err });
  }
  return new AnalyticsError(ERRORS.INTERNAL, undefined, { cause: err });
}
