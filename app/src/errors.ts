import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error that becomes `{ error: { code, message } }` with its status. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details);
export const notFound = (what: string) => new AppError(404, "not_found", `${what} not found`);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const unauthorized = (message = "missing or expired session") => new AppError(401, "unauthorized", message);

/** A dependency is down (session store, database): 503, the client may retry. */
export class UnavailableError extends AppError {
  constructor(code: string, message: string) {
    super(503, code, message);
  }
}
