/**
 * The Prometheus alert rules (infra/prometheus/alerts.yml): promtool validates them and runs their
 * unit tests (alerts_test.yml), and, without promtool, the rules are checked against the metric names
 * the app documents (src/serve/metric_names.ts) so a renamed gauge cannot leave an alert watching
 * nothing. Without promtool on PATH the promtool tests are ignored with a warning; under CI that is a
 * failure (.ci/run installs Debian's prometheus package, which ships promtool).
 */
import { assert, assertEquals } from "../assert.ts";
import { METRIC_NAMES } from "../../src/serve/metric_names.ts";
import { WINDOW_MS, WINDOWS } from "../../src/domain/candle.ts";

const RULES = new URL("../../infra/prometheus/alerts.yml", import.meta.url).pathname;
const RULE_TESTS = new URL("../../infra/prometheus/alerts_test.yml", import.meta.url).pathname;

/** Metrics the rules may read that the app does not export: kafka_exporter's lag, and the request metrics. */
const FOREIGN = (name: string) => name === "kafka_consumergroup_lag" || name.startsWith("http_");

/** PromQL words that look like metric names but are operators or modifiers. */
const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
  "bool",
  "inf",
  "nan",
]);

function findOnPath(command: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    try {
      if (Deno.statSync(`${dir}/${command}`).isFile) return `${dir}/${command}`;
    } catch { /* next */ }
  }
  return null;
}

const promtool = findOnPath("promtool");
if (!promtool) {
  console.warn(
    Deno.env.get("CI")
      ? "WARNING: promtool is not on PATH: under CI the promtool alert rule tests fail (apt-get install prometheus)"
      : "WARNING: promtool is not on PATH (apt-get install prometheus): the promtool alert rule tests are ignored",
  );
}

/** The `expr:` values of a rules file: one-line ones, and `|` / `>` blocks (the more indented lines below). */
function exprsOf(yaml: string): string[] {
  const lines = yaml.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:- )?expr:\s*(.*)$/.exec(lines[i]!);
    if (!m) continue;
    const [, indent, rest] = m as unknown as [string, string, string];
    if (!/^[|>][-+]?\s*$/.test(rest)) {
      out.push(rest.replace(/^(['"])(.*)\1$/, "$2"));
      continue;
    }
    const block: string[] = [];
    while (i + 1 < lines.length) {
      const next = lines[i + 1]!;
      if (next.trim() !== "" && next.search(/\S/) <= indent.length) break;
      block.push(next);
      i++;
    }
    out.push(block.join("\n"));
  }
  return out;
}

/**
 * The metric names a PromQL expression reads: identifiers left once strings, label matchers,
 * ranges and the label lists of `by`/`on`/... are removed, that are not function calls or keywords.
 */
function metricNamesOf(expr: string): Set<string> {
  const bare = expr
    .replace(/#.*$/gm, "")
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (call || KEYWORDS.has(name!.toLowerCase())) continue;
    names.add(name!);
  }
  return names;
}

Deno.test("metricNamesOf finds the metrics of an expression, not its functions, labels or keywords", () => {
  const expr = `sum by (route, le) (rate(http_x_bucket{route="/p", le=~"0.1"}[5m])) > 0.05
    and on (pair) live_skill offset 10m unless ignoring(level) model_fallback == 1e3`;
  assertEquals([...metricNamesOf(expr)].sort(), ["http_x_bucket", "live_skill", "model_fallback"]);
});

Deno.test("exprsOf reads one-line and block expressions", () => {
  const yaml = [
    "groups:",
    "  - name: g",
    "    rules:",
    "      - alert: A",
    "        expr: up == 0",
    "        for: 1m",
    "      - alert: B",
    "        expr: |",
    "          a > 1",
    "",
    "            or b > 2",
    "        for: 2m",
  ].join("\n");
  assertEquals(exprsOf(yaml).map((e) => e.trim()), ["up == 0", "a > 1\n\n            or b > 2"]);
});

Deno.test("every metric the alert rules read is one /metrics documents, kafka_exporter's lag or a request metric", async () => {
  const exprs = exprsOf(await Deno.readTextFile(RULES));
  const names = new Set(exprs.flatMap((e) => [...metricNamesOf(e)]));
  // The parse must have found the rules' metrics, or the check below would pass on nothing.
  for (const expected of ["feature_lag_seconds", "live_skill", "model_fallback", "kafka_consumergroup_lag"]) {
    assert(names.has(expected), `the rules' expressions should read ${expected}; found ${[...names]}`);
  }
  const documented = new Set(METRIC_NAMES);
  const unknown = [...names].filter((n) => !FOREIGN(n) && !documented.has(n));
  assertEquals(unknown, [], `alerts.yml reads metrics src/serve/metric_names.ts does not list: ${unknown}`);
});

Deno.test("every alert has a for, a severity, a summary and a description, and a unit test", async () => {
  const rules = await Deno.readTextFile(RULES);
  const tests = await Deno.readTextFile(RULE_TESTS);
  const blocks = rules.split(/^\s*- alert:\s*/m).slice(1);
  assert(blocks.length >= 8, `expected the documented alerts, found ${blocks.length}`);
  for (const block of blocks) {
    const name = block.split("\n")[0]!.trim();
    for (
      const key of [
        /^\s+for: \d+[smh]/m,
        /^\s+severity: (critical|warning)$/m,
        /^\s+summary: /m,
        /^\s+description: /m,
      ]
    ) {
      assert(key.test(block), `alert ${name} lacks ${key}`);
    }
    assert(
      new RegExp(`alertname: ${name}\\n\\s+exp_alerts:\\s*\\n\\s+- exp_labels`).test(tests),
      `no test of ${name} firing`,
    );
  }
});

Deno.test("features go stale after three windows for every window the app accepts (the default --max-feature-age)", async () => {
  const rules = await Deno.readTextFile(RULES);
  const thresholds = Object.fromEntries(
    [...rules.matchAll(/feature_lag_seconds\{window="([^"]+)"\} > (\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
  );
  assertEquals(thresholds, Object.fromEntries(WINDOWS.map((w) => [w, (3 * WINDOW_MS[w]) / 1000])));
});

async function run(args: string[]): Promise<void> {
  if (!promtool) throw new Error("promtool is required under CI (apt-get install prometheus)");
  const out = await new Deno.Command(promtool, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert(out.success, `promtool ${args.join(" ")} failed:\n${text}`);
}

Deno.test({
  name: "promtool check rules accepts alerts.yml",
  // Under CI a missing promtool is a failure, not a skip.
  ignore: !promtool && !Deno.env.get("CI"),
  fn: () => run(["check", "rules", RULES]),
});

Deno.test({
  name: "promtool test rules: each alert fires on its failure, after its for:, and not on healthy series",
  ignore: !promtool && !Deno.env.get("CI"),
  fn: () => run(["test", "rules", RULE_TESTS]),
});
