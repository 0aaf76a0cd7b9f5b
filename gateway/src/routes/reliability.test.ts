// Reliability rows 14, 18, 19, 21, 22, 26, 28 and 29 against the mock upstream's fault injection.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseParser } from '../upstream/sse.ts';
import { clientResponseHeaders } from '../upstream/headers.ts';
import { startTestGateway, type Overrides, type TestGateway } from '../testing.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function gw(overrides: Overrides = {}): Promise<TestGateway> {
  const t = await startTestGateway(overrides);
  cleanups.push(() => t.close());
  return t;
}
const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] };
const post = (t: TestGateway, path: string, headers: Record<string, string> = {}, b: unknown = body, signal?: AbortSignal) =>
  fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(b), ...(signal ? { signal } : {}) });

/** Raw HTTP over a socket: what fetch will not send (slow headers, trickled bodies). */
function rawRequest(url: string, chunks: Array<{ text: string; afterMs: number }>): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (d) => { answer += d.toString(); });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    let at = 0;
    for (const c of chunks) {
      at += c.afterMs;
      setTimeout(() => { if (!socket.destroyed) socket.write(c.text); }, at);
    }
  });
}

describe('upstream URL cannot be chosen by the request (row 14)', () => {
  it('keeps every path trick on the configured upstream host', async () => {
    const t = await gw();
    for (const path of ['/v1/default/openai/@evil.example/x', '/v1/default/openai//evil.example/x', '/v1/default/openai/http:%2F%2Fevil.example']) {
      const before = t.mock.stats.requests;
      const res = await post(t, path);
      await res.text();
      // Either refused (400) or sent to the configured mock; never anywhere else.
      if (res.status === 400) expect(t.mock.stats.requests).toBe(before);
      else expect(t.mock.stats.requests).toBe(before + 1);
    }
  });
});

describe('slow clients (rows 18, 19)', () => {
  it('answers 408 and closes when the headers never finish', async () => {
    const t = await gw({ limits: { client_headers_timeout_ms: 300, client_request_timeout_ms: 2_000 } });
    const answer = await rawRequest(t.url, [{ text: 'POST /v1/default/openai/chat/completions HTTP/1.1\r\nHost: x\r\n', afterMs: 0 }, { text: 'X-Slow: 1\r\n', afterMs: 200 }]);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(t.mock.stats.requests).toBe(0);
  });

  it('answers 408 when the body trickles in slower than the request timeout', async () => {
    const t = await gw({ limits: { client_headers_timeout_ms: 300, client_request_timeout_ms: 500 } });
    const head = 'POST /v1/default/openai/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n';
    const answer = await rawRequest(t.url, [{ text: head, afterMs: 0 }, ...Array.from({ length: 8 }, () => ({ text: ' ', afterMs: 150 }))]);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(t.mock.stats.requests).toBe(0);
  });
});

describe('client aborts before the first byte (row 21)', () => {
  it('aborts the upstream call and records client_closed', async () => {
    const t = await gw();
    const ac = new AbortController();
    const pending = post(t, '/v1/default/openai/chat/completions', { 'x-mock-latency-ms': '2000' }, body, ac.signal).catch(() => undefined);
    await t.mock.waitFor((s) => s.inFlight > 0, 1_000);
    ac.abort();
    await pending;
    await t.mock.waitFor((s) => s.aborted > 0, 1_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.sink.responses.at(-1)?.outcome).toBe('client_closed');
  });
});

describe('hop-by-hop headers (row 22)', () => {
  it('never forwards hop-by-hop, Proxy-Authorization or Connection-named headers upstream', async () => {
    const t = await gw();
    // fetch refuses to send a Connection header, so this one goes over a raw socket.
    const payload = JSON.stringify(body);
    await rawRequest(t.url, [{
      text: `POST /v1/default/openai/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\n` +
        'Proxy-Authorization: Basic abc\r\nConnection: close, x-drop-me\r\nX-Drop-Me: 1\r\nX-Keep: yes\r\n\r\n' + payload,
      afterMs: 0,
    }]);
    const sent = t.mock.stats.lastRequest?.headers ?? {};
    expect(sent['proxy-authorization']).toBeUndefined();
    expect(sent['x-drop-me']).toBeUndefined();
    expect(sent['x-keep']).toBe('yes');
  });

  it('never relays hop-by-hop headers or those named in Connection back to the client', () => {
    const out = clientResponseHeaders({ connection: 'x-secret, keep-alive', 'x-secret': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'proxy-authenticate': 'Basic', 'x-request-id': 'r1' });
    expect(out).toEqual({ 'x-request-id': 'r1' });
  });
});

describe('broken and oversized upstream answers (rows 26, 28, 29)', () => {
  it('ends a stream whose SSE is broken with an error event, never [DONE]', async () => {
    const t = await gw();
    const res = await post(t, '/v1/default/openai/chat/completions', { 'x-mock-invalid': 'sse' }, { ...body, stream: true });
    const text = await res.text();
    expect(text).not.toContain('[DONE]');
    const last = new SseParser().push(new TextEncoder().encode(text)).at(-1);
    expect(last?.data).toContain('SWY_UPSTREAM');
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec.outcome).toBe('stream_truncated');
  });

  it('ends a stalled stream at the idle timeout with a terminal error event', async () => {
    const t = await gw({ limits: { upstream_idle_timeout_ms: 200 } });
    const res = await post(t, '/v1/default/openai/chat/completions', { 'x-mock-chunks': '5', 'x-mock-chunk-delay-ms': '1000' }, { ...body, stream: true });
    const evs = new SseParser().push(new TextEncoder().encode(await res.text()));
    expect(JSON.parse(evs.at(-1)?.data ?? '{}')).toMatchObject({ error: { code: 'SWY_UPSTREAM_TIMEOUT' } });
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ outcome: 'stream_truncated', error_code: 'SWY_UPSTREAM_TIMEOUT' });
  });

  it('refuses an answer larger than the response limit with a typed 502', async () => {
    const t = await gw({ limits: { response_bytes: 200 } });
    const res = await post(t, '/v1/default/openai/chat/completions', { 'x-mock-chunks': '200' });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'SWY_UPSTREAM_RESPONSE_TOO_LARGE' } });
  });
});
