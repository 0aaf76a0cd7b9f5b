// Gateway configuration: one JSON file (SWITCHYARD_CONFIG) or the embedded defaults, validated once
// at start against this schema (unknown fields rejected), then frozen. `${ENV}` references expand.
import { hostname } from 'node:os';
import { z } from 'zod';
import { loadConfig, TOPICS } from '@switchyard/schemas';
import { ProvidersConfigSchema } from './providers/config.ts';

const GATEWAY_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const Backoff = z.enum(['constant', 'linear', 'exponential']);

/** Retry defaults of a gateway; cf-aig-max-attempts / -retry-delay / -backoff / -request-timeout override. */
const RetryDefaults = z.strictObject({
  max_attempts: z.int().min(1).max(5).default(1),
  retry_delay_ms: z.int().min(0).max(5_000).default(250),
  backoff: Backoff.default('exponential'),
  /** Per try: ms until the upstream's response headers (cf-aig-request-timeout). */
  request_timeout_ms: z.int().positive().default(60_000),
  /** A Retry-After longer than this is not waited for: the request falls back or fails instead. */
  retry_after_cap_ms: z.int().nonnegative().default(10_000),
});

const GatewayToken = z.strictObject({
  id: z.string().min(1),
  /** sha256 hex of the secret (node gateway/src/controls/hash-token.ts <secret>); secrets are never stored. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/i),
  /** Allow-list of "provider/model", "provider/*" or "*"; absent = every model. */
  models: z.array(z.string().min(1)).optional(),
  revoked: z.boolean().optional(),
});

const Auth = z.strictObject({
  /** When true, every request needs cf-aig-authorization: Bearer <token>. */
  required: z.boolean().default(false),
  tokens: z.array(GatewayToken).default([]),
});

const RateLimitRule = z
  .strictObject({
    id: z.string().min(1),
    scope: z.enum(['gateway', 'token', 'provider', 'model', 'metadata']),
    metadata_key: z.string().min(1).optional(),
    kind: z.enum(['requests', 'tokens']).default('requests'),
    limit: z.number().nonnegative(),
    window_ms: z.int().positive(),
    technique: z.enum(['fixed', 'sliding']).default('sliding'),
  })
  .refine((r) => r.scope !== 'metadata' || r.metadata_key !== undefined, 'metadata rules need metadata_key');

const BudgetRule = z
  .strictObject({
    id: z.string().min(1),
    scope: z.enum(['gateway', 'provider', 'model', 'metadata']),
    metadata_key: z.string().min(1).optional(),
    /** Only this scope value ("provider/model" for model rules); absent = each value separately. */
    match: z.string().min(1).optional(),
    limit_usd: z.number().nonnegative(),
    window_ms: z.int().positive(),
  })
  .refine((r) => r.scope !== 'metadata' || r.metadata_key !== undefined, 'metadata rules need metadata_key');

const Cache = z.strictObject({
  enabled: z.boolean().default(false),
  max_bytes: z.int().positive().default(256 * 1024 * 1024),
  max_entry_bytes: z.int().positive().default(8 * 1024 * 1024),
  /** cf-aig-cache-ttl (seconds) is clamped into [min_ttl_s, max_ttl_s]; Cloudflare's bounds by default. */
  default_ttl_s: z.int().positive().default(300),
  min_ttl_s: z.int().positive().default(60),
  max_ttl_s: z.int().positive().default(30 * 24 * 3600),
});

const GatewaySettings = z.strictObject({
  /** Emit request/response records for this gateway (cf-aig-collect-log overrides per request). */
  collect_logs: z.boolean().default(true),
  retry: RetryDefaults.prefault({}),
  auth: Auth.prefault({}),
  cache: Cache.prefault({}),
  rate_limits: z.array(RateLimitRule).default([]),
  budgets: z.strictObject({
    /** Output tokens assumed for the reservation when a request names no max_tokens. */
    default_output_tokens: z.int().positive().default(1024),
    rules: z.array(BudgetRule).default([]),
  }).prefault({}),
});

const Limits = z.strictObject({
  body_bytes: z.int().positive().default(10 * 1024 * 1024),
  response_bytes: z.int().positive().default(50 * 1024 * 1024),
  /** Longest silence between two upstream body chunks. */
  upstream_idle_timeout_ms: z.int().positive().default(120_000),
  /** Client side: headers must arrive within this (slowloris), the whole request within the next. */
  client_headers_timeout_ms: z.int().positive().default(10_000),
  client_request_timeout_ms: z.int().positive().default(30_000),
});

