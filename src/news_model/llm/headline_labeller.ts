/**
 * One headline to its per-coin answer: a chat request, its reply checked against the answer
 * schema. A malformed or off-schema reply is asked again once; a second bad one, or a request
 * that got no answer through its retries, makes the headline a failure with the reason. Nothing
 * is guessed in its place. Fatal errors (a refused key, an unreachable server) pass through.
 */
import { ANSWER_SCHEMA, type AnswerSignal, checkAnswer, INSTRUCTION } from "./answer_schema.ts";
import { type LlmClient, LlmNoAnswerError } from "./llm_client.ts";

export type Label =
  | {
    ok: true;
    signals: AnswerSignal[]; /** The model that answered, as the server names it. */
    model: string;
  }
  | { ok: false; kind: "malformed" | "off-schema" | "no-answer"; error: string };

export class HeadlineLabeller {
  /** `badReplies` counts every bad reply: a headline's first is asked again, its second fails it. */
  readonly stats = { headlines: 0, labelled: 0, failed: 0, badReplies: 0, droppedCoins: 0 };
  readonly client: LlmClient;
  #model: string;

  /** `model`: the name used when the server's reply names none. */
  constructor(client: LlmClient, model: string) {
    this.client = client;
    this.#model = model;
  }

  async label(title: string, signal?: AbortSignal): Promise<Label> {
    this.stats.headlines++;
    let last: Label & { ok: false } = { ok: false, kind: "malformed", error: "no reply" };
    for (let ask = 0; ask < 2; ask++) {
      let reply;
      try {
        reply = await this.client.chat(INSTRUCTION, title, ANSWER_SCHEMA, signal);
      } catch (e) {
        if (!(e instanceof LlmNoAnswerError)) throw e;
        this.stats.failed++;
        return { ok: false, kind: "no-answer", error: e.message };
      }
      if (reply.ok) {
        const answer = checkAnswer(reply.text);
        if (answer.ok) {
          this.stats.labelled++;
          this.stats.droppedCoins += answer.dropped;
          return { ok: true, signals: answer.signals, model: reply.model ?? this.#model };
        }
        last = { ok: false, kind: answer.kind, error: answer.reason };
      } else {
        last = { ok: false, kind: "malformed", error: reply.reason };
      }
      this.stats.badReplies++;
    }
    this.stats.failed++;
    return { ...last, error: `${last.kind} answer twice, last: ${last.error}` };
  }
}
