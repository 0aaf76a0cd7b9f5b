// The ingest service: `node ingest/src/main.ts` (npm run ingest). Configuration from the
// environment (see config.ts); SIGTERM/SIGINT stop gracefully: the batch in progress is finished,
// inserted and committed before the consumer leaves the group.
import { ConfigError, createLogger } from '@switchyard/schemas';
import { ingestConfigFromEnv, type IngestConfig } from './config.ts';
import { startIngest, type IngestHandle } from './ingest.ts';
import { createOpsServer } from './ops-server.ts';

const logger = createLogger('ingest');

let config: Readonly<IngestConfig>;
try {
  config = ingestConfigFromEnv();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  logger.fatal({ issues: err.issues }, err.message);
  process.exit(2);
}

let exitCode = 0;
let shutdown: ((reason: string) => void) | undefined;
let ingest: IngestHandle;
try {
  ingest = await startIngest({
    ...config,
    brokers: [...config.brokers],
    logger,
    onFatal: () => {
      exitCode = 1;
      shutdown?.('consumer crashed');
    },
  });
} catch (err) {
  // ClickHouse unreachable for the migrations, Kafka unreachable, topic missing: let the
  // supervisor restart us rather than run half-started.
  logger.fatal({ err }, 'ingest failed to start');
  process.exit(1);
}

const server = createOpsServer(ingest);
server.listen(config.metricsPort, () => {
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : config.metricsPort }, 'serving /healthz and /metrics');
});

let stopping = false;
shutdown = (reason) => {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'shutting down');
  ingest
    .stop()
    .catch((err: unknown) => {
      exitCode = 1;
      logger.error({ err }, 'error while stopping');
    })
    .finally(() => server.close(() => process.exit(exitCode)));
};
process.once('SIGTERM', () => shutdown?.('SIGTERM'));
process.once('SIGINT', () => shutdown?.('SIGINT'));
