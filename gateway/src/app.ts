// Builds the gateway server without listening (tests use inject() or listen on port 0).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createLogger, PriceCatalog, RecordCodec, type Logger } from '@switchyard/schemas';
import { registerAuthHook } from './controls/auth-hook.ts';
import { buildGatewayControls, tokenConfigs, type GatewayControls } from './controls/gateway-controls.ts';
import type { Dispatcher } from 'undici';
import { GatewayConfigSchema, type GatewayConfig } from './config.ts';
import { GatewayError, isGatewayError, type ErrorCode } from './errors.ts';
import { registerJsonBody } from './routes/body.ts';
import { compatChatRoutes } from './routes/compat-chat.ts';
import { compatEmbeddingsRoutes } from './routes/compat-embeddings.ts';
import { compatMessagesRoutes } from './routes/compat-messages.ts';
import { resolveProviders, type RouteContext } from './routes/context.ts';
import { nativeRoutes } from './routes/native.ts';
import { opsRoutes } from './routes/ops.ts';
import { universalRoutes } from './routes/universal.ts';
import { kafkaTransport } from './telemetry/kafka.ts';
import { DisabledRecordSink, KafkaRecordProducer, type RecordSink } from './telemetry/producer.ts';
import { Spool } from './telemetry/spool.ts';
import { createUpstreamAgent } from './upstream/agent.ts';
import { Resilience } from './upstream/resilience.ts';

export interface Gateway {
  app: FastifyInstance;
  sink: RecordSink;
  /**
   * Apply a new config's stored provider keys and gateway tokens without a restart (SIGHUP).
   * Validated first; other changes need a restart and are listed in the result.
   */
  reload(raw: unknown): { applied: string[]; needRestart: string[] };
  /** Stop taking requests (503), let in-flight ones finish, flush records, close. */
  close(): Promise<void>;
}

export interface GatewayDeps {
  logger?: Logger;
  catalog?: PriceCatalog;
  sink?: RecordSink;
  agent?: Dispatcher;
}

/** fastify's own error codes -> our catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'SWY_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'SWY_BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'SWY_EMPTY_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'SWY_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'SWY_BAD_JSON',
  FST_ERR_REQ_INVALID_VALIDATION_INVOCATION: 'SWY_BAD_REQUEST',
};

export function buildGateway(config: Readonly<GatewayConfig>, deps: GatewayDeps = {}): Gateway {
  const logger = deps.logger ?? createLogger('gateway');
  const sink =
    deps.sink ??
    (config.telemetry.kafka
      ? new KafkaRecordProducer({
          transport: kafkaTransport({ brokers: [...config.telemetry.kafka.brokers], clientId: config.telemetry.kafka.client_id, compression: config.telemetry.kafka.compression, logger }),
          topic: config.telemetry.kafka.topic,
          codec: new RecordCodec(),
          logger,
          queueMax: config.telemetry.queue_max_records,
          batchMax: config.telemetry.batch_max_records,
          lingerMs: config.telemetry.linger_ms,
          ...(config.telemetry.spool.enabled
            ? {
                spool: new Spool({
                  dir: config.telemetry.spool.dir,
                  maxBytes: config.telemetry.spool.max_bytes,
                  fsync: config.telemetry.spool.fsync,
                  fsyncIntervalMs: config.telemetry.spool.fsync_interval_ms,
                }),
              }
            : {}),
        })
      : new DisabledRecordSink());
  const agent = deps.agent ?? createUpstreamAgent();
  let draining = false;

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // No per-request log lines on the hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.limits.body_bytes,
    requestTimeout: config.limits.client_request_timeout_ms,
    // Node checks these timeouts every connectionsCheckingInterval (30 s by default): check often
    // enough that a slowloris client gets its 408 close to the configured time.
    http: {
      headersTimeout: config.limits.client_headers_timeout_ms,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(config.limits.client_headers_timeout_ms / 4))),
    } as never,
    return503OnClosing: true,
    forceCloseConnections: false,
  });
  registerJsonBody(app, config.limits.body_bytes);

  app.addHook('onRequest', async (req, reply) => {
    if (draining && req.url.startsWith('/v1/')) {
      reply.code(503).header('connection', 'close').send(new GatewayError('SWY_SHUTTING_DOWN').toJSON());
    }
  });

  app.setErrorHandler((err: Error, req, reply) => {
    let gwErr: GatewayError;
    if (isGatewayError(err)) gwErr = err;
    else {
      const code = (err as { code?: string }).code;
      const mapped = code ? FASTIFY_CODES[code] : undefined;
      if (mapped) gwErr = new GatewayError(mapped, err.message);
      else if ((err as { statusCode?: number }).statusCode === 400) gwErr = new GatewayError('SWY_BAD_REQUEST', err.message);
      else {
        req.log.error({ err }, 'unhandled error');
        gwErr = new GatewayError('SWY_INTERNAL');
      }
    }
    if (reply.raw.headersSent) return;
    reply.code(gwErr.status).send(gwErr.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(new GatewayError('SWY_UNKNOWN_ROUTE', `${req.method} ${req.url.split('?')[0]}`).toJSON());
  });

  const controls = new Map(Object.entries(config.gateways).map(([name, g]) => [name, buildGatewayControls(g)]));
  registerAuthHook(app, (name) => controls.get(name));
  const ctx: RouteContext = {
    config, logger, sink, agent, providers: resolveProviders(config), draining: () => draining,
    resilience: new Resilience(config.resilience), limits: config.limits,
    catalog: deps.catalog ?? PriceCatalog.load(),
    controls: (name) => controls.get(name) as GatewayControls,
  };
  opsRoutes(app, ctx);
  nativeRoutes(app, ctx);
  compatChatRoutes(app, ctx);
  compatMessagesRoutes(app, ctx);
  compatEmbeddingsRoutes(app, ctx);
  universalRoutes(app, ctx);

  return {
    app,
    sink,
    reload(raw) {
      const next = GatewayConfigSchema.parse(raw);
      const applied: string[] = [];
      const needRestart: string[] = [];
      const fresh = resolveProviders(next);
      for (const [id, p] of fresh) {
        const current = ctx.providers.get(id);
        if (!current) needRestart.push(`provider ${id} added`);
        else if (current.keys && p.keys) {
          current.keys.replace(p.keys.entries());
          applied.push(`provider ${id} keys`);
        } else if ((current.keys === undefined) !== (p.keys === undefined) || current.apiKey !== p.apiKey) {
          needRestart.push(`provider ${id} key settings`);
        }
      }
      for (const [name, g] of Object.entries(next.gateways)) {
        const c = controls.get(name);
        if (!c) needRestart.push(`gateway ${name} added`);
        else {
          c.tokens.replace(tokenConfigs(g));
          applied.push(`gateway ${name} tokens`);
        }
      }
      logger.info({ applied, needRestart }, 'configuration reloaded');
      return { applied, needRestart };
    },
    async close() {
      draining = true;
      await app.close();
      await sink.close();
      if (!deps.agent) await agent.close();
    },
  };
}
