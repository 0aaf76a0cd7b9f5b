// Newline-delimited JSON framing (Ollama's native streams): one event per line.
import type { StreamDecoder, StreamEvent } from '../../upstream/sse.ts';

export class NdjsonError extends Error {}

export class NdjsonDecoder implements StreamDecoder {
  private buffer = '';
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxLineBytes: number;
  constructor(maxLineBytes = 4 * 1024 * 1024) {
    this.maxLineBytes = maxLineBytes;
  }
  push(chunk: Uint8Array): StreamEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const events: StreamEvent[] = [];
    let start = 0;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n', start)) {
      const line = this.buffer.slice(start, nl);
      start = nl + 1;
      const data = line.trim();
      if (data) events.push({ event: undefined, data, raw: line + '\n' });
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > this.maxLineBytes) throw new NdjsonError(`an NDJSON line exceeds ${this.maxLineBytes} bytes`);
    return events;
  }
}
