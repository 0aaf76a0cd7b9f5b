import { describe, expect, it } from 'vitest';
import { CircuitBreaker, RetryBudget } from './breaker.ts';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('CircuitBreaker', () => {
  it('opens after failureThreshold consecutive failures and refuses traffic', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1000, now: c.now });
    for (let i = 0; i < 4; i++) {
      expect(b.allow()).toBe(true);
      b.failure();
    }
    expect(b.state()).toBe('closed');
    b.failure();
    expect(b.state()).toBe('open');
    expect(b.allow()).toBe(false);
    expect(b.retryAfterMs()).toBe(1000);
  });
  it('resets the failure count on success (only consecutive failures open it)', () => {
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: clock().now });
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.state()).toBe('closed');
  });
  it('lets exactly one probe through after the cooldown (half-open)', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1000, now: c.now });
    b.failure();
    c.t += 999;
    expect(b.allow()).toBe(false);
    c.t += 1;
    expect(b.state()).toBe('half_open');
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(false);
    expect(b.allow()).toBe(false);
  });
  it('closes when the probe succeeds', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1000, now: c.now });
    b.failure();
    c.t += 1000;
    expect(b.allow()).toBe(true);
    b.success();
    expect(b.state()).toBe('closed');
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(true);
  });
  it('re-opens for another cooldown when the probe fails', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1000, now: c.now });
    b.failure();
    c.t += 1000;
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state()).toBe('open');
    c.t += 999;
    expect(b.allow()).toBe(false);
    c.t += 1;
    expect(b.allow()).toBe(true);
  });
  it('allows a new probe when the previous probe never reported back', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1000, now: c.now });
    b.failure();
    c.t += 1000;
    expect(b.allow()).toBe(true);
    c.t += 999;
    expect(b.allow()).toBe(false);
    c.t += 1;
    expect(b.allow()).toBe(true);
  });
  it('opens at once for the Retry-After the upstream asked for, capped', () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 5, cooldownMs: 1000, maxRetryAfterMs: 30_000, now: c.now });
    b.failure(5000);
    expect(b.state()).toBe('open');
    c.t += 4999;
    expect(b.allow()).toBe(false);
    c.t += 1;
    expect(b.allow()).toBe(true);
    b.success();
    b.failure(3_600_000);
    expect(b.retryAfterMs()).toBe(30_000);
  });
});

describe('RetryBudget', () => {
  it('keeps retries to ≤ 20% of requests under 100% failing traffic with 5 attempts each', () => {
    const c = clock();
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 1, now: c.now });
    let retries = 0;
    for (let r = 0; r < 1000; r++) {
      budget.onRequest();
      // every try fails; the proxy asks for a retry up to 4 times (5 attempts)
      for (let attempt = 2; attempt <= 5; attempt++) {
        if (!budget.tryRetry()) break;
        retries++;
      }
      c.t += 5; // 1,000 requests over 5 s: inside one 10 s window
    }
    const floor = 1 * 10; // minPerSecond × window seconds
    expect(retries).toBeLessThanOrEqual(0.2 * 1000 + floor);
    expect(retries).toBeGreaterThanOrEqual(0.2 * 1000); // the budget is spent, not refused outright
  });
  it('allows the floor of retries even with few requests', () => {
    const c = clock();
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0.5, windowMs: 10_000, now: c.now });
    budget.onRequest();
    let ok = 0;
    while (budget.tryRetry()) ok++;
    expect(ok).toBe(5); // 0.2 × 1 + 0.5 × 10 = 5.2
  });
  it('forgets old requests and retries once they leave the window', () => {
    const c = clock(0);
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 0, windowMs: 10_000, now: c.now });
    for (let i = 0; i < 10; i++) budget.onRequest();
    let ok = 0;
    while (budget.tryRetry()) ok++;
    expect(ok).toBe(5);
    c.t += 10_000; // every slot has rolled out
    expect(budget.tryRetry()).toBe(false); // no requests in the window, so no budget
    budget.onRequest();
    budget.onRequest();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });
  it('slides: requests from 5 s ago still earn budget, ones from 11 s ago do not', () => {
    const c = clock(0);
    const budget = new RetryBudget({ ratio: 1, minPerSecond: 0, windowMs: 10_000, now: c.now });
    budget.onRequest();
    c.t += 5000;
    budget.onRequest();
    c.t += 5500; // first request is now 10.5 s old
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });
});
