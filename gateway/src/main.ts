// Gateway entry point: `npm start` (embedded defaults) or SWITCHYARD_CONFIG=path.json npm start.
import { ConfigError, createLogger } from '@switchyard/schemas';
import { buildGateway } from './app.ts';
import { loadGatewayConfig } from './config.ts';

const logger = createLogger('gateway');
let config;
try {
  config = loadGatewayConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    logger.fatal(err.message);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const gateway = buildGateway(config, { logger });
const url = await gateway.app.listen({ host: config.listen.host, port: config.listen.port });
logger.info(
  { url, gateways: Object.keys(config.gateways), providers: Object.keys(config.providers), kafka: config.telemetry.kafka?.brokers ?? null },
  'gateway listening',
);

// SIGHUP: re-read the config file and rotate stored provider keys and gateway tokens in place.
process.on('SIGHUP', () => {
  try {
    const { needRestart } = gateway.reload(loadGatewayConfig());
    if (needRestart.length) logger.warn({ needRestart }, 'some changes take effect only after a restart');
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'config reload refused; the running config stays');
  }
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  });
}
