/**
 * The one ONNX runtime of the project: onnxruntime-web on WebAssembly, single-threaded (no
 * workers, no native code), so the same models run in tasks, in the server and on Deno Deploy.
 * Importing this module also hands the runtime to transformers.js, which otherwise picks
 * onnxruntime-node when it sees a Node-like `process`.
 */
// First: the platform's Worker, before onnxruntime-web can replace it.
import "../util/platform_worker.ts";
import * as ort from "onnxruntime-web";

ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.logLevel = "error";
// Before the first await below: modules evaluated meanwhile (transformers.js) must already see it.
(globalThis as Record<symbol, unknown>)[Symbol.for("onnxruntime")] = ort;
// The WASM binary beside the package's own module, never a CDN (transformers.js would point
// onnxruntime-web at jsDelivr if this were unset).
const ortModule = import.meta.resolve("onnxruntime-web");
if (ortModule.startsWith("file:")) ort.env.wasm.wasmPaths = new URL(".", ortModule).href;
// The binary itself comes through the module loader, so reading it needs no file permission
// (the serve task may read only its data and models, and Deno Deploy has no package files).
try {
  const wasm = new URL("ort-wasm-simd-threaded.wasm", ortModule);
  ort.env.wasm.wasmBinary = (await import(wasm.href, { with: { type: "bytes" } })).default as Uint8Array;
} catch {
  // Left to onnxruntime-web's own loading (wasmPaths above).
}

export { ort };

/** Opens a session from model bytes, with a message naming `what` when the bytes are not a model. */
export async function openSession(bytes: Uint8Array, what: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
    });
  } catch (e) {
    throw new Error(`${what} is not a valid ONNX model: ${(e as Error).message}`, { cause: e });
  }
}
