// x-mock-tool-call: the reply also calls the request's first tool (OpenAI `tools[].function` or
// Anthropic `tools[]`) with the header's JSON arguments, streamed in two argument pieces.
import type { MockBehaviour } from './behaviour.ts';

export interface MockToolCall {
  name: string;
  /** The arguments as JSON text, and split in two pieces for streaming. */
  args: string;
  pieces: [string, string];
}

export function toolCallFor(body: Record<string, unknown>, b: MockBehaviour): MockToolCall | undefined {
  if (b.toolCall === undefined || !Array.isArray(body.tools) || body.tools.length === 0) return undefined;
  const first = body.tools[0] as Record<string, unknown>;
  const fn = (first.function ?? first) as Record<string, unknown>;
  if (typeof fn.name !== 'string') return undefined;
  const args = JSON.stringify(JSON.parse(b.toolCall));
  const mid = Math.ceil(args.length / 2);
  return { name: fn.name, args, pieces: [args.slice(0, mid), args.slice(mid)] };
}
