import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openaiEmbeddingsUsageFor } from '@switchyard/mock-upstream';
import { startTestGateway, type TestGateway } from '../testing.ts';

let t: TestGateway;
beforeAll(async () => { t = await startTestGateway(); });
afterAll(async () => { await t.close(); });

const embed = (body: Record<string, unknown>) =>
  fetch(`${t.url}/v1/default/compat/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('compat embeddings', () => {
  it('sends the bare model upstream and records the usage', async () => {
    const res = await embed({ model: 'openai/text-embedding-3-small', input: ['alpha beta', 'gamma'], dimensions: 4 });
    expect(res.status).toBe(200);
    const body = t.mock.stats.lastRequest?.body as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 4 });
    const json = (await res.json()) as { data: Array<{ embedding: number[] }> };
    expect(json.data.map((d) => d.embedding.length)).toEqual([4, 4]);
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ route: 'compat_embeddings', provider: 'openai', model: 'text-embedding-3-small', input_tokens: openaiEmbeddingsUsageFor(body).prompt_tokens, usage_source: 'provider' });
  });

  it('says which providers have no embeddings API', async () => {
    const res = await embed({ model: 'anthropic/claude-sonnet-4', input: 'x' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'SWY_UNSUPPORTED_OPERATION' } });
  });

  it('requires an input', async () => {
    expect(await (await embed({ model: 'openai/text-embedding-3-small' })).json()).toMatchObject({ error: { code: 'SWY_BAD_REQUEST' } });
  });
});
