// The one conformance suite every provider in the registry must pass, replaying its golden
// fixtures: usage extracted equals the provider-reported usage (whole answers, streams split at
// odd boundaries, cut streams), translations to OpenAI chat and on to Anthropic Messages agree
// with the fixture whole and streamed, errors map to both client formats, and a failed stream
// ends with an error event the provider's own decoder reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayUpstream, type ReplayUpstream } from '@switchyard/mock-upstream';
import { SseParser } from '../upstream/sse.ts';
import { startTestGateway, type TestGateway } from '../testing.ts';
import { AnthropicEventWriter, toAnthropicError, toAnthropicMessage } from './anthropic/client.ts';
import { ProvidersConfigSchema, configureProviders } from './config.ts';
import {
  decodeAll, expectedOpenAiUsage, fromAnthropicMessage, fromCompletion, reassembleAnthropic, reassembleChunks, splitPath, testProvidersConfig,
  type Reassembled,
} from './conformance-support.ts';
import { isStreamFixture, loadFixtures, responseBody, responseParts, type ChatExpectation, type Fixture } from './fixtures.ts';
import { asOpenAiError } from './openai/format.ts';
import { PROVIDER_IDS } from './registry.ts';
import { isObject, tryParse, type ConfiguredProvider, type JsonObject } from './types.ts';

const configured = configureProviders(ProvidersConfigSchema.parse(testProvidersConfig('https://upstream.test')));
/** Every registry provider with its own fixtures; a custom provider replays OpenAI's. */
export const SUBJECTS: Array<{ id: string; fixtures: Fixture[] }> = [
  ...PROVIDER_IDS.map((id) => ({ id, fixtures: loadFixtures(id) })),
  { id: 'custom-acme', fixtures: loadFixtures('openai') },
];
const ANTHROPIC_STOP: Record<string, string> = { stop: 'end_turn', tool_calls: 'tool_use', length: 'max_tokens' };

function provider(id: string): ConfiguredProvider {
  const p = configured.get(id);
  if (!p) throw new Error(`${id} is not configured`);
  return p;
}

function target(p: ConfiguredProvider, fx: Fixture) {
  const { path, search } = splitPath(fx.request.path);
  const url = p.adapter.nativeUrl(p.baseUrl, path, search);
  return { url, format: p.adapter.formatFor(url), inspection: p.adapter.inspectNative(path, fx.request.body) };
}

function expectChat(got: Reassembled, want: ChatExpectation): void {
  expect(got.text).toBe(want.text);
  expect(got.reasoning ?? '').toBe(want.reasoning ?? '');
  expect(got.tool_calls).toEqual(want.tool_calls);
  expect(got.finish_reason).toBe(want.finish_reason);
}

function expectAnthropic(got: ReturnType<typeof fromAnthropicMessage>, want: ChatExpectation): void {
  expect(got.text).toBe(want.text);
  expect(got.thinking).toBe(want.reasoning ?? '');
  expect(got.tools).toEqual(want.tool_calls.map((c) => ({ id: c.id, name: c.name, input: c.arguments })));
  expect(got.stop_reason).toBe(ANTHROPIC_STOP[want.finish_reason]);
}

