import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';
import { NdjsonDecoder, NdjsonError } from './ndjson.ts';

const { adapter, baseUrl } = testProvider('ollama', {});

describe('ollama adapter', () => {
  it('defaults to the local server; the native chat API streams unless told not to', () => {
    expect(baseUrl).toBe('http://localhost:11434');
    expect(adapter.inspectNative('/api/chat', { model: 'llama3.2' })).toEqual({ model: 'llama3.2', stream: true });
    expect(adapter.inspectNative('/api/chat', { model: 'llama3.2', stream: false }).stream).toBe(false);
    expect(adapter.inspectNative('/api/embed', { model: 'all-minilm' }).stream).toBe(false);
    expect(adapter.inspectNative('/v1/chat/completions', { model: 'llama3.2', stream: true }).body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('frames NDJSON lines split across chunks, keeping each line\'s bytes', () => {
    const d = new NdjsonDecoder();
    expect(d.push(Buffer.from('{"a":1}\n{"b"'))).toEqual([{ event: undefined, data: '{"a":1}', raw: '{"a":1}\n' }]);
    expect(d.push(Buffer.from(':2}\n\n')).map((e) => e.data)).toEqual(['{"b":2}']);
    expect(() => new NdjsonDecoder(8).push(Buffer.from('{"long":"line"'))).toThrow(NdjsonError);
  });

  it('reads the native API in its own format and /v1 in OpenAI\'s', () => {
    expect(adapter.formatFor(`${baseUrl}/api/chat`).stream.contentType).toBe('application/x-ndjson');
    expect(adapter.formatFor(`${baseUrl}/v1/chat/completions`).stream.contentType).toBe('text/event-stream');
  });
});
