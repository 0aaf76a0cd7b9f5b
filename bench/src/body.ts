// The benchmark request: an OpenAI chat completion whose JSON body is exactly `bytes` long (~1 KB).

export const BENCH_MODEL = 'gpt-4o-mini';

export function chatBody(bytes = 1024): string {
  const base = { model: BENCH_MODEL, messages: [{ role: 'system', content: 'You are a concise assistant.' }, { role: 'user', content: '' }] };
  const empty = JSON.stringify(base).length;
  const filler = 'the quick brown fox jumps over the lazy dog ';
  const need = Math.max(0, bytes - empty);
  const user = base.messages[1] as { content: string };
  user.content = filler.repeat(Math.ceil(need / filler.length)).slice(0, need);
  return JSON.stringify(base);
}
