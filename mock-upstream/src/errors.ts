// Error bodies in each provider's own shape, so gateway tests see what the real API would send.
import type { Provider } from './reply.ts';

// OpenAI: {"error":{"message","type","param","code"}}
function openaiType(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 403) return { type: 'invalid_request_error', code: 'unsupported_country_region_territory' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

// Anthropic: {"type":"error","error":{"type","message"},"request_id"}
function anthropicType(status: number): string {
  switch (status) {
    case 400: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 402: return 'billing_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 504: return 'timeout_error';
    case 529: return 'overloaded_error';
    default: return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function errorBody(provider: Provider, status: number, message: string, requestId: string): string {
  if (provider === 'anthropic') {
    return JSON.stringify({ type: 'error', error: { type: anthropicType(status), message }, request_id: requestId });
  }
  const { type, code } = openaiType(status);
  return JSON.stringify({ error: { message, type, param: null, code } });
}
