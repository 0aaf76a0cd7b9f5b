// Rows 1-4, 9, 10 and 13 of the reliability contract: typed errors, and the upstream never called.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayConfigSchema } from '../config.ts';
import { startTestGateway, type TestGateway } from '../testing.ts';

let t: TestGateway;
beforeAll(async () => { t = await startTestGateway({ limits: { body_bytes: 64 * 1024 } }); });
afterAll(async () => { await t.close(); });

async function send(path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const before = t.mock.stats.requests;
  const res = await fetch(`${t.url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as { error: { code: string; message: string } }, upstreamCalls: t.mock.stats.requests - before };
}

const native = '/v1/default/openai/chat/completions';
const good = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });

describe('bad inputs get typed errors and never reach the upstream', () => {
  const cases: Array<[string, () => ReturnType<typeof send>, number, string]> = [
    ['malformed JSON', () => send(native, '{"model":'), 400, 'SWY_BAD_JSON'],
    ['an empty JSON body', () => send(native, ''), 400, 'SWY_EMPTY_BODY'],
    ['an unsupported content type', () => send(native, good, { 'content-type': 'text/plain' }), 415, 'SWY_UNSUPPORTED_MEDIA_TYPE'],
    ['a body over the limit', () => send(native, JSON.stringify({ model: 'x', pad: 'x'.repeat(70 * 1024) })), 413, 'SWY_BODY_TOO_LARGE'],
    ['a __proto__ key', () => send(native, '{"model":"gpt-4o","__proto__":{"admin":true}}'), 400, 'SWY_FORBIDDEN_KEY'],
    ['a constructor.prototype key', () => send(native, '{"constructor":{"prototype":{"x":1}}}'), 400, 'SWY_FORBIDDEN_KEY'],
    ['a JSON array body', () => send(native, '[1,2]'), 400, 'SWY_BAD_REQUEST'],
    ['metadata with 6 entries', () => send(native, good, { 'content-type': 'application/json', 'cf-aig-metadata': '{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}' }), 400, 'SWY_BAD_METADATA'],
    ['nested metadata', () => send(native, good, { 'content-type': 'application/json', 'cf-aig-metadata': '{"a":{"b":1}}' }), 400, 'SWY_BAD_METADATA'],
    ['metadata that is not JSON', () => send(native, good, { 'content-type': 'application/json', 'cf-aig-metadata': 'team=x' }), 400, 'SWY_BAD_METADATA'],
    ['a bad custom cost', () => send(native, good, { 'content-type': 'application/json', 'cf-aig-custom-cost': '{"per_token_in":"x"}' }), 400, 'SWY_BAD_HEADER'],
    ['an unknown gateway', () => send('/v1/nope/openai/chat/completions', good), 404, 'SWY_UNKNOWN_GATEWAY'],
    ['an unknown provider', () => send('/v1/default/nope/chat/completions', good), 404, 'SWY_UNKNOWN_PROVIDER'],
    ['an unknown route', () => send('/v2/whatever', good), 404, 'SWY_UNKNOWN_ROUTE'],
    ['a path climbing out of the base URL', () => send('/v1/default/openai/v1%2F..%2F..%2Fadmin', good), 400, 'SWY_BAD_REQUEST'],
    ['a compat model without provider', () => send('/v1/default/compat/chat/completions', JSON.stringify({ model: 'gpt-4o', messages: [] })), 400, 'SWY_MODEL_REQUIRED'],
  ];
  for (const [name, run, status, code] of cases) {
    it(`${name} -> ${status} ${code}`, async () => {
      const r = await run();
      expect(r.status).toBe(status);
      expect(r.json.error.code).toBe(code);
      expect(r.json.error.message.length).toBeGreaterThan(0);
      expect(r.upstreamCalls).toBe(0);
    });
  }

  it('decodes a gzip body and forwards it decoded', async () => {
    const before = t.mock.stats.requests;
    const res = await fetch(`${t.url}${native}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(good) });
    expect(res.status).toBe(200);
    expect(t.mock.stats.requests).toBe(before + 1);
    expect(t.mock.stats.lastRequest?.body).toEqual(JSON.parse(good));
    expect(t.mock.stats.lastRequest?.headers['content-encoding']).toBeUndefined();
  });

  it('refuses a gzip bomb with 413, the limit applied after decoding (row 5)', async () => {
    // 10 MB of spaces compresses to ~10 KB: far under the 64 KB limit before decoding.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"model":"x","pad":"'), Buffer.alloc(10 * 1024 * 1024, 32), Buffer.from('"}')]));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const before = t.mock.stats.requests;
    const res = await fetch(`${t.url}${native}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'SWY_BODY_TOO_LARGE' } });
    expect(t.mock.stats.requests).toBe(before);
  });

  it('refuses an unknown content-encoding with 415', async () => {
    const res = await fetch(`${t.url}${native}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'br-x' }, body: good });
    expect(res.status).toBe(415);
  });

  it('reports an unreachable upstream as 502 SWY_UPSTREAM_UNREACHABLE with a record', async () => {
    const dead = await startTestGateway({ providers: { openai: { base_url: 'http://127.0.0.1:9/v1', api_key: 'k' } } });
    try {
      const res = await fetch(`${dead.url}${native}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: good });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: { code: 'SWY_UPSTREAM_UNREACHABLE' } });
      const rec = await dead.sink.response(res.headers.get('cf-aig-log-id') as string);
      expect(rec).toMatchObject({ outcome: 'gateway_error', error_code: 'SWY_UPSTREAM_UNREACHABLE', status: 502 });
    } finally {
      await dead.close();
    }
  });
});

describe('unknown models (row 13): a provider with a models list refuses others with 404 SWY_UNKNOWN_MODEL', () => {
  let listed: TestGateway;
  beforeAll(async () => {
    listed = await startTestGateway((mockUrl) => ({
      providers: {
        openai: { base_url: `${mockUrl}/v1`, api_key: 'k', models: ['gpt-4o', 'text-embedding-3-small'] },
        anthropic: { base_url: mockUrl, api_key: 'k' },
      },
    }));
  });
  afterAll(async () => { await listed.close(); });

  async function post(path: string, body: unknown) {
    const before = listed.mock.stats.requests;
    const res = await fetch(`${listed.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { res, json: (await res.json()) as { error?: { code: string; message: string } }, upstreamCalls: listed.mock.stats.requests - before };
  }

  it('native route: an unlisted model is refused before any upstream call, and recorded', async () => {
    const { res, json, upstreamCalls } = await post('/v1/default/openai/chat/completions', { model: 'gpt-5-imaginary', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(404);
    expect(json.error).toMatchObject({ code: 'SWY_UNKNOWN_MODEL' });
    expect(json.error?.message).toContain('gpt-5-imaginary');
    expect(upstreamCalls).toBe(0);
    const rec = await listed.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ outcome: 'gateway_error', error_code: 'SWY_UNKNOWN_MODEL', status: 404 });
  });

  it('compat route: an unlisted "provider/model" is refused the same way', async () => {
    const { res, json, upstreamCalls } = await post('/v1/default/compat/chat/completions', { model: 'openai/gpt-nope', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(404);
    expect(json.error).toMatchObject({ code: 'SWY_UNKNOWN_MODEL' });
    expect(upstreamCalls).toBe(0);
  });

  it('universal route: an unlisted model in any step refuses the whole request', async () => {
    const { res, json, upstreamCalls } = await post('/v1/default', [
      { provider: 'openai', endpoint: 'chat/completions', headers: {}, query: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] } },
      { provider: 'openai', endpoint: 'chat/completions', headers: {}, query: { model: 'gpt-typo', messages: [{ role: 'user', content: 'hi' }] } },
    ]);
    expect(res.status).toBe(404);
    expect(json.error).toMatchObject({ code: 'SWY_UNKNOWN_MODEL' });
    expect(upstreamCalls).toBe(0);
  });

  it('a listed model goes through, and a provider without a list forwards every model', async () => {
    expect((await post('/v1/default/openai/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).res.status).toBe(200);
    expect((await post('/v1/default/openai/embeddings', { model: 'text-embedding-3-small', input: 'x' })).res.status).toBe(200);
    const open = await post('/v1/default/anthropic/v1/messages', { model: 'claude-anything', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(open.res.status).toBe(200);
    expect(open.upstreamCalls).toBe(1);
  });

  it('an empty models list is a config error, not a provider that serves nothing', () => {
    expect(() => GatewayConfigSchema.parse({ providers: { openai: { models: [] } } })).toThrow();
  });
});
