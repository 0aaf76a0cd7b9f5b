// @switchyard/schemas: the shared leaf. Records and their codec, topics, prices, config, logging.
export * from './records.generated.ts';
export * from './codec.ts';
export * from './fingerprint.ts';
export * from './topics.ts';
export * from './pricing.ts';
export * from './config.ts';
export * from './log.ts';
export * from './sql.ts';
