/** The only error codes a command may return. Transports map them (HTTP status, CLI exit code). */
export const ERROR_CODES = [
  'invalid_input',
  'not_found',
  'conflict',
  'forbidden',
  'unauthenticated',
  'offline',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface PennyErrorShape {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/**
 * Thrown by handlers for expected failures. Anything else that escapes a handler is logged and
 * reported as `internal` without its message, so internals never leak to a client.
 */
export class PennyError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'PennyError';
    this.code = code;
    this.details = details;
  }
  toJSON(): PennyErrorShape {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: PennyErrorShape };

/** HTTP status for each code, shared by the station's browser-mode server and the network. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  offline: 503,
  unavailable: 503,
  internal: 500,
};