const Kafka = z.strictObject({
  brokers: z.array(z.string().min(1)).min(1),
  client_id: z.string().default('switchyard-gateway'),
  topic: z.string().default(TOPICS.records),
  /**
   * Compression of the record batches. gzip is what kafkajs ships (snappy, lz4 and zstd would need
   * native codec packages); Avro records of ~400 bytes shrink about 3x, and every Kafka client
   * reads it. `none` trades that for the gateway's CPU.
   */
  compression: z.enum(['gzip', 'none']).default('gzip'),
});

/** The durable overflow for records Kafka cannot take now (see telemetry/spool.ts for the fsync policy). */
const SpoolConfig = z.strictObject({
  enabled: z.boolean().default(true),
  dir: z.string().min(1).default('.switchyard/spool'),
  max_bytes: z.int().positive().default(1024 * 1024 * 1024),
  fsync: z.enum(['always', 'interval', 'never']).default('interval'),
  fsync_interval_ms: z.int().positive().default(100),
});

const Telemetry = z.strictObject({
  kafka: Kafka.optional(),
  spool: SpoolConfig.prefault({}),
  /** Records held in memory while Kafka is slow or away; beyond this they are dropped and counted. */
  queue_max_records: z.int().positive().default(100_000),
  batch_max_records: z.int().positive().default(1_000),
  linger_ms: z.int().nonnegative().default(20),
});

/** Node-wide protection of upstreams: circuit breakers and the retry budget. */
const Resilience = z.strictObject({
  breaker_failure_threshold: z.int().positive().default(5),
  breaker_cooldown_ms: z.int().positive().default(10_000),
  /** Retries may add at most this fraction of the requests (plus the floor below). */
  retry_budget_ratio: z.number().min(0).max(1).default(0.2),
  retry_budget_min_per_second: z.number().nonnegative().default(1),
  /** A pooled provider key answered 429 without Retry-After: it rests this long. */
  key_cooldown_ms: z.int().positive().default(10_000),
});

export const GatewayConfigSchema = z.strictObject({
  node_id: z.string().min(1).default(hostname()),
  listen: z.strictObject({ host: z.string().default('127.0.0.1'), port: z.int().min(0).max(65535).default(8787) }).prefault({}),
  limits: Limits.prefault({}),
  telemetry: Telemetry.prefault({}),
  resilience: Resilience.prefault({}),
  /** Each provider's own config (see providers/config.ts), custom providers under `custom`. */
  providers: ProvidersConfigSchema,
  gateways: z
    .record(z.string().regex(GATEWAY_NAME, 'gateway names are lowercase letters, digits, - and _'), GatewaySettings)
    .refine((g) => Object.keys(g).length > 0, 'at least one gateway is required'),
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export type GatewaySettingsConfig = z.infer<typeof GatewaySettings>;
export type BackoffName = z.infer<typeof Backoff>;

/** What the gateway runs with when no config file is given: every provider, keys from env. */
export function embeddedDefaults(env: NodeJS.ProcessEnv = process.env): unknown {
  return {
    listen: { host: env.SWITCHYARD_HOST ?? '127.0.0.1', port: Number(env.SWITCHYARD_PORT ?? 8787) },
    // Every provider that needs nothing but a key (empty: clients send their own). Azure, Vertex,
    // Bedrock and Workers AI need more (resource, project, region, account) and a config file.
    providers: {
      openai: { api_key: '${OPENAI_API_KEY:-}' },
      anthropic: { api_key: '${ANTHROPIC_API_KEY:-}' },
      'google-ai-studio': { api_key: '${GEMINI_API_KEY:-}' },
      mistral: { api_key: '${MISTRAL_API_KEY:-}' },
      groq: { api_key: '${GROQ_API_KEY:-}' },
      cohere: { api_key: '${COHERE_API_KEY:-}' },
      deepseek: { api_key: '${DEEPSEEK_API_KEY:-}' },
      xai: { api_key: '${XAI_API_KEY:-}' },
      perplexity: { api_key: '${PERPLEXITY_API_KEY:-}' },
      openrouter: { api_key: '${OPENROUTER_API_KEY:-}' },
      cerebras: { api_key: '${CEREBRAS_API_KEY:-}' },
      together: { api_key: '${TOGETHER_API_KEY:-}' },
      fireworks: { api_key: '${FIREWORKS_API_KEY:-}' },
      huggingface: { api_key: '${HF_TOKEN:-}' },
      ollama: { base_url: env.OLLAMA_HOST ?? 'http://localhost:11434' },
    },
    gateways: { default: {} },
    ...(env.KAFKA_BROKERS ? { telemetry: { kafka: { brokers: env.KAFKA_BROKERS.split(',') } } } : {}),
  };
}

export function loadGatewayConfig(path = process.env.SWITCHYARD_CONFIG, env: NodeJS.ProcessEnv = process.env): Readonly<GatewayConfig> {
  return loadConfig(GatewayConfigSchema, path, embeddedDefaults(env), env);
}
