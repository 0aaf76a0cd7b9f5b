// The analytics error catalogue: every error a client can see has a stable SWY_ANALYTICS_* code,
// an HTTP status and a message. Bodies are always {"error":{"code","message"}}. README.md lists
// the same codes; errors.test.ts keeps the two in sync.

export interface ErrorDefinition {
  readonly code: `SWY_ANALYTICS_${string}`;
  readonly status: number;
  readonly message: string;
}

export const ERRORS = {
  MISSING_PARAM: { code: 'SWY_ANALYTICS_MISSING_PARAM', status: 400, message: 'a required query parameter is missing' },
  BAD_PARAM: { code: 'SWY_ANALYTICS_BAD_PARAM', status: 400, message: 'a query parameter is malformed' },
  UNKNOWN_PARAM: { code: 'SWY_ANALYTICS_UNKNOWN_PARAM', status: 400, message: 'unknown query parameter' },
  BAD_RANGE: { code: 'SWY_ANALYTICS_BAD_RANGE', status: 400, message: 'the time range is invalid' },
  BAD_REQUEST: { code: 'SWY_ANALYTICS_BAD_REQUEST', status: 400, message: 'the request is invalid' },
  NOT_FOUND: { code: 'SWY_ANALYTICS_NOT_FOUND', status: 404, message: 'no such route' },
  CLICKHOUSE_UNAVAILABLE: { code: 'SWY_ANALYTICS_CLICKHOUSE_UNAVAILABLE', status: 503, message: 'ClickHouse is unreachable' },
  QUERY_FAILED: { code: 'SWY_ANALYTICS_QUERY_FAILED', status: 502, message: 'ClickHouse rejected the query' },
  QUERY_TIMEOUT: { code: 'SWY_ANALYTICS_QUERY_TIMEOUT', status: 504, message: 'the query exceeded its time limit' },
  INTERNAL: { code: 'SWY_ANALYTICS_INTERNAL', status: 500, message: 'internal error' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = (typeof ERRORS)[keyof typeof ERRORS]['code'];

export class AnalyticsError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  /** `detail` is appended to the catalogue message; it must be safe to show to the client. */
  constructor(def: (typeof ERRORS)[keyof typeof ERRORS], detail?: string, options?: ErrorOptions) {
    super(detail ? `${def.message}: ${detail}` : def.message, options);
    this.name = 'AnalyticsError';
    this.code = def.code;
    this.status = def.status;
  }

  toBody(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

// ClickHouse 18.16 answers errors as "Code: 159, e.displayText() = DB::Exception: ..." which
// @clickhouse/client passes on as a plain Error; current servers come back as ClickHouseError
// with a numeric `code`. Both mean the server answered, so it is reachable.
const SERVER_ERROR = /^Code: (\d+)[,.]/;
const TIMEOUT_EXCEEDED = '159';

/**
 * Map an error thrown by @clickhouse/client to a catalogue error: the server answered with an
 * error (timeout -> 504, anything else -> 502) or it could not be reached at all (-> 503:
 * refused, reset, DNS, request timeout, aborted).
 */
export function fromClickHouseError(err: unknown): AnalyticsError {
  if (err instanceof AnalyticsError) return err;
  const serverCode = serverErrorCode(err);
  if (serverCode === TIMEOUT_EXCEEDED) return new AnalyticsError(ERRORS.QUERY_TIMEOUT, undefined, { cause: err });
  if (serverCode !== undefined) return new AnalyticsError(ERRORS.QUERY_FAILED, `ClickHouse error code ${serverCode}`, { cause: err });
  return new AnalyticsError(ERRORS.CLICKHOUSE_UNAVAILABLE, undefined, { cause: err });
}

function serverErrorCode(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  // ClickHouseError carries the server's numeric code as a string; network errors carry E* codes.
  if (typeof code === 'string' && /^\d+$/.test(code)) return code;
  return SERVER_ERROR.exec(err.message)?.[1];
}
