// The only Server-Sent Events parser in the gateway. Written here rather than taken from a library
// because the proxy needs each event's exact raw bytes (to forward them unchanged, or drop one)
// alongside its parsed fields, and works on Buffers chunk by chunk without re-encoding the stream.

/**
 * One event of an upstream stream, whatever its framing: an SSE event (parsed here), an NDJSON line
 * or an AWS event-stream message (decoded by the provider that speaks them; see providers/).
 */
export interface StreamEvent {
  /** SSE `event:` field / event-stream `:event-type` (or `:exception-type`); undefined otherwise. */
  event: string | undefined;
  /** The payload as text: SSE `data:` lines joined with "\n", an NDJSON line, a message's JSON. */
  data: string;
  /** The event's exact bytes as received (SSE: its text including the blank line), for pass-through. */
  raw: string | Uint8Array;
}

/** A stream framing's decoder: push() chunks as they arrive, get the complete events they finish. */
export interface StreamDecoder {
  push(chunk: Uint8Array): StreamEvent[];
}

/** An SSE event: its raw form is always text. */
export interface SseEvent extends StreamEvent {
  raw: string;
}

/** Incremental parser: push() chunks as they arrive, get the complete events they finish. */
export class SseParser implements StreamDecoder {
  private buffer = '';
  private readonly decoder = new TextDecoder('utf-8');
  /** Upper bound on one event's size, so a stream without blank lines cannot grow memory. */
  private readonly maxEventBytes: number;

  constructor(maxEventBytes = 4 * 1024 * 1024) {
    this.maxEventBytes = maxEventBytes;
  }

  push(chunk: Uint8Array): SseEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = findEventEnd(this.buffer, start);
      if (end < 0) break;
      const raw = this.buffer.slice(start, end);
      const ev = parseEvent(raw);
      if (ev) events.push(ev);
      start = end;
    }
    if (start > 0) this.buffer = this.buffer.slice(start);
    if (this.buffer.length > this.maxEventBytes) throw new SseError(`an SSE event exceeds ${this.maxEventBytes} bytes`);
    return events;
  }

  /** Text left after the last complete event (a stream should end with none). */
  rest(): string {
    return this.buffer + this.decoder.decode();
  }
}

export class SseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SseError';
  }
}

const EVENT_END = /\r\n\r\n|\n\n|\r\r/g;

/** Index just past the blank line that ends the event starting at `from`, or -1. */
function findEventEnd(buf: string, from: number): number {
  EVENT_END.lastIndex = from;
  const m = EVENT_END.exec(buf);
  return m ? m.index + m[0].length : -1;
}

function parseEvent(raw: string): SseEvent | undefined {
  let event: string | undefined;
  let data: string[] | undefined;
  for (const line of raw.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') (data ??= []).push(value);
    else if (field === 'event') event = value;
  }
  // Comment-only blocks (keep-alives) still pass through, as an event with no data.
  return { event, data: data ? data.join('\n') : '', raw };
}

/** Serialize one event in the canonical form (`event:` line when named, one `data:` line). */
export function formatSse(data: string, event?: string): string {
  return (event ? `event: ${event}\n` : '') + `data: ${data}\n\n`;
}
