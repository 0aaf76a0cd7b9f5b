// The HTTP side of the analytics contract that does not need Grafana's runtime: request paths and
// readable messages for failed requests. The data source (datasource.ts) does the fetching.
import { FILTER_NAMES, FilterName } from './types';

export const HOURLY_PATH = '/api/v1/rollups/hourly';
export const HEALTH_PATH = '/healthz';

export type Filters = Partial<Record<FilterName, string>>;

/**
 * Path and query string for the hourly rollup over [fromMs, toMs). Only non-empty filters are
 * sent: the service treats a present-but-empty filter as "the value is empty", whereas an empty
 * box in the query editor means "all".
 */
export function hourlyRollupPath(fromMs: number, toMs: number, filters: Filters): string {
  const params = new URLSearchParams({ from: String(Math.floor(fromMs)), to: String(Math.ceil(toMs)) });
  for (const name of FILTER_NAMES) {
    const value = filters[name]?.trim();
    if (value) {
      params.set(name, value);
    }
  }
  return `${HOURLY_PATH}?${params.toString()}`;
}

/**
 * A one-line message for a failed request, keeping the service's typed error code when it sent
 * one ({"error":{"code","message"}}) and Grafana's own proxy message otherwise.
 */
export function describeRequestError(err: unknown): string {
  if (typeof err === 'string') {
    return err;
  }
  if (typeof err !== 'object' || err === null) {
    return 'request failed';
  }
  const { status, statusText, data, message } = err as {
    status?: unknown;
    statusText?: unknown;
    data?: unknown;
    message?: unknown;
  };
  const body = data as { error?: { code?: unknown; message?: unknown }; message?: unknown } | undefined;
  const prefix = typeof status === 'number' ? `HTTP ${status}` : '';
  if (body && typeof body === 'object') {
    const typed = body.error;
    if (typed && typeof typed.code === 'string') {
      const text = typeof typed.message === 'string' ? `: ${typed.message}` : '';
      return join(prefix, `${typed.code}${text}`);
    }
    if (typeof body.message === 'string' && body.message !== '') {
      return join(prefix, body.message);
    }
  }
  if (typeof statusText === 'string' && statusText !== '') {
    return join(prefix, statusText);
  }
  if (typeof message === 'string' && message !== '') {
    return join(prefix, message);
  }
  return prefix || 'request failed';
}

function join(prefix: string, text: string): string {
  return prefix ? `${prefix} ${text}` : text;
}
