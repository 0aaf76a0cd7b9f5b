import { describe, expect, it } from 'vitest';
import { addedMs, median, newLatencyHistogram, ratio, recordMs, summarize } from './stats.ts';

describe('bench statistics', () => {
  it('takes the middle value of an odd list and the mean of the middle two of an even list', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('reports percentiles of recorded latencies in milliseconds', () => {
    const h = newLatencyHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i / 10); // 0.1 ms .. 100 ms
    const s = summarize(h);
    expect(s.count).toBe(1000);
    expect(s.p50Ms).toBeCloseTo(50, 0);
    expect(s.p99Ms).toBeCloseTo(99, 0);
    expect(s.maxMs).toBeCloseTo(100, 0);
  });

  it('summarizes an empty histogram as zeros', () => {
    expect(summarize(newLatencyHistogram())).toMatchObject({ count: 0, p50Ms: 0, p99Ms: 0 });
  });

  it('expresses the gateway as a ratio to direct and as added milliseconds', () => {
    expect(ratio(950, 1000)).toBe(0.95);
    expect(ratio(5, 0)).toBeNull();
    expect(addedMs(1.7504, 1.25)).toBe(0.5);
    expect(addedMs(1, 1.2)).toBe(-0.2);
  });
});
