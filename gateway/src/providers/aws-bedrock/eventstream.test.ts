import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, EventStreamDecoder, EventStreamError } from './eventstream.ts';

// The AWS event-stream encoding test vectors (aws-c-event-stream, also used by the AWS SDKs).
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const VECTORS = {
  all_headers: '000000cc000000af0fae64ca0a6576656e742d74797065040000a00c0c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0a626f6f6c2066616c73650109626f6f6c207472756500046279746502cf08627974652062756606001449276d2061206c6974746c6520746561706f74210974696d657374616d70080000000000845fed05696e74313603002a05696e7436340500000000028757b20475756964090102030405060708090a0b0c0d0e0f107b27666f6f273a27626172277daba5f10c',
  empty_message: '000000100000000005c248eb7d98c8ff',
  int32_header: '0000002d0000001041c424b80a6576656e742d74797065040000a00c7b27666f6f273a27626172277d36f480a0',
  payload_no_headers: '0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936',
  payload_one_str_header: '0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1',
};
const PAYLOAD = "{'foo':'bar'}";

describe('event-stream decoding (AWS test vectors)', () => {
  it('decodes every header type of all_headers', () => {
    const m = decodeMessage(hex(VECTORS.all_headers));
    expect(m.headers).toEqual({
      'event-type': 40972, 'content-type': 'application/json', 'bool false': false, 'bool true': true, byte: -49,
      'byte buf': new Uint8Array(Buffer.from("I'm a little teapot!")), timestamp: new Date(8675309), int16: 42, int64: 42424242n,
      uuid: '01020304-0506-0708-090a-0b0c0d0e0f10',
    });
    expect(Buffer.from(m.payload).toString()).toBe(PAYLOAD);
  });

  it('decodes the empty message, a payload without headers, an int32 and a string header', () => {
    expect(decodeMessage(hex(VECTORS.empty_message))).toEqual({ headers: {}, payload: new Uint8Array() });
    expect(Buffer.from(decodeMessage(hex(VECTORS.payload_no_headers)).payload).toString()).toBe(PAYLOAD);
    expect(decodeMessage(hex(VECTORS.int32_header)).headers).toEqual({ 'event-type': 40972 });
    expect(decodeMessage(hex(VECTORS.payload_one_str_header)).headers).toEqual({ 'content-type': 'application/json' });
  });

  it('encodes string headers byte for byte as the vector does', () => {
    expect(Buffer.from(encodeMessage({ 'content-type': 'application/json' }, PAYLOAD)).toString('hex')).toBe(VECTORS.payload_one_str_header);
    expect(Buffer.from(encodeMessage({}, '')).toString('hex')).toBe(VECTORS.empty_message);
  });

  it('refuses the corrupted vectors (payload, headers, header length, total length)', () => {
    const flip = (h: string, at: number, byte: string) => hex(h.slice(0, at * 2) + byte + h.slice(at * 2 + 2));
    expect(() => decodeMessage(flip(VECTORS.payload_no_headers, 12, '5b'))).toThrow(EventStreamError);
    expect(() => decodeMessage(flip(VECTORS.payload_one_str_header, 46, '61'))).toThrow(EventStreamError);
    expect(() => decodeMessage(flip(VECTORS.payload_one_str_header, 7, '21'))).toThrow(EventStreamError);
    expect(() => decodeMessage(flip(VECTORS.payload_one_str_header, 3, '3e'))).toThrow(EventStreamError);
  });
});

describe('EventStreamDecoder', () => {
  const a = encodeMessage({ ':message-type': 'event', ':event-type': 'contentBlockDelta' }, '{"delta":{"text":"Hi"},"contentBlockIndex":0}');
  const inner = Buffer.from('{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}').toString('base64');
  const b = encodeMessage({ ':message-type': 'event', ':event-type': 'chunk' }, JSON.stringify({ bytes: inner, p: 'abcd' }));
  const c = encodeMessage({ ':message-type': 'exception', ':exception-type': 'throttlingException' }, '{"message":"slow down"}');
  const all = Buffer.concat([a, b, c]);

  it('frames messages split at every byte boundary, keeping each one\'s exact bytes', () => {
    for (let cut = 1; cut < all.length; cut += 7) {
      const d = new EventStreamDecoder();
      const evs = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(evs.map((e) => e.event)).toEqual(['contentBlockDelta', 'chunk', 'throttlingException']);
      expect(Buffer.concat(evs.map((e) => e.raw as Uint8Array))).toEqual(all);
      expect(d.pending()).toBe(0);
    }
  });

  it('unwraps the base64 bytes of InvokeModel stream chunks', () => {
    const [, chunk] = new EventStreamDecoder().push(all);
    expect(JSON.parse(chunk!.data)).toMatchObject({ type: 'content_block_delta', delta: { text: 'Hi' } });
  });

  it('refuses an implausible length instead of buffering forever', () => {
    expect(() => new EventStreamDecoder().push(hex('7fffffff0000000000000000'))).toThrow(EventStreamError);
  });
});
