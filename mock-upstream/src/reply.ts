// What a route hands the server: the reply in both shapes, built only when needed. The server owns
// timing and faults (latency, chunk delays, cuts, broken bodies), so routes stay plain formatting.

export type Provider = 'openai' | 'anthropic';

export interface SseFrames {
  /** Frames before the first content chunk (role chunk; message_start, content_block_start, ping). */
  head: string[];
  /** One frame per content chunk. */
  content: string[];
  /** Frames after the content (finish, usage, [DONE]; content_block_stop, message_delta, message_stop). */
  tail: string[];
}

export interface Reply {
  stream: boolean;
  json(): string;
  /** Absent for routes that never stream (embeddings). */
  frames?: () => SseFrames;
}

let counter = 0;
const prefix = Math.random().toString(36).slice(2, 8);

/** Unique ids without the cost of crypto on the hot path. */
export function nextId(kind: string): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${kind}mock${prefix}${counter.toString(36)}`;
}
