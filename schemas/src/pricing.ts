// The versioned price catalog (prices/catalog.json) and the one cost formula every service uses.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Entry = z.strictObject({
  provider: z.string().min(1),
  model: z.string().min(1),
  effective_from: z.iso.datetime(),
  input: z.number().nonnegative(),
  cached_input: z.number().nonnegative().optional(),
  cache_write: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
  reasoning: z.number().nonnegative().optional(),
});
const Catalog = z.strictObject({
  doc: z.string().optional(),
  version: z.string(),
  currency: z.literal('USD'),
  per_tokens: z.number().positive(),
  entries: z.array(Entry),
});
export type PriceCatalogFile = z.infer<typeof Catalog>;

/** USD per single token, every kind resolved (defaults applied). */
export interface Price {
  provider: string;
  model: string;
  effectiveFromMs: number;
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

export interface TokenUsage {
  input_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

export class PriceCatalog {
  readonly version: string;
  /** provider -> model -> prices sorted by effectiveFromMs ascending */
  private readonly byModel = new Map<string, Map<string, Price[]>>();

  constructor(file: PriceCatalogFile) {
    const parsed = Catalog.parse(file);
    this.version = parsed.version;
    for (const e of parsed.entries) {
      const per = parsed.per_tokens;
      const price: Price = {
        provider: e.provider,
        model: e.model,
        effectiveFromMs: Date.parse(e.effective_from),
        input: e.input / per,
        cachedInput: (e.cached_input ?? e.input) / per,
        cacheWrite: (e.cache_write ?? e.input) / per,
        output: e.output / per,
        reasoning: (e.reasoning ?? e.output) / per,
      };
      let models = this.byModel.get(e.provider);
      if (!models) this.byModel.set(e.provider, (models = new Map()));
      const list = models.get(e.model) ?? [];
      list.push(price);
      list.sort((a, b) => a.effectiveFromMs - b.effectiveFromMs);
      models.set(e.model, list);
    }
  }

  static load(path = new URL('../prices/catalog.json', import.meta.url)): PriceCatalog {
    return new PriceCatalog(JSON.parse(readFileSync(path, 'utf8')) as PriceCatalogFile);
  }

  /** The price in force for provider/model at `atMs`, or undefined when the catalog has none. */
  priceAt(provider: string, model: string, atMs: number): Price | undefined {
    const models = this.byModel.get(provider);
    if (!models) return undefined;
    let list = models.get(model);
    if (!list) {
      // Longest catalog model that prefixes the requested one at a '-' boundary (dated snapshots).
      let best = '';
      for (const name of models.keys()) {
        if (name.length > best.length && model.startsWith(name + '-')) best = name;
      }
      list = best ? models.get(best) : undefined;
    }
    if (!list) return undefined;
    let found: Price | undefined;
    for (const p of list) {
      if (p.effectiveFromMs <= atMs) found = p;
      else break;
    }
    return found;
  }

  entries(): Price[] {
    return [...this.byModel.values()].flatMap((m) => [...m.values()].flat());
  }
}

/** Cost in USD of one usage at one price. output_tokens includes reasoning_tokens. */
export function costOf(usage: TokenUsage, price: Price): number {
  const plainOutput = Math.max(0, usage.output_tokens - usage.reasoning_tokens);
  return (
    usage.input_tokens * price.input +
    usage.cached_input_tokens * price.cachedInput +
    usage.cache_write_tokens * price.cacheWrite +
    plainOutput * price.output +
    usage.reasoning_tokens * price.reasoning
  );
}

/** Cost with a per-request cf-aig-custom-cost override: every input kind at perIn, all output at perOut. */
export function customCostOf(usage: TokenUsage, perIn: number, perOut: number): number {
  return (usage.input_tokens + usage.cached_input_tokens + usage.cache_write_tokens) * perIn + usage.output_tokens * perOut;
}
