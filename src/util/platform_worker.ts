/**
 * The platform's Worker, taken when the process first loads the ONNX runtime (src/onnx/runtime.ts
 * imports this module before onnxruntime-web): onnxruntime-web, once it starts its WebAssembly under
 * Deno's Node compatibility, leaves node:worker_threads' Worker on `globalThis`, whose constructor
 * refuses the `file:` URL of a module. A module that needs the Worker later, imported after a model
 * has run (a lazily imported task or benchmark), takes this one.
 */
export const PlatformWorker: typeof Worker = globalThis.Worker;
