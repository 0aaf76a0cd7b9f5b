import { describe, expect, it } from 'vitest';
import { backoffDelay, retryUntilDone, wait } from './retry.ts';

describe('backoff', () => {
  it('doubles from the initial delay and never exceeds the cap (equal jitter: between half and all of it)', () => {
    const opts = { initialMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, opts, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, opts, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
  });
});

describe('retryUntilDone', () => {
  it('retries failures until the operation succeeds, reporting each failure', async () => {
    let calls = 0;
    const failures: number[] = [];
    const result = await retryUntilDone(
      async () => {
        if (++calls < 4) throw new Error(`fail ${calls}`);
        return 'done';
      },
      { backoff: { initialMs: 1, maxMs: 4 }, onRetry: (_err, attempt) => failures.push(attempt) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(4);
    expect(failures).toEqual([1, 2, 3]);
  });

  it('stops retrying when the signal aborts', async () => {
    const ac = new AbortController();
    let calls = 0;
    const run = retryUntilDone(
      async () => {
        calls++;
        throw new Error('down');
      },
      { backoff: { initialMs: 20, maxMs: 20 }, signal: ac.signal },
    );
    setTimeout(() => ac.abort(new Error('deadline')), 50);
    await expect(run).rejects.toThrow();
    const seen = calls;
    await wait(60);
    expect(calls).toBe(seen);
    expect(seen).toBeGreaterThanOrEqual(2);
  });
});

describe('wait', () => {
  it('calls whileWaiting every tick during a long wait, and its error ends the wait', async () => {
    let beats = 0;
    await wait(55, { tickMs: 10, whileWaiting: async () => void beats++ });
    expect(beats).toBe(5);
    await expect(wait(100, { tickMs: 5, whileWaiting: async () => { throw new Error('rebalancing'); } })).rejects.toThrow('rebalancing');
  });
});