describe.each(SUBJECTS)('provider $id', ({ id, fixtures }) => {
  const p = provider(id);

  it('has golden fixtures: a JSON answer, a stream, an error, and a streamed tool call when it translates chat', () => {
    expect(fixtures.some((f) => !isStreamFixture(f) && f.response.status === 200)).toBe(true);
    expect(fixtures.some((f) => isStreamFixture(f))).toBe(true);
    expect(fixtures.some((f) => f.response.status >= 400 && f.error)).toBe(true);
    if (p.adapter.chat) expect(fixtures.some((f) => isStreamFixture(f) && (f.chat?.tool_calls.length ?? 0) > 0)).toBe(true);
    for (const f of fixtures) expect(f.source).toMatch(/^https:\/\//);
  });

  for (const fx of fixtures) {
    const stream = isStreamFixture(fx);
    describe(fx.name, () => {
      if (fx.response.status < 400) {
        it('extracts exactly the usage the provider reported', () => {
          const { format, inspection } = target(p, fx);
          expect(inspection.stream).toBe(stream);
          if (!stream) {
            expect(format.usageFromJson(fx.response.json ?? {}, fx.response.headers) ?? null).toEqual(fx.usage);
            return;
          }
          const observer = format.observeStream();
          for (const ev of decodeAll(format, responseBody(fx))) observer.onEvent(ev);
          expect(observer.usage() ?? null).toEqual(fx.usage);
          expect(observer.completed()).toBe(true);
        });
      }

      if (stream) {
        it('sees a stream cut before its last event as incomplete, keeping the usage seen so far', () => {
          const { format } = target(p, fx);
          const parts = responseParts(fx);
          const observer = format.observeStream();
          for (const ev of decodeAll(format, Buffer.concat(parts.slice(0, -1)))) observer.onEvent(ev);
          expect(observer.completed()).toBe(false);
          const seen = observer.usage();
          if (seen && fx.usage) expect(seen.input_tokens).toBe(fx.usage.input_tokens);
        });

        it('ends a failed stream with an error event that its own decoder reads', () => {
          const { format } = target(p, fx);
          const evs = decodeAll(format, Buffer.from(format.streamErrorEvent('SWY_UPSTREAM_STREAM_CUT', 'cut short')));
          expect(evs).toHaveLength(1);
          expect(evs[0]?.data).toContain('SWY_UPSTREAM_STREAM_CUT');
          const observer = format.observeStream();
          observer.onEvent(evs[0]!);
          expect(observer.usage()).toBeUndefined();
        });
      }

      const chat = fx.chat;
      const codec = p.adapter.chat;
      if (chat && codec) {
        it('translates to OpenAI chat and on to Anthropic Messages, usage included', () => {
          const { format, inspection } = target(p, fx);
          const model = inspection.model;
          if (!stream) {
            const completion = codec.response(fx.response.json ?? {}, model);
            const got = fromCompletion(completion);
            expectChat(got, chat);
            if (fx.usage) expect(got.usage).toMatchObject(expectedOpenAiUsage(fx.usage));
            expectAnthropic(fromAnthropicMessage(toAnthropicMessage(completion, model)), chat);
            return;
          }
          const chunks = codec.stream(model);
          const out: JsonObject[] = [];
          for (const ev of decodeAll(format, responseBody(fx))) out.push(...chunks.onEvent(ev));
          const got = reassembleChunks(out);
          expectChat(got, chat);
          if (fx.usage) expect(got.usage).toMatchObject(expectedOpenAiUsage(fx.usage));
          const writer = new AnthropicEventWriter(model);
          const events = out.map((c) => writer.chunk(c)).join('') + writer.end();
          const anthropic = reassembleAnthropic(events);
          expectAnthropic(anthropic, chat);
          if (fx.usage) expect(anthropic.usage).toMatchObject({ output_tokens: fx.usage.output_tokens });
        });
      }

      const openaiRequest = fx.openai_request;
      if (openaiRequest && codec) {
        it('turns the OpenAI request into exactly the golden native request', () => {
          const model = target(p, fx).inspection.model;
          expect(codec.request(openaiRequest, model).body).toEqual(fx.request.body);
        });
      }

      const error = fx.error;
      if (error) {
        it('maps the error body to OpenAI and Anthropic error shapes', () => {
          const json = fx.response.json ?? {};
          const openai = codec ? codec.error(json, fx.response.status) : asOpenAiError(json, fx.response.status);
          expect(isObject(openai.error) && openai.error.message).toBe(error.message);
          const anthropic = toAnthropicError(openai, fx.response.status);
          expect(anthropic).toMatchObject({ type: 'error', error: { message: error.message } });
        });
      }
    });
  }
});

describe('fixtures', () => {
  it('every fixture file parses and names a usage (or null)', () => {
    for (const { fixtures } of SUBJECTS) {
      for (const f of fixtures) {
        expect(f.usage === null || typeof f.usage.input_tokens === 'number').toBe(true);
        expect(tryParse(JSON.stringify(f.request.body))).toEqual(f.request.body);
      }
    }
  });
});

describe('every fixture through the gateway', () => {
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

  const post = (path: string, body: unknown) => fetch(`${t.url}/v1/default${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const serve = (fx: Fixture) => replay.enqueue({ status: fx.response.status, headers: fx.response.headers, body: responseBody(fx) });

  async function expectRecord(res: Response, fx: Fixture): Promise<void> {
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    if (fx.usage) {
      const u = fx.usage;
      expect(rec).toMatchObject({ usage_source: 'provider', input_tokens: u.input_tokens, cached_input_tokens: u.cached_input_tokens, cache_write_tokens: u.cache_write_tokens, output_tokens: u.output_tokens, reasoning_tokens: u.reasoning_tokens });
    } else {
      expect(rec.usage_source).toBe(fx.response.status < 400 ? 'estimated' : 'missing');
    }
  }

  for (const { id, fixtures } of SUBJECTS) {
    for (const fx of fixtures) {
      it(`${id} ${fx.name}: the native answer reaches the client byte for byte; the record holds the provider's usage`, async () => {
        serve(fx);
        const res = await post(`/${id}${fx.request.path}`, fx.request.body);
        expect(res.status).toBe(fx.response.status);
        expect(Buffer.from(await res.arrayBuffer()).equals(responseBody(fx))).toBe(true);
        await expectRecord(res, fx);
      });

      const chat = fx.chat;
      if (!chat || !provider(id).adapter.chat) continue;
      const model = target(provider(id), fx).inspection.model;
      const stream = isStreamFixture(fx);
      const ask = { role: 'user', content: 'What is the weather like in Paris?' };

      it(`${id} ${fx.name}: compat chat completions in OpenAI's format`, async () => {
        serve(fx);
        const res = await post('/compat/chat/completions', { model: `${id}/${model}`, messages: [ask], ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) });
        expect(res.status).toBe(200);
        const text = await res.text();
        if (!stream) expectChat(fromCompletion(tryParse(text) ?? {}), chat);
        else {
          const evs = new SseParser().push(Buffer.from(text));
          expect(evs.at(-1)?.data).toBe('[DONE]');
          const got = reassembleChunks(evs.slice(0, -1).map((e) => tryParse(e.data) as JsonObject));
          expectChat(got, chat);
          if (fx.usage) expect(got.usage).toMatchObject(expectedOpenAiUsage(fx.usage));
        }
        await expectRecord(res, fx);
      });

      it(`${id} ${fx.name}: compat messages in Anthropic's format`, async () => {
        serve(fx);
        const res = await post('/compat/v1/messages', { model: `${id}/${model}`, max_tokens: 256, messages: [ask], ...(stream ? { stream: true } : {}) });
        expect(res.status).toBe(200);
        const text = await res.text();
        expectAnthropic(stream ? reassembleAnthropic(text) : fromAnthropicMessage(tryParse(text) ?? {}), chat);
        await expectRecord(res, fx);
      });
    }
  }
});
