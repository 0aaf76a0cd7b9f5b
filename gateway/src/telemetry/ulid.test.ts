import { describe, expect, it } from 'vitest';
import { ulid } from './ulid.ts';

describe('ulid', () => {
  it('is 26 Crockford base-32 characters with the time first', () => {
    const id = ulid(1_469_918_176_385);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // The spec's example time 1469918176385 encodes as 01ARYZ6S41.
    expect(id.slice(0, 10)).toBe('01ARYZ6S41');
  });

  it('sorts in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => ulid(1_700_000_000_000 + Math.floor(i / 100)));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
  });
});
