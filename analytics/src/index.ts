// @switchyard/analytics: the rollup API over ClickHouse that the Grafana plugin reads.
export { buildApp, type AppOptions } from './app.ts';
export { ERRORS, AnalyticsError, type ErrorCode } from './errors.ts';
export type { HourlyRow, SummaryRow, RollupResponse, Measures } from './rollups/schema.ts';
