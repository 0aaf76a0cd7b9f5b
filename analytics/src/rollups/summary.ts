// GET /api/v1/rollups/summary — totals per gateway and provider over the range (Grafana stat
// panels). Priced exactly like the hourly rollup, but grouped by price period instead of by hour
// so a long range stays a handful of groups.
import type { FastifyInstance } from 'fastify';
import type { PriceCatalog } from '@switchyard/schemas';
import { isoUtc, parseRollupParams } from '../params.ts';
import { priceGroup } from './cost.ts';
import type { UsageGroup } from './query.ts';
import { SUMMARY_RESPONSE, type RollupResponse, type SummaryRow } from './schema.ts';
import { addMeasures, measuresOf, queryUsage, type RollupDeps } from './usage.ts';

/** Price each group, then total per (gateway, provider), sorted by gateway, provider. */
export function toSummaryRows(groups: readonly UsageGroup[], catalog: PriceCatalog): SummaryRow[] {
  const byKey = new Map<string, SummaryRow>();
  for (const g of groups) {
    const measures = measuresOf(g, priceGroup(g, catalog));
    const key = JSON.stringify([g.gateway, g.provider]);
    const row = byKey.get(key);
    if (row) addMeasures(row, measures);
    else byKey.set(key, { gateway: g.gateway, provider: g.provider, ...measures });
  }
  return [...byKey.values()].sort((a, b) => compare(a.gateway, b.gateway) || compare(a.provider, b.provider));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function registerSummary(app: FastifyInstance, deps: RollupDeps): void {
  app.get('/api/v1/rollups/summary', { schema: { response: SUMMARY_RESPONSE } }, async (req): Promise<RollupResponse<SummaryRow>> => {
    const params = parseRollupParams(req.query);
    const groups = await queryUsage(deps, params, { kind: 'price_period', boundariesMs: deps.priceBoundariesMs });
    return {
      from: isoUtc(params.fromMs),
      to: isoUtc(params.toMs),
      catalog_version: deps.catalog.version,
      rows: toSummaryRows(groups, deps.catalog),
    };
  });
}
