/**
 * The OpenAI chat completions API, as OpenAI, vLLM, llama.cpp's server and LM Studio serve it:
 * `POST /v1/chat/completions` with `response_format: {type: "json_schema", json_schema: {name,
 * strict: true, schema}}`. The answer is `choices[0].message.content`; a model that declines
 * says so in `message.refusal` instead. A base URL given with its `/v1` (as vLLM's docs write
 * it) is taken as the same server.
 */
import { type ChatApi, type ChatReply, fields } from "./chat_api.ts";

export const OPENAI_URL = "https://api.openai.com";

export const openAiCompatible: ChatApi = {
  kind: "openai",
  defaultUrl: OPENAI_URL,
  endpoint: (baseUrl) => `${baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "")}/v1/chat/completions`,
  body: (model, system, user, schema) => ({
    model,
    messages: [{ role: "system", content: system }, { role: "user", content: user }],
    temperature: 0,
    response_format: { type: "json_schema", json_schema: { name: "news_signals", strict: true, schema } },
  }),
  reply(json): ChatReply {
    const choices = fields(json)?.choices;
    const message = fields(fields(Array.isArray(choices) ? choices[0] : undefined)?.message);
    if (message === undefined) return { ok: false, reason: "the reply has no choices[0].message" };
    if (typeof message.refusal === "string" && message.refusal) {
      return { ok: false, reason: `the model refused: ${message.refusal.slice(0, 120)}` };
    }
    if (typeof message.content !== "string") {
      return { ok: false, reason: "the reply's message has no content" };
    }
    const model = fields(json)?.model;
    return { ok: true, text: message.content, model: typeof model === "string" ? model : undefined };
  },
  errorMessage(json) {
    const error = fields(json)?.error;
    if (typeof error === "string") return error;
    const message = fields(error)?.message;
    return typeof message === "string" ? message : undefined;
  },
};

/** OpenAI's 429 for an account out of credit: waiting does not help. */
export function isQuotaError(json: unknown): boolean {
  return fields(fields(json)?.error)?.code === "insufficient_quota";
}
