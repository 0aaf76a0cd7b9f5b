import { describe, expect, it } from 'vitest';
import { KeyPool } from './keys.ts';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

/** A deterministic uniform sequence 0, 1/n, 2/n, … so shares can be counted exactly. */
function sweep(n: number) {
  let i = 0;
  return () => (i++ % n) / n;
}

describe('KeyPool', () => {
  it('spreads picks by weight', () => {
    const pool = new KeyPool([{ alias: 'a', key: 'ka', weight: 3 }, { alias: 'b', key: 'kb', weight: 1 }], { random: sweep(1000) });
    const counts = { a: 0, b: 0 } as Record<string, number>;
    for (let i = 0; i < 1000; i++) counts[pool.pick()!.alias]! += 1;
    expect(counts).toEqual({ a: 750, b: 250 });
  });
  it('defaults weights to 1 and never picks a weight-0 standby', () => {
    const pool = new KeyPool([{ alias: 'a', key: 'ka' }, { alias: 'standby', key: 'ks', weight: 0 }, { alias: 'b', key: 'kb' }], { random: sweep(100) });
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(pool.pick()!.alias);
    expect([...seen].sort()).toEqual(['a', 'b']);
  });
  it('skips a key while it cools down and returns it afterwards', () => {
    const c = clock();
    const pool = new KeyPool([{ alias: 'a', key: 'ka' }, { alias: 'b', key: 'kb' }], { random: sweep(10), now: c.now });
    pool.coolDown('a', 5000);
    for (let i = 0; i < 10; i++) expect(pool.pick()!.alias).toBe('b');
    c.t += 5000;
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add(pool.pick()!.alias);
    expect(seen.has('a')).toBe(true);
  });
  it('returns undefined when every key cools down, with the time until one is back', () => {
    const c = clock();
    const pool = new KeyPool([{ alias: 'a', key: 'ka' }, { alias: 'b', key: 'kb' }], { now: c.now });
    pool.coolDown('a', 3000);
    pool.coolDown('b', 1000);
    expect(pool.pick()).toBeUndefined();
    expect(pool.cooldownRemainingMs()).toBe(1000);
    c.t += 1000;
    expect(pool.pick()!.alias).toBe('b');
    expect(pool.cooldownRemainingMs()).toBe(0);
  });
  it('never shortens a running cooldown', () => {
    const c = clock();
    const pool = new KeyPool([{ alias: 'a', key: 'ka' }], { now: c.now });
    pool.coolDown('a', 5000);
    pool.coolDown('a', 100);
    c.t += 4999;
    expect(pool.pick()).toBeUndefined();
  });
  it('returns a key even when random() returns a value just below 1', () => {
    const pool = new KeyPool([{ alias: 'a', key: 'ka', weight: 0.1 }, { alias: 'b', key: 'kb', weight: 0.2 }], { random: () => 0.9999999999999999 });
    expect(pool.pick()!.alias).toBe('b');
  });
  it('rotates keys with replace(): new keys are used at once, a re-keyed alias loses its cooldown', () => {
    const c = clock();
    const pool = new KeyPool([{ alias: 'a', key: 'old' }, { alias: 'b', key: 'kb' }], { now: c.now, random: () => 0 });
    pool.coolDown('a', 10_000);
    pool.coolDown('b', 10_000);
    pool.replace([{ alias: 'a', key: 'new' }, { alias: 'b', key: 'kb' }]);
    expect(pool.pick()).toEqual({ alias: 'a', key: 'new', weight: 1 });
    pool.replace([{ alias: 'b', key: 'kb' }]);
    expect(pool.pick()).toBeUndefined(); // b kept its key, so it keeps its cooldown
    expect(pool.aliases()).toEqual(['b']);
  });
  it('rejects duplicate aliases and bad weights', () => {
    expect(() => new KeyPool([{ alias: 'a', key: '1' }, { alias: 'a', key: '2' }])).toThrow(/duplicate/);
    expect(() => new KeyPool([{ alias: 'a', key: '1', weight: -1 }])).toThrow(/weight/);
    expect(() => new KeyPool([{ alias: 'a', key: '1', weight: Number.POSITIVE_INFINITY }])).toThrow(/weight/);
  });
  it('gives undefined from an empty pool', () => {
    expect(new KeyPool([]).pick()).toBeUndefined();
  });
});
