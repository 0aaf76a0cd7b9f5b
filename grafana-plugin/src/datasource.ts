import {
  CoreApp,
  DataFrame,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  DataSourceInstanceSettings,
  ScopedVars,
  TestDataSourceResponse,
} from '@grafana/data';
import { getBackendSrv, getTemplateSrv, TemplateSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { describeRequestError, Filters, HEALTH_PATH, hourlyRollupPath } from './api';
import { parseHourlyResponse, rowsToFrames } from './frames';
import { AnalyticsOptions, AnalyticsQuery, DEFAULT_QUERY, FILTER_NAMES, HourlyResponse, ROUTE_PATH } from './types';

/**
 * Reads the Switchyard analytics service through the plugin route declared in plugin.json: the
 * browser calls Grafana's data source proxy (`instanceSettings.url`), and Grafana's server forwards
 * `/<ROUTE_PATH>/...` to the configured analytics URL. No backend binary is needed.
 */
export class DataSource extends DataSourceApi<AnalyticsQuery, AnalyticsOptions> {
  readonly proxyUrl: string;
  readonly analyticsUrl: string | undefined;
  private readonly templateSrv: TemplateSrv;

  constructor(
    instanceSettings: DataSourceInstanceSettings<AnalyticsOptions>,
    templateSrv: TemplateSrv = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.proxyUrl = instanceSettings.url ?? '';
    this.analyticsUrl = instanceSettings.jsonData.analyticsUrl;
    this.templateSrv = templateSrv;
  }

  getDefaultQuery(_: CoreApp): Partial<AnalyticsQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: AnalyticsQuery): boolean {
    return !query.hide;
  }

  /** Defaults for fields an old or hand-written query lacks, and template variables in the filters. */
  applyTemplateVariables(query: AnalyticsQuery, scopedVars: ScopedVars): AnalyticsQuery {
    const resolved: AnalyticsQuery = {
      ...query,
      metric: query.metric ?? DEFAULT_QUERY.metric,
      groupBy: query.groupBy ?? DEFAULT_QUERY.groupBy,
    };
    for (const name of FILTER_NAMES) {
      const value = query[name];
      resolved[name] = value ? this.templateSrv.replace(value, scopedVars) : undefined;
    }
    return resolved;
  }

  async query(request: DataQueryRequest<AnalyticsQuery>): Promise<DataQueryResponse> {
    const fromMs = request.range.from.valueOf();
    const toMs = request.range.to.valueOf();
    // Queries differing only in metric or grouping share one rollup response: fetch each distinct
    // filter set once per refresh (a dashboard row of panels often asks for the same rows).
    const responses = new Map<string, Promise<HourlyResponse>>();
    const frames = await Promise.all(
      request.targets
        .filter((target) => this.filterQuery(target))
        .map(async (target): Promise<DataFrame[]> => {
          const query = this.applyTemplateVariables(target, request.scopedVars);
          const filters: Filters = { gateway: query.gateway, provider: query.provider, model: query.model };
          const path = hourlyRollupPath(fromMs, toMs, filters);
          let response = responses.get(path);
          if (!response) {
            response = this.get(path, `${request.requestId}_${responses.size}`).then(parseHourlyResponse);
            responses.set(path, response);
          }
          const { rows } = await response;
          return rowsToFrames(rows, {
            refId: query.refId,
            metric: query.metric,
            groupBy: query.groupBy,
            fromMs,
            toMs,
            executedQueryString: `GET ${path}`,
          });
        })
    );
    return { data: frames.flat() };
  }

  /** "Save & test": the analytics service's /healthz answers 200 while its ClickHouse does. */
  async testDatasource(): Promise<TestDataSourceResponse> {
    if (!this.analyticsUrl) {
      return { status: 'error', message: 'Set the analytics URL first (for example http://analytics:8790).' };
    }
    try {
      await this.get(HEALTH_PATH);
      return { status: 'success', message: `Switchyard analytics at ${this.analyticsUrl} is reachable and healthy.` };
    } catch (err) {
      return { status: 'error', message: `Switchyard analytics at ${this.analyticsUrl}: ${describeRequestError(err)}` };
    }
  }

  /** GET through the plugin route; rejects with an Error whose message keeps the service's error code. */
  private async get(path: string, requestId?: string): Promise<unknown> {
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<unknown>({
          url: `${this.proxyUrl}/${ROUTE_PATH}${path}`,
          method: 'GET',
          requestId,
          // The panel or the config page shows the error; no extra toast.
          showErrorAlert: false,
        })
      );
      return response.data;
    } catch (err) {
      throw new Error(describeRequestError(err), { cause: err });
    }
  }
}
