// Runs the analytics service: `CLICKHOUSE_URL=http://127.0.0.1:8123 node analytics/src/main.ts`.
// Env: CLICKHOUSE_URL (required), ANALYTICS_PORT (8790), ANALYTICS_HOST (127.0.0.1), LOG_LEVEL
// (info), ANALYTICS_QUERY_TIMEOUT_S (30), PRICE_CATALOG (path; default the bundled catalog).
import { pathToFileURL } from 'node:url';
import { createClient, ClickHouseLogLevel } from '@clickhouse/client';
import { ConfigError, createLogger, PriceCatalog } from '@switchyard/schemas';
import { buildApp } from './app.ts';
import { readEnvConfig } from './config.ts';

let config;
try {
  config = readEnvConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`analytics: ${err.message}`);
  process.exit(1);
}

const logger = createLogger('analytics', { level: config.LOG_LEVEL });
const catalog = config.PRICE_CATALOG ? PriceCatalog.load(pathToFileURL(config.PRICE_CATALOG)) : PriceCatalog.load();
const clickhouse = createClient({
  url: config.CLICKHOUSE_URL,
  // Longer than max_execution_time, so ClickHouse's own timeout (a typed 504) normally wins.
  request_timeout: (config.ANALYTICS_QUERY_TIMEOUT_S + 10) * 1000,
  // Failures are reported once, by our error handler, with a code.
  log: { level: ClickHouseLogLevel.OFF },
});
const app = buildApp({ clickhouse, catalog, logger, queryTimeoutSeconds: config.ANALYTICS_QUERY_TIMEOUT_S });

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down');
  try {
    await app.close();
    await clickhouse.close();
  } finally {
    process.exit(0);
  }
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

await app.listen({ port: config.ANALYTICS_PORT, host: config.ANALYTICS_HOST });
logger.info({ catalog_version: catalog.version, port: config.ANALYTICS_PORT, host: config.ANALYTICS_HOST }, 'analytics listening');
