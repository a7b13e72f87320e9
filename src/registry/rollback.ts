/** A rollback as the promotion stack records it, the same for every registry. */
import type { PromotedFile, Promotion } from "../domain/model_card.ts";

/**
 * Takes the current version, and any above `to`, off `file.stack`, and returns the history entry
 * saying so; throws when there is nothing below the current version, or `to` is not below it.
 */
export function rollbackEntry(
  name: string,
  file: PromotedFile,
  to: string | undefined,
  now: number,
): Promotion {
  const below = file.stack.slice(0, -1);
  if (below.length === 0) throw new Error(`model ${name} has no version promoted before ${file.current}`);
  const target = to ?? below.at(-1)!;
  const at = below.lastIndexOf(target);
  if (at === -1) {
    throw new Error(
      `${target} is not on ${name}'s promotion stack below ${file.current} (${below.join(", ")})`,
    );
  }
  const from = file.stack.at(-1)!;
  const passed = file.stack.splice(at + 1).slice(0, -1).reverse();
  return {
    version: target,
    at: new Date(now).toISOString(),
    by: "rollback",
    reason: `rolled back from ${from}${passed.length ? `, passing over ${passed.join(", ")}` : ""}`,
  };
}
