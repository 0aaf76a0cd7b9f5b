import { DataQueryRequest, DataSourceInstanceSettings, dateTime, FieldType, ScopedVars } from '@grafana/data';
import { BackendSrv, BackendSrvRequest, FetchResponse, setBackendSrv, TemplateSrv } from '@grafana/runtime';
import { Observable, of, throwError } from 'rxjs';

import { DataSource } from './datasource';
import { HOUR_MS } from './frames';
import { AnalyticsOptions, AnalyticsQuery, HourlyRow } from './types';

const PROXY = '/api/datasources/proxy/uid/switchyard';
const T20 = Date.parse('2026-11-21T20:00:00Z');
const T22 = T20 + 2 * HOUR_MS;

/**
 * Stands in for Grafana's BackendSrv (installed with setBackendSrv, the hook Grafana itself
 * provides for this): records every request and answers by path, like the analytics service.
 */
class FakeBackend {
  readonly requests: BackendSrvRequest[] = [];
  constructor(private readonly answer: (url: URL) => { status: number; data: unknown }) {}

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    this.requests.push(options);
    const url = new URL(options.url, 'http://grafana.local');
    const { status, data } = this.answer(url);
    if (status >= 400) {
      return throwError(() => ({ status, statusText: 'error', data, config: options }));
    }
    return of({
      data: data as T,
      status,
      statusText: 'OK',
      ok: true,
      headers: new Headers(),
      redirected: false,
      type: 'basic',
      url: options.url,
      config: options,
    });
  }

  paths(): string[] {
    return this.requests.map((r) => r.url);
  }
}

/** Replaces $name with the value of a dashboard variable, like Grafana's template service. */
const templateSrv = {
  replace: (target?: string, scopedVars?: ScopedVars) =>
    (target ?? '').replace(/\$(\w+)/g, (_, name: string) => String(scopedVars?.[name]?.value ?? `$${name}`)),
} as unknown as TemplateSrv;

function row(hourMs: number, overrides: Partial<HourlyRow>): HourlyRow {
  return {
    hour: new Date(hourMs).toISOString(),
    gateway: 'default',
    provider: 'openai',
    model: 'gpt-4o',
    requests: 0,
    errors: 0,
    input_tokens: 0,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0,
    unpriced_requests: 0,
    ...overrides,
  };
}

const ROWS = [
  row(T20, { provider: 'openai', requests: 3, cost_usd: 0.5 }),
  row(T20, { provider: 'anthropic', model: 'claude', requests: 1, cost_usd: 0.25 }),
];

function dataSource(jsonData: AnalyticsOptions = { analyticsUrl: 'http://analytics:8790' }) {
  const settings = {
    id: 1,
    uid: 'switchyard',
    name: 'Switchyard',
    type: 'switchyard-analytics-datasource',
    url: PROXY,
    jsonData,
  };
  return new DataSource(settings as unknown as DataSourceInstanceSettings<AnalyticsOptions>, templateSrv);
}

function request(
  targets: Array<Partial<AnalyticsQuery>>,
  scopedVars: ScopedVars = {}
): DataQueryRequest<AnalyticsQuery> {
  return {
    requestId: 'Q1',
    targets: targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      metric: 'requests',
      groupBy: 'provider',
      ...t,
    })),
    range: { from: dateTime(T20), to: dateTime(T22), raw: { from: 'now-2h', to: 'now' } },
    scopedVars,
  } as unknown as DataQueryRequest<AnalyticsQuery>;
}

/** Serves the hourly rollup of `rows`, applying the exact-match filters as the service does. */
function serving(rows: HourlyRow[]) {
  return new FakeBackend((url) => {
    if (!url.pathname.endsWith('/api/v1/rollups/hourly')) {
      return { status: 404, data: {} };
    }
    const matching = rows.filter((r) =>
      (['gateway', 'provider', 'model'] as const).every(
        (name) => !url.searchParams.has(name) || url.searchParams.get(name) === r[name]
      )
    );
    return { status: 200, data: { from: '', to: '', catalog_version: 'c1', rows: matching } };
  });
}

