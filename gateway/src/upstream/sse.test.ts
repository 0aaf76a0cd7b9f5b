import { describe, expect, it } from 'vitest';
import { SseParser, SseError, formatSse } from './sse.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('SseParser', () => {
  it('parses events split at arbitrary byte boundaries and keeps their raw text', () => {
    const text = 'event: message_start\ndata: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const events = [...p.push(enc(text.slice(0, cut))), ...p.push(enc(text.slice(cut)))];
      expect(events.map((e) => e.data)).toEqual(['{"a":1}', '{"b":2}', '[DONE]']);
      expect(events[0]?.event).toBe('message_start');
      expect(events.map((e) => e.raw).join('')).toBe(text);
      expect(p.rest()).toBe('');
    }
  });

  it('handles CRLF line endings and multi-line data', () => {
    const p = new SseParser();
    const events = p.push(enc('data: line1\r\ndata: line2\r\n\r\n'));
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toBe('line1\nline2');
  });

  it('waits for the rest of a CRLF blank line split across chunks', () => {
    const p = new SseParser();
    expect(p.push(enc('data: x\r\n\r'))).toEqual([]);
    expect(p.push(enc('\n')).map((e) => e.data)).toEqual(['x']);
  });

  it('decodes multi-byte UTF-8 split across chunks', () => {
    const bytes = enc('data: héllo €\n\n');
    const p = new SseParser();
    const events = [...p.push(bytes.subarray(0, 8)), ...p.push(bytes.subarray(8))];
    expect(events[0]?.data).toBe('héllo €');
  });

  it('passes comment-only keep-alives through as events without data', () => {
    const p = new SseParser();
    const events = p.push(enc(': ping\n\ndata: 1\n\n'));
    expect(events.map((e) => [e.data, e.raw])).toEqual([['', ': ping\n\n'], ['1', 'data: 1\n\n']]);
  });

  it('keeps an unterminated tail in rest() for truncation detection', () => {
    const p = new SseParser();
    p.push(enc('data: 1\n\ndata: {"partial'));
    expect(p.rest()).toBe('data: {"partial');
  });

  it('refuses an event larger than the bound instead of growing memory', () => {
    const p = new SseParser(100);
    expect(() => p.push(enc('data: ' + 'x'.repeat(200)))).toThrow(SseError);
  });

  it('formats events canonically', () => {
    expect(formatSse('{}', 'error')).toBe('event: error\ndata: {}\n\n');
    expect(formatSse('[DONE]')).toBe('data: [DONE]\n\n');
  });
});
