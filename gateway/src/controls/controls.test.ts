// The gateway controls on the request path (rows 11, 12, 15 of the reliability contract, rate
// limits with Retry-After, budgets that concurrency cannot overshoot), against the mock upstream.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing.ts';
import { hashToken } from './auth.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function gateway(settings: Record<string, unknown>): Promise<TestGateway> {
  const t = await startTestGateway({ gateways: { g: settings } });
  cleanups.push(() => t.close());
  return t;
}

const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'say something short' }] };
function post(t: TestGateway, headers: Record<string, string> = {}, b: unknown = body) {
  return fetch(`${t.url}/v1/g/openai/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(b) });
}

describe('gateway tokens', () => {
  const tokens = [
    { id: 'team-a', sha256: hashToken('secret-a') },
    { id: 'team-b', sha256: hashToken('secret-b'), models: ['anthropic/*'] },
    { id: 'old', sha256: hashToken('secret-old'), revoked: true },
  ];

  it('refuses a missing, wrong or revoked token with 401 and never calls the upstream', async () => {
    const t = await gateway({ auth: { required: true, tokens } });
    const attempts: Array<Record<string, string>> = [{}, { 'cf-aig-authorization': 'Bearer nope' }, { 'cf-aig-authorization': 'Bearer secret-old' }];
    for (const h of attempts) {
      const res = await post(t, h);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'SWY_UNAUTHORIZED' } });
    }
    expect(t.mock.stats.requests).toBe(0);
  });

  it('admits a valid token and records its id (never the secret)', async () => {
    const t = await gateway({ auth: { required: true, tokens } });
    const res = await post(t, { 'cf-aig-authorization': 'Bearer secret-a' });
    expect(res.status).toBe(200);
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec.token_id).toBe('team-a');
    expect(JSON.stringify(t.sink.requests)).not.toContain('secret-a');
    expect(t.mock.stats.lastRequest?.headers['cf-aig-authorization']).toBeUndefined();
  });

  it('enforces a token\'s model allow-list with 403', async () => {
    const t = await gateway({ auth: { required: true, tokens } });
    const res = await post(t, { 'cf-aig-authorization': 'Bearer secret-b' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'SWY_MODEL_NOT_ALLOWED' } });
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a request limit is reached, and records the refusal', async () => {
    const t = await gateway({ rate_limits: [{ id: 'two-per-minute', scope: 'gateway', limit: 2, window_ms: 60_000, technique: 'fixed' }] });
    expect((await post(t)).status).toBe(200);
    expect((await post(t)).status).toBe(200);
    const refused = await post(t);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { code: 'SWY_RATE_LIMITED' } });
    const rec = await t.sink.response(refused.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ outcome: 'gateway_error', error_code: 'SWY_RATE_LIMITED', status: 429 });
    expect(t.mock.stats.requests).toBe(2);
  });

  it('counts per metadata value: one user at the limit does not block another', async () => {
    const t = await gateway({ rate_limits: [{ id: 'per-user', scope: 'metadata', metadata_key: 'user', limit: 1, window_ms: 60_000 }] });
    expect((await post(t, { 'cf-aig-metadata': '{"user":"a"}' })).status).toBe(200);
    expect((await post(t, { 'cf-aig-metadata': '{"user":"a"}' })).status).toBe(429);
    expect((await post(t, { 'cf-aig-metadata': '{"user":"b"}' })).status).toBe(200);
    // Requests without the key are not subject to the rule.
    expect((await post(t)).status).toBe(200);
  });

  it('limits tokens: usage reported by the provider counts against the window', async () => {
    const t = await gateway({ rate_limits: [{ id: 'tokens', scope: 'model', kind: 'tokens', limit: 5, window_ms: 60_000 }] });
    const first = await post(t);
    expect(first.status).toBe(200);
    await t.sink.response(first.headers.get('cf-aig-log-id') as string);
    expect((await post(t)).status).toBe(429);
  });

  it('composes across two nodes as documented: each node enforces its own limit', async () => {
    const rule = { rate_limits: [{ id: 'one', scope: 'gateway', limit: 1, window_ms: 60_000, technique: 'fixed' }] };
    const a = await gateway(rule);
    const b = await gateway(rule);
    expect([(await post(a)).status, (await post(b)).status]).toEqual([200, 200]);
    expect([(await post(a)).status, (await post(b)).status]).toEqual([429, 429]);
  });
});

describe('spend limits', () => {
  // gpt-4o: $2.5 per 1M input tokens, $10 per 1M output tokens (schemas/prices/catalog.json).
  it('refuses with 429 SWY_BUDGET_EXCEEDED once the spend reaches the budget', async () => {
    const t = await gateway({ budgets: { rules: [{ id: 'tiny', scope: 'gateway', limit_usd: 0.0001, window_ms: 3_600_000 }] } });
    const small = { ...body, max_tokens: 5 };
    let admitted = 0;
    let refusal: { status: number; body: string } | undefined;
    for (let i = 0; i < 30 && !refusal; i++) {
      const res = await post(t, {}, small);
      const text = await res.text();
      if (res.status === 200) admitted++;
      else refusal = { status: res.status, body: text };
    }
    expect(admitted).toBeGreaterThan(0);
    expect(refusal?.status).toBe(429);
    expect(JSON.parse(refusal!.body)).toMatchObject({ error: { code: 'SWY_BUDGET_EXCEEDED' } });
    // Every admitted request's real cost is within the budget.
    const spent = t.sink.responses.filter((r) => r.status === 200).reduce((a, r) => a + (r.input_tokens * 2.5 + r.output_tokens * 10) / 1e6, 0);
    expect(spent).toBeLessThanOrEqual(0.0001);
  });

  it('cannot be overshot by concurrent requests: reservations are taken at admission', async () => {
    const t = await gateway({ budgets: { default_output_tokens: 100, rules: [{ id: 'b', scope: 'gateway', limit_usd: 0.005, window_ms: 3_600_000 }] } });
    // Each request reserves ~100 output tokens ($0.001) plus its input: at most 4 fit in $0.005.
    const results = await Promise.all(Array.from({ length: 20 }, () => post(t, { 'x-mock-latency-ms': '200' }).then(async (r) => { await r.text(); return r.status; })));
    const admitted = results.filter((s) => s === 200).length;
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(4);
    expect(results.filter((s) => s === 429).length).toBe(20 - admitted);
  });
});
