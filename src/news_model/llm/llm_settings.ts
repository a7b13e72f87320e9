/**
 * How to reach the LLM behind `--news-model ollama:MODEL` or `openai:MODEL`: the flags
 * `--llm-url`, `--llm-concurrency`, `--llm-rate`, `--llm-timeout`, and the key from the
 * environment (`LLM_API_KEY`, else `OPENAI_API_KEY`).
 */

export interface LlmSettings {
  /** The server's base URL; none: the API's default (local Ollama, or api.openai.com). */
  url?: string | undefined;
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests per second; none: no limit. */
  rate?: number | undefined;
  /** How long one request may take, ms. */
  timeoutMs: number;
  apiKey?: string | undefined;
}

export const DEFAULT_LLM_SETTINGS: LlmSettings = { concurrency: 4, timeoutMs: 60_000 };

/** The API and model a `--news-model` names, or undefined when it names no LLM. */
export function parseLlmSpec(spec: string): { api: "ollama" | "openai"; model: string } | undefined {
  const m = /^(ollama|openai):(.*)$/.exec(spec);
  if (!m) return undefined;
  const model = m[2]!.trim();
  if (model === "") throw new RangeError(`'${spec}' names no model (e.g. ${m[1]}:llama3.2)`);
  return { api: m[1] as "ollama" | "openai", model };
}
