import { GroupBy, Measure, MetricId } from './types';

/**
 * How a metric is computed from rollup rows. Every metric is a sum of row measures; a ratio
 * metric divides two such sums, and only after rows are aggregated into their (group, hour)
 * bucket, so an error rate is errors / requests of the bucket, never an average of rates.
 */
export interface MetricDefinition {
  id: MetricId;
  label: string;
  description: string;
  /** Grafana unit id for the value field. */
  unit: string;
  /** Measures summed for the value (or the numerator of a ratio). */
  sum: readonly Measure[];
  /** Measures summed for the denominator; a bucket whose denominator is 0 has no value (null). */
  per?: readonly Measure[];
}

const definitions: MetricDefinition[] = [
  { id: 'requests', label: 'Requests', description: 'Responses recorded', unit: 'short', sum: ['requests'] },
  {
    id: 'errors',
    label: 'Errors',
    description: 'Responses whose outcome is not success',
    unit: 'short',
    sum: ['errors'],
  },
  {
    id: 'error_rate',
    label: 'Error rate',
    description: 'Errors / requests in each hour',
    unit: 'percentunit',
    sum: ['errors'],
    per: ['requests'],
  },
  {
    id: 'input_tokens',
    label: 'Input tokens',
    description: 'Prompt tokens billed at the full input price (cached and cache-write tokens excluded)',
    unit: 'short',
    sum: ['input_tokens'],
  },
  {
    id: 'cached_input_tokens',
    label: 'Cached input tokens',
    description: "Prompt tokens read from the provider's prompt cache",
    unit: 'short',
    sum: ['cached_input_tokens'],
  },
  {
    id: 'cache_write_tokens',
    label: 'Cache write tokens',
    description: "Prompt tokens written to the provider's prompt cache",
    unit: 'short',
    sum: ['cache_write_tokens'],
  },
  {
    id: 'output_tokens',
    label: 'Output tokens',
    description: 'Completion tokens, reasoning included',
    unit: 'short',
    sum: ['output_tokens'],
  },
  {
    id: 'reasoning_tokens',
    label: 'Reasoning tokens',
    description: 'Of the output tokens, those spent on reasoning',
    unit: 'short',
    sum: ['reasoning_tokens'],
  },
  {
    id: 'total_tokens',
    label: 'Total tokens',
    description: 'Input + cached input + cache write + output (reasoning is part of output, not added again)',
    unit: 'short',
    sum: ['input_tokens', 'cached_input_tokens', 'cache_write_tokens', 'output_tokens'],
  },
  { id: 'cost_usd', label: 'Cost', description: 'Cost in US dollars', unit: 'currencyUSD', sum: ['cost_usd'] },
  {
    id: 'unpriced_requests',
    label: 'Unpriced requests',
    description: 'Responses with neither a catalog price nor a custom cost (their cost counts as 0)',
    unit: 'short',
    sum: ['unpriced_requests'],
  },
];

export const METRICS: ReadonlyMap<MetricId, MetricDefinition> = new Map(definitions.map((d) => [d.id, d]));

export const GROUP_BY_OPTIONS: ReadonlyArray<{ value: GroupBy; label: string }> = [
  { value: 'provider', label: 'Provider' },
  { value: 'model', label: 'Model' },
  { value: 'gateway', label: 'Gateway' },
  { value: 'none', label: 'None (total)' },
];

export class UnknownMetricError extends Error {
  readonly code = 'SWY_PLUGIN_UNKNOWN_METRIC';
  constructor(metric: unknown) {
    super(`unknown metric ${JSON.stringify(metric)} (known: ${[...METRICS.keys()].join(', ')})`);
    this.name = 'UnknownMetricError';
  }
}

export function metricDefinition(id: MetricId): MetricDefinition {
  const definition = METRICS.get(id);
  if (!definition) {
    throw new UnknownMetricError(id);
  }
  return definition;
}
