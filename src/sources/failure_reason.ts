/**
 * Why a request failed, in words a user can act on. `fetch` rejects with a bare "fetch failed"
 * and keeps what happened (connection refused, a DNS failure, a TLS error) in `cause`.
 *
 * @example
 * ```ts
 * failureReason(new TypeError("fetch failed", { cause: new Error(
 *   "error sending request for url (http://127.0.0.1:1/): client error (Connect): tcp connect error: Connection refused (os error 111)",
 * ) }));
 * // "fetch failed: tcp connect error: Connection refused (os error 111)"
 * ```
 */
export function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  if (!cause || error.message.includes(cause)) return error.message;
  // The URL is named by the caller; the client layer's name says nothing to a user.
  const why = cause.replace(/^error sending request for url \([^)]*\):\s*/, "").replace(
    /^client error \(\w+\):\s*/,
    "",
  );
  return `${error.message}: ${why}`;
}
