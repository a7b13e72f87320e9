/**
 * Ollama's native chat API: `POST /api/chat` with `stream: false` (Ollama streams by default) and
 * the answer's JSON schema in `format`, which Ollama turns into a grammar the model must follow.
 * The reply is one JSON object whose `message.content` holds the answer as text.
 */
import { type ChatApi, type ChatReply, fields } from "./chat_api.ts";

export const OLLAMA_URL = "http://127.0.0.1:11434";

export const ollama: ChatApi = {
  kind: "ollama",
  defaultUrl: OLLAMA_URL,
  endpoint: (baseUrl) => `${baseUrl.replace(/\/+$/, "")}/api/chat`,
  body: (model, system, user, schema) => ({
    model,
    messages: [{ role: "system", content: system }, { role: "user", content: user }],
    stream: false,
    format: schema,
    // Labels are data: the same headline should get the same answer.
    options: { temperature: 0 },
  }),
  reply(json): ChatReply {
    const content = fields(fields(json)?.message)?.content;
    if (typeof content !== "string") return { ok: false, reason: "the reply has no message.content" };
    const model = fields(json)?.model;
    return { ok: true, text: content, model: typeof model === "string" ? model : undefined };
  },
  errorMessage(json) {
    const error = fields(json)?.error;
    return typeof error === "string" ? error : undefined;
  },
};
