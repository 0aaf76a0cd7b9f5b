import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

/** Where the data source's plugin route (plugin.json `routes`) sends requests. */
export const ROUTE_PATH = 'analytics';

/** What a panel plots; see metrics.ts for how each one is computed from rollup rows. */
export type MetricId =
  | 'requests'
  | 'errors'
  | 'error_rate'
  | 'input_tokens'
  | 'cached_input_tokens'
  | 'cache_write_tokens'
  | 'output_tokens'
  | 'reasoning_tokens'
  | 'total_tokens'
  | 'cost_usd'
  | 'unpriced_requests';

/** One series per distinct value of this dimension; `none` sums everything into one series. */
export type GroupBy = 'provider' | 'model' | 'gateway' | 'none';

export const FILTER_NAMES = ['gateway', 'provider', 'model'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export interface AnalyticsQuery extends DataQuery {
  metric: MetricId;
  groupBy: GroupBy;
  /** Exact-match filters; empty or absent means "all". Template variables are interpolated. */
  gateway?: string;
  provider?: string;
  model?: string;
}

export const DEFAULT_QUERY: Partial<AnalyticsQuery> = {
  metric: 'requests',
  groupBy: 'provider',
};

/** Options configured per data source instance (plain JSON, visible to the browser). */
export interface AnalyticsOptions extends DataSourceJsonData {
  /** Base URL of the Switchyard analytics service as Grafana's server reaches it, e.g. http://analytics:8790 */
  analyticsUrl?: string;
}

/** One row of GET /api/v1/rollups/hourly (analytics/README.md). */
export interface HourlyRow {
  hour: string;
  gateway: string;
  provider: string;
  model: string;
  requests: number;
  errors: number;
  input_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  unpriced_requests: number;
}

export type Measure = Exclude<keyof HourlyRow, 'hour' | 'gateway' | 'provider' | 'model'>;

export interface HourlyResponse {
  from: string;
  to: string;
  catalog_version: string;
  rows: HourlyRow[];
}
