// The bundled dashboard and plugin.json are hand-edited JSON: these checks keep them consistent
// with the code (metric ids, group-by values, plugin id, route) so a rename cannot leave a panel
// silently querying nothing.
import fs from 'fs';
import path from 'path';

import { GROUP_BY_OPTIONS, METRICS } from './metrics';
import { MetricId, ROUTE_PATH } from './types';
import pluginJson from './plugin.json';
import overview from './dashboards/overview.json';

interface Target {
  refId: string;
  datasource?: { type?: string; uid?: string };
  metric: string;
  groupBy: string;
  gateway?: string;
  provider?: string;
  model?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
}

const panels = overview.panels as unknown as Panel[];
const DATASOURCE_REF = { type: pluginJson.id, uid: '${datasource}' };

describe('overview dashboard', () => {
  it('queries this data source, through the dashboard’s data source variable, in every panel and target', () => {
    for (const panel of panels) {
      expect(panel.datasource).toEqual(DATASOURCE_REF);
      for (const target of panel.targets) {
        expect(target.datasource).toEqual(DATASOURCE_REF);
      }
    }
    const variable = overview.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: pluginJson.id });
  });

  it('uses only metrics and groupings the data source knows', () => {
    const groupings = GROUP_BY_OPTIONS.map((o) => o.value as string);
    for (const target of panels.flatMap((p) => p.targets)) {
      expect(METRICS.has(target.metric as MetricId)).toBe(true);
      expect(groupings).toContain(target.groupBy);
    }
  });

  it('passes the gateway, provider and model variables to every query', () => {
    for (const target of panels.flatMap((p) => p.targets)) {
      expect(target).toMatchObject({ gateway: '$gateway', provider: '$provider', model: '$model' });
    }
    const names = overview.templating.list.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['gateway', 'provider', 'model']));
  });

  it('plots requests, tokens, cost and errors by provider over time, with stat panels for the totals', () => {
    const byProvider = panels
      .filter((p) => p.type === 'timeseries')
      .flatMap((p) => p.targets)
      .filter((t) => t.groupBy === 'provider')
      .map((t) => t.metric);
    expect(byProvider).toEqual(expect.arrayContaining(['requests', 'total_tokens', 'cost_usd', 'errors']));

    const stats = panels.filter((p) => p.type === 'stat');
    expect(stats.length).toBeGreaterThanOrEqual(2);
    for (const stat of stats) {
      // A stat sums hourly values, which is only meaningful for additive metrics.
      expect(stat.targets.map((t) => t.metric)).not.toContain('error_rate');
      expect(stat.targets.every((t) => t.groupBy === 'none')).toBe(true);
    }
  });

  it('has unique panel ids and ref ids, and panels that do not overlap on the 24-column grid', () => {
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels) {
      const refIds = panel.targets.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
    for (const [i, a] of panels.entries()) {
      for (const b of panels.slice(i + 1)) {
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w &&
          b.gridPos.x < a.gridPos.x + a.gridPos.w &&
          a.gridPos.y < b.gridPos.y + b.gridPos.h &&
          b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect(overlap ? `${a.title} overlaps ${b.title}` : '').toBe('');
      }
    }
  });
});

describe('plugin.json', () => {
  it('routes <proxy>/analytics/... to the analytics URL set in the data source', () => {
    expect(pluginJson.routes).toEqual([
      expect.objectContaining({ path: ROUTE_PATH, url: '{{ .JsonData.analyticsUrl }}' }),
    ]);
  });

  it('bundles the overview dashboard from a file that exists', () => {
    const include = pluginJson.includes.find((i) => i.type === 'dashboard');
    expect(include?.path).toBe('dashboards/overview.json');
    expect(fs.existsSync(path.join(__dirname, include!.path))).toBe(true);
  });
});
