// Response shapes of the rollup endpoints, as JSON Schema: fastify compiles them into serializers
// once at start-up, and they pin the contract the Grafana plugin reads.
import type { TokenUsage } from '@switchyard/schemas';

/** The measures every rollup row carries. */
export interface Measures extends TokenUsage {
  requests: number;
  errors: number;
  cost_usd: number;
  unpriced_requests: number;
}

export interface HourlyRow extends Measures {
  hour: string;
  gateway: string;
  provider: string;
  model: string;
}

export interface SummaryRow extends Measures {
  gateway: string;
  provider: string;
}

export interface RollupResponse<Row> {
  from: string;
  to: string;
  catalog_version: string;
  rows: Row[];
}

const integer = { type: 'integer' } as const;
const string = { type: 'string' } as const;
const MEASURES = {
  requests: integer,
  errors: integer,
  input_tokens: integer,
  cached_input_tokens: integer,
  cache_write_tokens: integer,
  output_tokens: integer,
  reasoning_tokens: integer,
  cost_usd: { type: 'number' },
  unpriced_requests: integer,
} as const;

function rowSchema(dimensions: Record<string, typeof string>) {
  const properties = { ...dimensions, ...MEASURES };
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false } as const;
}

function responseSchema(row: ReturnType<typeof rowSchema>) {
  return {
    200: {
      type: 'object',
      properties: { from: string, to: string, catalog_version: string, rows: { type: 'array', items: row } },
      required: ['from', 'to', 'catalog_version', 'rows'],
      additionalProperties: false,
    },
  } as const;
}

export const HOURLY_RESPONSE = responseSchema(rowSchema({ hour: string, gateway: string, provider: string, model: string }));
export const SUMMARY_RESPONSE = responseSchema(rowSchema({ gateway: string, provider: string }));
