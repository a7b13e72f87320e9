/**
 * A Worker that runs `fitRun`, so a process that also serves HTTP and ingests trades (`start`)
 * keeps answering while a model trains. Messages out: `{ step }`, then `{ done }` or `{ error }`.
 */
/// <reference lib="deno.worker" />
import { fitRun, type FitRunInput } from "../model/fit_run.ts";

self.onmessage = (e: MessageEvent<FitRunInput>) => {
  try {
    const done = fitRun(e.data, (step) => self.postMessage({ step }));
    self.postMessage({ done });
  } catch (err) {
    self.postMessage({ error: { name: (err as Error).name, message: (err as Error).message } });
  }
};
