// Cost of a usage group at query time, from the price catalog: correcting a price in the catalog
// re-prices history on the next query. Catalog-priced tokens are summed per group and priced once
// with the entry in force at the group's first hour (groups never straddle a price change);
// custom-cost rows were priced per row by ClickHouse and are added as they are.
import { costOf, type PriceCatalog } from '@switchyard/schemas';
import type { UsageGroup } from './query.ts';

export interface GroupCost {
  cost_usd: number;
  /** Requests with neither a catalog price nor a custom cost (their tokens cost 0). */
  unpriced_requests: number;
}

export function priceGroup(group: UsageGroup, catalog: PriceCatalog): GroupCost {
  if (group.catalogRequests === 0) return { cost_usd: group.customCostUsd, unpriced_requests: 0 };
  const price = catalog.priceAt(group.provider, group.model, group.bucketStartMs);
  if (!price) return { cost_usd: group.customCostUsd, unpriced_requests: group.catalogRequests };
  return { cost_usd: costOf(group.catalogTokens, price) + group.customCostUsd, unpriced_requests: 0 };
}
