import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayUpstream } from '@switchyard/mock-upstream';
import { startTestGateway, type TestGateway } from '../../testing.ts';
import { ProvidersConfigSchema } from '../config.ts';
import { customProvider } from './adapter.ts';

describe('custom providers', () => {
  it('need an https base URL (plain http only to loopback) and a lowercase slug', () => {
    expect(() => ProvidersConfigSchema.parse({ custom: { acme: { base_url: 'http://models.acme.test/v1' } } })).toThrow(/https/);
    expect(() => ProvidersConfigSchema.parse({ custom: { Acme: { base_url: 'https://models.acme.test/v1' } } })).toThrow(/slugs/);
    expect(ProvidersConfigSchema.parse({ custom: { acme: { base_url: 'https://models.acme.test/v1' } } }).custom?.acme?.format).toBe('openai');
  });

  it('are named custom-{slug} and speak OpenAI\'s or Anthropic\'s format', () => {
    const openai = customProvider('acme', { base_url: 'https://models.acme.test/v1/', format: 'openai', api_key: 'k' });
    expect(openai).toMatchObject({ baseUrl: 'https://models.acme.test/v1', apiKey: 'k', adapter: { id: 'custom-acme' } });
    expect(openai.adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    const anthropic = customProvider('claude-proxy', { base_url: 'https://claude.acme.test', format: 'anthropic' });
    expect(anthropic.adapter.id).toBe('custom-claude-proxy');
    expect(anthropic.adapter.messagesPath).toBe('/v1/messages');
  });
});

describe('custom providers through the gateway', () => {
  let replay: ReplayUpstream;
  let t: TestGateway;
  beforeAll(async () => {
    replay = await startReplayUpstream();
    t = await startTestGateway({ providers: { custom: { acme: { base_url: `${replay.url}/acme/v1`, api_key: 'acme-key' } } } });
  });
  afterAll(async () => {
    await t.close();
    await replay.close();
  });

  it('forward /v1/{gateway}/custom-{slug}/{path} under the configured base URL only', async () => {
    replay.enqueue({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":"x","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}' });
    const res = await fetch(`${t.url}/v1/default/custom-acme/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', host: 'evil.test' }, body: '{"model":"m","messages":[]}' });
    expect(res.status).toBe(200);
    expect(replay.requests.at(-1)).toMatchObject({ url: '/acme/v1/chat/completions', headers: { authorization: 'Bearer acme-key' } });
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ provider: 'custom-acme', input_tokens: 3, output_tokens: 4 });
  });

  it('404 an unknown slug without calling anything', async () => {
    const before = replay.requests.length;
    const res = await fetch(`${t.url}/v1/default/custom-nope/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
    expect(replay.requests.length).toBe(before);
  });
});
