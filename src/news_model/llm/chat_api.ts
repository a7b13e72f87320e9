/**
 * One chat API as the LLM client speaks it: where a request goes, what its body is, and how the
 * reply's text and an error's message are read. Ollama (`ollama.ts`) and the OpenAI-compatible
 * servers (`openai_compat.ts`) each implement it in a few lines; retries, time-outs and rate
 * limits live once in `llm_client.ts`.
 */

/** A reply's text and the model that wrote it, or why the body is not a chat reply. */
export type ChatReply =
  | { ok: true; text: string; model: string | undefined }
  | { ok: false; reason: string };

export interface ChatApi {
  /** `ollama` or `openai`: the prefix of `--news-model`. */
  readonly kind: "ollama" | "openai";
  /** The base URL used when `--llm-url` is not given. */
  readonly defaultUrl: string;
  /** The chat endpoint below a base URL. */
  endpoint(baseUrl: string): string;
  /** The request body: the system message, then the user's, answered in `schema`. */
  body(model: string, system: string, user: string, schema: unknown): unknown;
  /** Reads a successful response's JSON. */
  reply(json: unknown): ChatReply;
  /** The message a server put in an error response's JSON, when it has one. */
  errorMessage(json: unknown): string | undefined;
}

/** `value` as an object's fields, or undefined. */
export function fields(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}
