// OpenAI wire formats: POST /v1/chat/completions (JSON and SSE) and POST /v1/embeddings.
import type { MockBehaviour } from './behaviour.ts';
import type { Reply, SseFrames } from './reply.ts';
import { nextId } from './reply.ts';
import { toolCallFor } from './tools.ts';
import { openaiChatUsageFor, openaiEmbeddingsUsageFor, replyPlanFor } from './usage.ts';

const FINGERPRINT = 'fp_mock';

function field(body: Record<string, unknown>, key: string): unknown {
  return body[key];
}

export function openaiChatReply(body: Record<string, unknown>, b: MockBehaviour): Reply {
  const model = typeof body.model === 'string' ? body.model : 'unknown';
  const stream = field(body, 'stream') === true;
  const plan = replyPlanFor(body, b.chunks);
  const tool = toolCallFor(body, b);
  const finishReason = plan.truncated ? 'length' : tool ? 'tool_calls' : 'stop';
  const toolId = 'call_mock' + nextId('');
  const id = nextId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const usage = () => openaiChatUsageFor(body, b);

  return {
    stream,
    json: () =>
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant', content: plan.chunks.join(''), refusal: null, annotations: [],
              ...(tool ? { tool_calls: [{ id: toolId, type: 'function', function: { name: tool.name, arguments: tool.args } }] } : {}),
            },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage: usage(),
        service_tier: 'default',
        system_fingerprint: FINGERPRINT,
      }),
    frames: (): SseFrames => {
      const opts = field(body, 'stream_options');
      const includeUsage =
        opts !== null && typeof opts === 'object' && (opts as Record<string, unknown>).include_usage === true;
      // Every chunk carries "usage": null when usage was asked for (as the API does); the usage
      // itself comes in one extra chunk with an empty choices array, just before [DONE].
      const chunk = (choices: unknown[], extra?: object) =>
        `data: ${JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created,
          model,
          service_tier: 'default',
          system_fingerprint: FINGERPRINT,
          choices,
          ...(includeUsage ? { usage: null } : {}),
          ...extra,
        })}\n\n`;
      const choice = (delta: object, finish: string | null) => ({ index: 0, delta, logprobs: null, finish_reason: finish });

      const tail: string[] = [];
      if (tool) {
        tail.push(chunk([choice({ tool_calls: [{ index: 0, id: toolId, type: 'function', function: { name: tool.name, arguments: '' } }] }, null)]));
        for (const piece of tool.pieces) tail.push(chunk([choice({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null)]));
      }
      tail.push(chunk([choice({}, finishReason)]));
      if (includeUsage) tail.push(chunk([], { usage: usage() }));
      tail.push('data: [DONE]\n\n');
      return {
        head: [chunk([choice({ role: 'assistant', content: '', refusal: null }, null)])],
        content: plan.chunks.map((text) => chunk([choice({ content: text }, null)])),
        tail,
      };
    },
  };
}

// A deterministic vector: tests can compare it, and it costs nothing to build.
function vectorFor(index: number, dims: number): number[] {
  const v = new Array<number>(dims);
  for (let i = 0; i < dims; i++) v[i] = Math.round(Math.sin(index + i + 1) * 1e6) / 1e6;
  return v;
}

export function openaiEmbeddingsReply(body: Record<string, unknown>): Reply {
  const model = typeof body.model === 'string' ? body.model : 'unknown';
  const input = body.input;
  const count =
    Array.isArray(input) && input.length > 0 && typeof input[0] !== 'number' ? input.length : 1;
  const dims = typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.min(body.dimensions, 4096) : 8;
  const base64 = body.encoding_format === 'base64';
  return {
    stream: false,
    json: () => {
      const data = [];
      for (let index = 0; index < count; index++) {
        const v = vectorFor(index, dims);
        const embedding = base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v;
        data.push({ object: 'embedding', index, embedding });
      }
      return JSON.stringify({ object: 'list', data, model, usage: openaiEmbeddingsUsageFor(body) });
    },
  };
}
