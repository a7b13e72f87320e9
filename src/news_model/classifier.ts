/**
 * The headline classifier behind the news pipeline: any transformers.js text-classification
 * model, from a local directory (the distilled one) or the Hugging Face hub. Its labels are
 * mapped to signals by name (bullish/positive → +1, neutral → 0, bearish/negative → −1); a model
 * with a label that maps to none is refused on load. `ollama:MODEL` and `openai:MODEL` load an
 * LLM classifier instead (src/news_model/llm/).
 */
import type { NewsClassifier } from "../domain/ports.ts";
import { loadLlmClassifier } from "./llm/llm_classifier.ts";
import { DEFAULT_LLM_SETTINGS, type LlmSettings, parseLlmSpec } from "./llm/llm_settings.ts";
import { configureFor, pipeline, type TextClassificationPipeline } from "./transformers_env.ts";

export { DEFAULT_NEWS_MODEL } from "./default_model.ts";

/** The signal a label name stands for, or undefined. */
export function signalOfLabel(label: string): -1 | 0 | 1 | undefined {
  const l = label.toLowerCase();
  if (/^(bullish|positive|pos|up)$/.test(l)) return 1;
  if (/^(bearish|negative|neg|down)$/.test(l)) return -1;
  if (/^(neutral|neu|none)$/.test(l)) return 0;
  return undefined;
}

export interface LoadOptions {
  /** Where hub models are cached. */
  cacheDir: string;
  /** How to reach the LLM of an `ollama:` or `openai:` spec. */
  llm?: LlmSettings | undefined;
}

export async function loadNewsClassifier(
  spec: string,
  { cacheDir, llm }: LoadOptions,
): Promise<NewsClassifier> {
  if (parseLlmSpec(spec) !== undefined) return loadLlmClassifier(spec, llm ?? DEFAULT_LLM_SETTINGS);
  const { id, local } = await configureFor(spec, cacheDir);
  let classifier: TextClassificationPipeline;
  try {
    classifier = await pipeline("text-classification", id, { dtype: "fp32", device: "auto" });
  } catch (e) {
    const msg = (e as Error).message;
    const hint = local
      ? "it needs config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx (see deno task news:distill)"
      : Deno.env.get("HF_HUB_OFFLINE")
      ? `HF_HUB_OFFLINE is set and ${cacheDir} holds no complete copy of it: unset HF_HUB_OFFLINE to download it once, or pass --news-model with a local directory (deno task news:distill makes one)`
      : "the Hugging Face hub may be unreachable: pass --news-model with a local directory (deno task news:distill makes one)";
    throw new Error(`cannot load news model ${spec}: ${msg}; ${hint}`, { cause: e });
  }
  const id2label = (classifier.model.config as unknown as { id2label?: Record<string, string> }).id2label ??
    {};
  const labels = Object.values(id2label);
  const unknown = labels.filter((l) => signalOfLabel(l) === undefined);
  if (labels.length === 0 || unknown.length > 0) {
    await classifier.dispose();
    throw new Error(
      `news model ${spec} has labels [${
        labels.join(", ")
      }]; every label must read as bullish/positive, neutral or bearish/negative`,
    );
  }
  const name = local ? id.split("/").filter(Boolean).at(-1)! : spec;
  return {
    name,
    async classify(titles) {
      if (titles.length === 0) return [];
      const out = await classifier([...titles], { top_k: 1 }) as unknown as {
        label: string;
        score: number;
      }[][];
      return out.map((top) => {
        const best = Array.isArray(top) ? top[0]! : top as { label: string; score: number };
        return { signal: signalOfLabel(best.label)!, score: best.score };
      });
    },
    async dispose() {
      await classifier.dispose();
    },
  };
}
