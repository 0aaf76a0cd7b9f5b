// AWS event-stream framing (application/vnd.amazon.eventstream), as Bedrock streams it:
//   [total length u32][headers length u32][prelude CRC32][headers][payload][message CRC32]
// Each header: [name length u8][name][type u8][value]. Both CRCs are checked; a bad frame is a
// broken stream, never silently skipped. InvokeModel stream chunks carry the model's own event as
// base64 in {"bytes": …}: the decoder unwraps it, so observers read the model's JSON directly.
import { crc32 } from 'node:zlib';
import type { StreamDecoder, StreamEvent } from '../../upstream/sse.ts';

export type HeaderValue = string | number | boolean | bigint | Uint8Array | Date;

export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  payload: Uint8Array;
}

export class EventStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStreamError';
  }
}

const PRELUDE = 12;
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

function readHeaders(buf: Buffer): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  let i = 0;
  const need = (n: number) => {
    if (i + n > buf.length) throw new EventStreamError('header runs past its section');
  };
  while (i < buf.length) {
    need(1);
    const nameLen = buf.readUInt8(i++);
    need(nameLen + 1);
    const name = buf.toString('utf8', i, i + nameLen);
    i += nameLen;
    const type = buf.readUInt8(i++);
    switch (type) {
      case 0: out[name] = true; break;
      case 1: out[name] = false; break;
      case 2: need(1); out[name] = buf.readInt8(i); i += 1; break;
      case 3: need(2); out[name] = buf.readInt16BE(i); i += 2; break;
      case 4: need(4); out[name] = buf.readInt32BE(i); i += 4; break;
      case 5: need(8); out[name] = buf.readBigInt64BE(i); i += 8; break;
      case 6:
      case 7: {
        need(2);
        const len = buf.readUInt16BE(i);
        i += 2;
        need(len);
        out[name] = type === 7 ? buf.toString('utf8', i, i + len) : new Uint8Array(buf.subarray(i, i + len));
        i += len;
        break;
      }
      case 8: need(8); out[name] = new Date(Number(buf.readBigInt64BE(i))); i += 8; break;
      case 9: {
        need(16);
        const h = buf.toString('hex', i, i + 16);
        out[name] = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
        i += 16;
        break;
      }
      default:
        throw new EventStreamError(`unknown header type ${type}`);
    }
  }
  return out;
}

/** Decode one complete message (its exact bytes). */
export function decodeMessage(bytes: Uint8Array): EventStreamMessage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < PRELUDE + 4) throw new EventStreamError('message shorter than its prelude');
  const total = buf.readUInt32BE(0);
  const headersLen = buf.readUInt32BE(4);
  if (total !== buf.length) throw new EventStreamError('length does not match the message');
  if (crc32(buf.subarray(0, 8)) !== buf.readUInt32BE(8)) throw new EventStreamError('prelude CRC mismatch');
  if (crc32(buf.subarray(0, total - 4)) !== buf.readUInt32BE(total - 4)) throw new EventStreamError('message CRC mismatch');
  if (PRELUDE + headersLen > total - 4) throw new EventStreamError('headers run past the message');
  return {
    headers: readHeaders(buf.subarray(PRELUDE, PRELUDE + headersLen)),
    payload: new Uint8Array(buf.subarray(PRELUDE + headersLen, total - 4)),
  };
}

/** Encode a message with string headers (our own error events; test streams). */
export function encodeMessage(headers: Record<string, string>, payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  const hdrs = Buffer.concat(parts);
  const total = PRELUDE + hdrs.length + body.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(hdrs.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  hdrs.copy(out, PRELUDE);
  body.copy(out, PRELUDE + hdrs.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The StreamEvent of one decoded message. */
export function toStreamEvent(msg: EventStreamMessage, raw: Uint8Array): StreamEvent {
  const h = msg.headers;
  const kind = h[':message-type'];
  const event = kind === 'exception' ? h[':exception-type'] : kind === 'error' ? h[':error-code'] : h[':event-type'];
  let data = Buffer.from(msg.payload).toString('utf8');
  if (event === 'chunk' && data.includes('"bytes"')) {
    // InvokeModelWithResponseStream: {"bytes":"<base64 model event>","p":"<padding>"}.
    try {
      const wrapped = JSON.parse(data) as { bytes?: unknown };
      if (typeof wrapped.bytes === 'string') data = Buffer.from(wrapped.bytes, 'base64').toString('utf8');
    } catch {
      throw new EventStreamError('chunk payload is not JSON');
    }
  }
  return { event: typeof event === 'string' ? event : undefined, data, raw };
}

/** Incremental decoder: whole messages out of arbitrary chunks, bounded in size. */
export class EventStreamDecoder implements StreamDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): StreamEvent[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const events: StreamEvent[] = [];
    let at = 0;
    while (this.buf.length - at >= PRELUDE) {
      const total = this.buf.readUInt32BE(at);
      if (total < PRELUDE + 4 || total > MAX_MESSAGE_BYTES) throw new EventStreamError(`implausible message length ${total}`);
      if (this.buf.length - at < total) break;
      const raw = new Uint8Array(this.buf.subarray(at, at + total));
      events.push(toStreamEvent(decodeMessage(raw), raw));
      at += total;
    }
    if (at > 0) this.buf = this.buf.subarray(at);
    return events;
  }

  /** Bytes of an unfinished message (a stream should end with none). */
  pending(): number {
    return this.buf.length;
  }
}

export const EVENTSTREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';
