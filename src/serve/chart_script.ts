/** The dashboard's charting library, served by the app at /assets/lightweight-charts.js. */
import { type Logger, silent } from "../util/log.ts";

/**
 * The charting library's standalone build, read through the module loader (no file permission
 * needed); undefined, with a warning, when it cannot be (the dashboard then shows numbers only).
 */
export async function loadChartScript(log: Logger = silent): Promise<string | undefined> {
  try {
    const url = new URL(
      "lightweight-charts.standalone.production.js",
      import.meta.resolve("lightweight-charts"),
    );
    return (await import(url.href, { with: { type: "text" } })).default as string;
  } catch (e) {
    log.warn(
      `the chart library could not be loaded (${(e as Error).message}); the dashboard shows numbers only`,
    );
    return undefined;
  }
}
