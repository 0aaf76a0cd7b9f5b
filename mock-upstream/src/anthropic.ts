// Anthropic wire format: POST /v1/messages (JSON and SSE).
import type { MockBehaviour } from './behaviour.ts';
import type { Reply, SseFrames } from './reply.ts';
import { nextId } from './reply.ts';
import { toolCallFor } from './tools.ts';
import { anthropicUsageFor, replyPlanFor } from './usage.ts';

function event(type: string, data: object): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function anthropicMessagesReply(body: Record<string, unknown>, b: MockBehaviour): Reply {
  const model = typeof body.model === 'string' ? body.model : 'unknown';
  const plan = replyPlanFor(body, b.chunks);
  const tool = toolCallFor(body, b);
  const stopReason = plan.truncated ? 'max_tokens' : tool ? 'tool_use' : 'end_turn';
  const toolId = 'toolu_mock' + nextId('');
  const toolEvents = tool
    ? [
        event('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: toolId, name: tool.name, input: {} } }),
        ...tool.pieces.map((partial_json) => event('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json } })),
        event('content_block_stop', { type: 'content_block_stop', index: 1 }),
      ]
    : [];
  const id = nextId('msg_');
  const usage = anthropicUsageFor(body, b);

  return {
    stream: body.stream === true,
    json: () =>
      JSON.stringify({
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [
          { type: 'text', text: plan.chunks.join('') },
          ...(tool ? [{ type: 'tool_use', id: toolId, name: tool.name, input: JSON.parse(tool.args) as unknown }] : []),
        ],
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      }),
    frames: (): SseFrames => ({
      head: [
        // As the API does: message_start carries the input side and a provisional output count;
        // the final, cumulative output_tokens comes in message_delta.
        event('message_start', {
          type: 'message_start',
          message: {
            id,
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { ...usage, output_tokens: Math.min(1, usage.output_tokens) },
          },
        }),
        event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        event('ping', { type: 'ping' }),
      ],
      content: plan.chunks.map((text) =>
        event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
      ),
      tail: [
        event('content_block_stop', { type: 'content_block_stop', index: 0 }),
        ...toolEvents,
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: stopReason, stop_sequence: null },
          usage: { output_tokens: usage.output_tokens },
        }),
        event('message_stop', { type: 'message_stop' }),
      ],
    }),
  };
}
