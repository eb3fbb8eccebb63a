/**
 * The API's one error catalogue (CONVENTIONS.md "From fastify"): every error
 * a client can see has a stable code, an HTTP status and a message, and is
 * documented in services/api/README.md "Error codes". Clients branch on the
 * code, never on the message.
 */
export const API_ERRORS = {
  GW_API_BAD_QUERY: { status: 400, message: 'a query parameter is missing, malformed or out of range' },
  GW_API_BAD_PATH: { status: 400, message: 'a path parameter is malformed (ids match [A-Za-z0-9][A-Za-z0-9_.-]{0,63})' },
  GW_API_BAD_REQUEST: { status: 400, message: 'the request is malformed (URL encoding, headers, body); status may be another 4xx' },
  GW_API_UNAUTHORIZED: { status: 401, message: 'no API key, or a key this server does not know' },
  GW_API_FORBIDDEN: { status: 403, message: 'this key may not see that athlete or use that route' },
  GW_API_NOT_FOUND: { status: 404, message: 'no such resource' },
  GW_API_RATE_LIMITED: { status: 429, message: 'too many requests; retry after the time in Retry-After' },
  GW_API_TOO_MANY_STREAMS: { status: 429, message: 'this key has too many live streams open; close one first' },
  GW_API_NOT_READY: { status: 503, message: 'the store is not accepting work yet' },
  GW_API_LIVE_OFF: { status: 503, message: 'the live stream is off: this API has no broker to follow (set MQTT_URL)' },
  GW_API_BUSY: { status: 503, message: 'the server serves as many live streams as it can; retry later' },
  GW_API_INTERNAL: { status: 500, message: 'internal error (logged with the request id)' },
  GW_API_BAD_BODY: { status: 400, message: 'the JSON body is malformed, has a field of the wrong type or range, or an unknown field' },
  GW_API_BODY_TOO_LARGE: { status: 413, message: 'the body is larger than the route accepts' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** One problem in a request: where (`querystring`, `params`), which field, what is wrong. */
export interface ErrorDetail {
  readonly in: string;
  readonly field: string;
  readonly problem: string;
}

/** The body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly details?: readonly ErrorDetail[]; readonly requestId?: string };
}

/** An error a route throws on purpose; the app's error handler turns it into its catalogue response. */
export class ApiError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string = API_ERRORS[code].message,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = API_ERRORS[code].status;
  }
}

export function errorBody(code: ApiErrorCode, message: string, details?: readonly ErrorDetail[], requestId?: string): ErrorBody {
  return { error: { code, message, ...(details !== undefined && details.length > 0 ? { details } : {}), ...(requestId !== undefined ? { requestId } : {}) } };
}
