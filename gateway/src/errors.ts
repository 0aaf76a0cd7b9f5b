// The gateway's error catalogue. Every error a client can see has a stable code, an HTTP status,
// and whether retrying the same request could succeed (drives retries and dead-lettering).
// docs/errors.md is generated from this table and a test keeps them in sync.

export interface ErrorSpec { status: number; retriable: boolean; message: string }

export const ERRORS = {
  SWY_BAD_JSON: { status: 400, retriable: false, message: 'request body is not valid JSON' },
  SWY_EMPTY_BODY: { status: 400, retriable: false, message: 'request body is empty' },
  SWY_BAD_REQUEST: { status: 400, retriable: false, message: 'request is malformed' },
  SWY_FORBIDDEN_KEY: { status: 400, retriable: false, message: 'request body contains a forbidden key (__proto__ or constructor)' },
  SWY_BAD_METADATA: { status: 400, retriable: false, message: 'cf-aig-metadata must be a JSON object of at most 5 string, number or boolean values' },
  SWY_BAD_HEADER: { status: 400, retriable: false, message: 'a cf-aig-* request header has an invalid value' },
  SWY_MODEL_REQUIRED: { status: 400, retriable: false, message: 'model is required, as "provider/model" on compat routes' },
  SWY_UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false, message: 'content-type must be application/json' },
  SWY_BODY_TOO_LARGE: { status: 413, retriable: false, message: 'request body exceeds the configured limit' },
  SWY_UNAUTHORIZED: { status: 401, retriable: false, message: 'a valid gateway token is required (cf-aig-authorization: Bearer <token>)' },
  SWY_MODEL_NOT_ALLOWED: { status: 403, retriable: false, message: 'this gateway token may not use this model' },
  SWY_RATE_LIMITED: { status: 429, retriable: true, message: 'a rate limit of this gateway was reached' },
  SWY_BUDGET_EXCEEDED: { status: 429, retriable: true, message: 'a spend limit of this gateway would be exceeded' },
  SWY_UNKNOWN_GATEWAY: { status: 404, retriable: false, message: 'no gateway with this name is configured' },
  SWY_UNKNOWN_PROVIDER: { status: 404, retriable: false, message: 'no provider with this id is configured' },
  SWY_UNKNOWN_MODEL: { status: 404, retriable: false, message: 'this provider serves no model by this name through this gateway' },
  SWY_UNKNOWN_ROUTE: { status: 404, retriable: false, message: 'no route matches this method and path' },
  SWY_UNSUPPORTED_OPERATION: { status: 404, retriable: false, message: 'this provider does not support this operation' },
  SWY_REQUEST_TIMEOUT: { status: 408, retriable: true, message: 'the client did not send the request in time' },
  SWY_SHUTTING_DOWN: { status: 503, retriable: true, message: 'this gateway node is shutting down' },
  SWY_UPSTREAM_UNREACHABLE: { status: 502, retriable: true, message: 'the provider could not be reached' },
  SWY_UPSTREAM_COOLDOWN: { status: 503, retriable: true, message: 'the provider failed repeatedly and is cooling down' },
  SWY_UPSTREAM_TIMEOUT: { status: 504, retriable: true, message: 'the provider did not answer in time' },
  SWY_UPSTREAM_INVALID_RESPONSE: { status: 502, retriable: true, message: 'the provider sent a response that could not be understood' },
  SWY_UPSTREAM_RESPONSE_TOO_LARGE: { status: 502, retriable: false, message: 'the provider response exceeds the configured limit' },
  SWY_UPSTREAM_STREAM_CUT: { status: 502, retriable: true, message: 'the provider stream ended before it was complete' },
  SWY_INTERNAL: { status: 500, retriable: true, message: 'internal gateway error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a catalogue code; `message` may add detail to the catalogue text. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retriable: boolean;
  /** Sent as Retry-After (seconds, rounded up) when set. */
  retryAfterMs: number | undefined;
  constructor(code: ErrorCode, detail?: string, retryAfterMs?: number) {
    const spec = ERRORS[code];
    super(detail ? `${spec.message}: ${detail}` : spec.message);
    this.name = 'GatewayError';
    this.code = code;
    this.status = spec.status;
    this.retriable = spec.retriable;
    this.retryAfterMs = retryAfterMs;
  }

  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
