/**
 * transformers.js, set up once for this project: inference on onnxruntime-web (WASM, see
 * `onnx/runtime.ts`), models from a local directory with the hub switched off, or from the
 * Hugging Face hub into a cache directory.
 */
import "../onnx/runtime.ts";
import { env } from "@huggingface/transformers";

export {
  AutoTokenizer,
  pipeline,
  type PreTrainedTokenizer,
  type TextClassificationPipeline,
} from "@huggingface/transformers";

/** Where a model spec points: a local directory, or a hub id. */
export async function isLocalModel(spec: string): Promise<boolean> {
  if (/^(\.{0,2}\/|[A-Za-z]:\\)/.test(spec)) return true;
  try {
    return (await Deno.stat(spec)).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Points transformers.js at `spec` and returns the id to load it by. Local: the hub is off and
 * the id is the absolute directory. Hub: downloads are allowed and cached under `cacheDir`; with
 * HF_HUB_OFFLINE set, only a copy already cached there is loaded.
 */
export async function configureFor(spec: string, cacheDir: string): Promise<{ id: string; local: boolean }> {
  const local = await isLocalModel(spec);
  if (local) {
    try {
      if (!(await Deno.stat(spec)).isDirectory) throw new Error("not a directory");
    } catch (e) {
      throw new Error(`news model ${spec} is not a model directory: ${(e as Error).message}`);
    }
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = "";
    return { id: await Deno.realPath(spec), local };
  }
  const offline = Boolean(Deno.env.get("HF_HUB_OFFLINE"));
  env.allowRemoteModels = !offline;
  // With remote and local models both off, transformers.js refuses before it looks in its cache;
  // offline, the cache directory is read as the local model path instead, so a cached model loads.
  env.allowLocalModels = offline;
  env.localModelPath = cacheDir;
  env.cacheDir = cacheDir;
  return { id: spec, local };
}
