/**
 * The API's error answers: a route throws an `HttpError` (Hono's `HTTPException`, carrying its
 * JSON body and headers such as Retry-After), and the app's one `onError` answers with it. See
 * `app.ts`.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorBody = { error: string } & Record<string, unknown>;

export class HttpError extends HTTPException {
  override name = "HttpError";

  constructor(
    override readonly status: ContentfulStatusCode,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message: body.error });
  }

  override getResponse(): Response {
    return Response.json(this.body, { status: this.status, headers: this.headers });
  }

  /** The answer through `c`, so headers set on it before (CORS) stay, with a plain (not streamed) body. */
  respond(c: Context): Response {
    return c.json(this.body, this.status, this.headers);
  }
}

/**
 * An error answered as `status` with the JSON `body`.
 *
 * @example
 * ```ts
 * throw httpError(503, { error: "no model", reason }, { "Retry-After": "60" });
 * ```
 */
export function httpError(
  status: ContentfulStatusCode,
  body: ErrorBody,
  headers: Record<string, string> = {},
): HttpError {
  return new HttpError(status, body, headers);
}

/** A 400 naming the query parameter that was wrong. */
export function badRequest(parameter: string, message: string): HttpError {
  return httpError(400, { error: message, parameter });
}