describe('DataSource.query', () => {
  it('reads the hourly rollup through the plugin route and answers one frame per provider', async () => {
    const backend = serving(ROWS);
    setBackendSrv(backend as unknown as BackendSrv);

    const response = await dataSource().query(request([{ metric: 'cost_usd', groupBy: 'provider' }]));

    expect(backend.paths()).toEqual([`${PROXY}/analytics/api/v1/rollups/hourly?from=${T20}&to=${T22}`]);
    expect(backend.requests[0]?.method).toBe('GET');
    expect(response.data.map((f) => [f.refId, f.name, f.fields[1]?.values])).toEqual([
      ['A', 'openai', [0.5, 0]],
      ['A', 'anthropic', [0.25, 0]],
    ]);
    expect(response.data[0]?.fields[0]?.type).toBe(FieldType.time);
    expect(response.data[0]?.meta?.executedQueryString).toBe(`GET /api/v1/rollups/hourly?from=${T20}&to=${T22}`);
  });

  it('fetches each distinct filter set once, however many queries share it', async () => {
    const backend = serving(ROWS);
    setBackendSrv(backend as unknown as BackendSrv);

    const response = await dataSource().query(
      request([
        { metric: 'requests', groupBy: 'provider' },
        { metric: 'cost_usd', groupBy: 'none' },
        { metric: 'errors', groupBy: 'model', provider: 'openai' },
      ])
    );

    expect(backend.paths()).toEqual([
      `${PROXY}/analytics/api/v1/rollups/hourly?from=${T20}&to=${T22}`,
      `${PROXY}/analytics/api/v1/rollups/hourly?from=${T20}&to=${T22}&provider=openai`,
    ]);
    expect(response.data.map((f) => `${f.refId}:${f.name}`)).toEqual(['A:openai', 'A:anthropic', 'B:Cost', 'C:gpt-4o']);
  });

  it('interpolates template variables in the filters and sends none for an empty one', async () => {
    const backend = serving([]);
    setBackendSrv(backend as unknown as BackendSrv);

    await dataSource().query(
      request([{ provider: '$provider', model: '$model', gateway: '' }], {
        provider: { text: 'anthropic', value: 'anthropic' },
        model: { text: '', value: '' },
      })
    );

    expect(backend.paths()).toEqual([
      `${PROXY}/analytics/api/v1/rollups/hourly?from=${T20}&to=${T22}&provider=anthropic`,
    ]);
  });

  it('skips hidden queries and fills in defaults for a query saved without metric or grouping', async () => {
    const backend = serving(ROWS);
    setBackendSrv(backend as unknown as BackendSrv);

    const response = await dataSource().query(
      request([{ hide: true }, { metric: undefined, groupBy: undefined } as Partial<AnalyticsQuery>])
    );

    expect(response.data.map((f) => `${f.refId}:${f.name}:${f.fields[1]?.values[0]}`)).toEqual([
      'B:openai:3',
      'B:anthropic:1',
    ]);
  });

  it('fails with the service’s typed error code', async () => {
    setBackendSrv(
      new FakeBackend(() => ({
        status: 400,
        data: {
          error: { code: 'SWY_ANALYTICS_BAD_RANGE', message: 'the time range is invalid: at most 400 days per query' },
        },
      })) as unknown as BackendSrv
    );

    await expect(dataSource().query(request([{}]))).rejects.toThrow(
      'HTTP 400 SWY_ANALYTICS_BAD_RANGE: the time range is invalid: at most 400 days per query'
    );
  });

  it('fails on a body that is not a rollup', async () => {
    setBackendSrv(new FakeBackend(() => ({ status: 200, data: '<html>login</html>' })) as unknown as BackendSrv);

    await expect(dataSource().query(request([{}]))).rejects.toThrow('unexpected response from the analytics service');
  });
});

describe('DataSource.testDatasource', () => {
  it('succeeds when /healthz answers 200', async () => {
    const backend = new FakeBackend((url) =>
      url.pathname.endsWith('/healthz') ? { status: 200, data: { status: 'ok' } } : { status: 404, data: {} }
    );
    setBackendSrv(backend as unknown as BackendSrv);

    const result = await dataSource().testDatasource();

    expect(backend.paths()).toEqual([`${PROXY}/analytics/healthz`]);
    expect(result.status).toBe('success');
  });

  it('reports the service’s error when it is unhealthy', async () => {
    setBackendSrv(
      new FakeBackend(() => ({
        status: 503,
        data: { error: { code: 'SWY_ANALYTICS_CLICKHOUSE_UNAVAILABLE', message: 'ClickHouse is unreachable' } },
      })) as unknown as BackendSrv
    );

    const result = await dataSource().testDatasource();

    expect(result).toEqual({
      status: 'error',
      message:
        'Switchyard analytics at http://analytics:8790: HTTP 503 SWY_ANALYTICS_CLICKHOUSE_UNAVAILABLE: ClickHouse is unreachable',
    });
  });

  it('asks for the analytics URL before making any request', async () => {
    const backend = serving([]);
    setBackendSrv(backend as unknown as BackendSrv);

    const result = await dataSource({}).testDatasource();

    expect(result.status).toBe('error');
    expect(result.message).toContain('Set the analytics URL');
    expect(backend.requests).toHaveLength(0);
  });
});
