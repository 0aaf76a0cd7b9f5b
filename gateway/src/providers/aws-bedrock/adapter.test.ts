import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayUpstream } from '@switchyard/mock-upstream';
import { startTestGateway, type TestGateway } from '../../testing.ts';
import { testProvider, testProvidersConfig } from '../conformance-support.ts';
import { loadFixtures, responseBody } from '../fixtures.ts';
import { toConverseRequest } from './chat.ts';
import { signV4 } from './sigv4.ts';

const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const path = '/bedrock-runtime/eu-west-1/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse';

describe('aws-bedrock adapter', () => {
  const { adapter, baseUrl } = testProvider('aws-bedrock', { region: 'us-west-2', access_key_id: creds.accessKeyId, secret_access_key: creds.secretAccessKey });

  it('maps native paths to the regional runtime host and reads model and streaming from them', () => {
    expect(baseUrl).toBe('https://bedrock-runtime.us-west-2.amazonaws.com');
    expect(adapter.nativeUrl(baseUrl, path, '')).toBe('https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse');
    expect(adapter.inspectNative(path.replace('converse', 'converse-stream'), {})).toEqual({ model: 'anthropic.claude-3-5-sonnet-20240620-v1:0', stream: true });
    expect(() => adapter.inspectNative('/bedrock-runtime/nowhere/model/x/invoke', {})).toThrow(/Bedrock paths/);
  });

  it('signs with SigV4 for the region of the host', () => {
    const url = adapter.nativeUrl(baseUrl, path, '');
    const headers = adapter.sign?.({ method: 'POST', url, headers: {}, body: '{}' });
    expect(headers?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
    expect(adapter.authHeaders('AKIDEXAMPLE')).toEqual({});
  });

  it('uses a Bedrock API key as a bearer token instead of signing', () => {
    const keyed = testProvider('aws-bedrock', { api_key: 'ABSK-key' });
    expect(keyed.adapter.sign).toBeUndefined();
    expect(keyed.adapter.authHeaders('ABSK-key')).toEqual({ authorization: 'Bearer ABSK-key' });
  });

  it('refuses half a key pair in config', () => {
    expect(() => testProvider('aws-bedrock', { access_key_id: 'AKID' })).toThrow(/go together/);
  });

  it('refuses image URLs Converse cannot take, and forces a tool for JSON mode', () => {
    expect(() => toConverseRequest({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x.test/a.png' } }] }] })).toThrow(/data: URLs/);
    expect(toConverseRequest({ messages: [], response_format: { type: 'json_object' } }).toolConfig).toMatchObject({ toolChoice: { tool: { name: 'json_response' } } });
  });
});

describe('aws-bedrock through the gateway', () => {
  let replay: ReplayUpstream;
  let t: TestGateway;
  beforeAll(async () => {
    replay = await startReplayUpstream();
    t = await startTestGateway({ providers: testProvidersConfig(replay.url) });
  });
  afterAll(async () => {
    await t.close();
    await replay.close();
  });

  it('sends a SigV4 signature the upstream can verify, replacing the client\'s own auth headers', async () => {
    const fx = loadFixtures('aws-bedrock').find((f) => f.name === 'converse')!;
    replay.enqueue({ status: 200, headers: fx.response.headers, body: responseBody(fx) });
    const res = await fetch(`${t.url}/v1/default/aws-bedrock${fx.request.path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 client', 'x-amz-date': '20000101T000000Z' }, body: JSON.stringify(fx.request.body) });
    expect(res.status).toBe(200);
    const got = replay.requests.at(-1)!;
    expect(got.url).toBe('/bedrock/us-east-1/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse');
    const date = String(got.headers['x-amz-date']);
    expect(date).not.toBe('20000101T000000Z');
    const now = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
    const expected = signV4({ method: 'POST', url: `${replay.url}${got.url}`, headers: {}, body: got.body, region: 'us-east-1', service: 'bedrock', now }, creds);
    expect(got.headers.authorization).toBe(expected.headers.authorization);
  });
});
