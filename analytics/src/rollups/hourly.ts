// GET /api/v1/rollups/hourly — usage and cost per UTC hour, gateway, provider and model; the
// endpoint the Grafana plugin reads. Contract in analytics/README.md.
import type { FastifyInstance } from 'fastify';
import type { PriceCatalog } from '@switchyard/schemas';
import { isoUtc, parseRollupParams } from '../params.ts';
import { priceGroup } from './cost.ts';
import type { UsageGroup } from './query.ts';
import { HOURLY_RESPONSE, type HourlyRow, type RollupResponse } from './schema.ts';
import { measuresOf, queryUsage, type RollupDeps } from './usage.ts';

/** Hourly groups (already in hour, gateway, provider, model order) priced with the catalog. */
export function toHourlyRows(groups: readonly UsageGroup[], catalog: PriceCatalog): HourlyRow[] {
  return groups.map((g) => ({
    hour: isoUtc(g.bucketStartMs),
    gateway: g.gateway,
    provider: g.provider,
    model: g.model,
    ...measuresOf(g, priceGroup(g, catalog)),
  }));
}

export function registerHourly(app: FastifyInstance, deps: RollupDeps): void {
  app.get('/api/v1/rollups/hourly', { schema: { response: HOURLY_RESPONSE } }, async (req): Promise<RollupResponse<HourlyRow>> => {
    const params = parseRollupParams(req.query);
    const groups = await queryUsage(deps, params, { kind: 'hour' });
    return {
      from: isoUtc(params.fromMs),
      to: isoUtc(params.toMs),
      catalog_version: deps.catalog.version,
      rows: toHourlyRows(groups, deps.catalog),
    };
  });
}
