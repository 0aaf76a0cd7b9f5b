// @switchyard/gateway public entry: build a gateway node in-process (tests, embedding).
export { buildGateway, type Gateway, type GatewayDeps } from './app.ts';
export { GatewayConfigSchema, loadGatewayConfig, embeddedDefaults, type GatewayConfig } from './config.ts';
export { ERRORS, GatewayError, type ErrorCode } from './errors.ts';
export { PROVIDER_IDS, type ProviderId } from './providers/registry.ts';
// Controls, for embedding and for the micro-benchmarks in bench/.
export { RateLimiter, type RateLimitRule } from './controls/rate-limit.ts';
export { ResponseCache, cacheKey } from './controls/cache.ts';
// The record producer, for the pipeline benchmark (G8).
export { KafkaRecordProducer, type ProducerStats } from './telemetry/producer.ts';
export { kafkaTransport } from './telemetry/kafka.ts';
