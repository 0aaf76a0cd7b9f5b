// Stored provider keys for one provider: several keys under aliases (logs and records name the
// alias, never the key), weighted load spreading, and a cooldown for a key the upstream throttled
// (429) or rejected, so traffic moves to the others. replace() rotates keys without a restart.

export interface ProviderKey {
  alias: string;
  key: string;
  /** Relative share of traffic; default 1. 0 keeps a key configured but unused (a standby). */
  weight?: number;
}

interface Slot {
  entry: ProviderKey;
  weight: number;
  coolUntil: number;
}

export class KeyPool {
  private slots: Slot[] = [];
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(keys: ProviderKey[], opts: { random?: () => number; now?: () => number } = {}) {
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
    this.replace(keys);
  }

  /**
   * Weighted random choice among keys not cooling down; undefined when every key is cooling down
   * (the caller answers 429/503 with cooldownRemainingMs() as Retry-After, or falls back).
   */
  pick(): ProviderKey | undefined {
    const now = this.now();
    let total = 0;
    for (const s of this.slots) if (s.coolUntil <= now) total += s.weight;
    if (total <= 0) return undefined;
    let r = this.random() * total;
    let last: Slot | undefined;
    for (const s of this.slots) {
      if (s.coolUntil > now || s.weight <= 0) continue;
      last = s;
      r -= s.weight;
      if (r < 0) return s.entry;
    }
    return last?.entry; // r landed exactly on the total (random() close to 1 and rounding)
  }

  /** Keep `alias` out of pick() for `ms` (extends, never shortens, a running cooldown). */
  coolDown(alias: string, ms: number): void {
    const s = this.slots.find((x) => x.entry.alias === alias);
    if (s) s.coolUntil = Math.max(s.coolUntil, this.now() + Math.max(0, ms));
  }

  /** ms until some key with a weight becomes available again; 0 when one is available now. */
  cooldownRemainingMs(): number {
    const now = this.now();
    let soonest = Infinity;
    for (const s of this.slots) if (s.weight > 0) soonest = Math.min(soonest, s.coolUntil - now);
    return soonest === Infinity ? 0 : Math.max(0, soonest);
  }

  /**
   * Swap in a new key set (rotation). A cooldown carries over only when the alias keeps the same
   * key: a new key under an old alias starts fresh.
   */
  replace(keys: ProviderKey[]): void {
    const seen = new Set<string>();
    const next: Slot[] = [];
    for (const k of keys) {
      if (!k.alias) throw new Error('provider key alias must not be empty');
      if (seen.has(k.alias)) throw new Error(`duplicate provider key alias "${k.alias}"`);
      seen.add(k.alias);
      const weight = k.weight ?? 1;
      if (!(weight >= 0) || !Number.isFinite(weight)) throw new Error(`weight of provider key "${k.alias}" must be a finite number ≥ 0`);
      const old = this.slots.find((s) => s.entry.alias === k.alias && s.entry.key === k.key);
      next.push({ entry: { alias: k.alias, key: k.key, weight }, weight, coolUntil: old?.coolUntil ?? 0 });
    }
    this.slots = next;
  }

  aliases(): string[] {
    return this.slots.map((s) => s.entry.alias);
  }

  /** The pool as configured (for rotation from a reloaded config). */
  entries(): ProviderKey[] {
    return this.slots.map((s) => ({ ...s.entry }));
  }

  /** The secrets themselves, only so they can be redacted from what upstreams send back. */
  secrets(): string[] {
    return this.slots.map((s) => s.entry.key);
  }
}
