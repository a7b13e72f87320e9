/**
 * The purity check of `deno task check`: the core (src/domain, src/transforms, the model math in
 * src/model, and the few pure helpers listed below) imports only the core and packages that do no
 * I/O, never `node:`, uses no `Deno.*`, reads no clock and draws no random number of its own, and
 * does no network I/O. Comments and string contents are ignored. Prints one `path:line: what`
 * line per violation and exits 1 when there is any.
 *
 * Usage: `deno run --allow-read scripts/check_purity.ts [root]` (root: the repository, by default
 * the one this script is in).
 */

/** Paths (relative to the root) of the core: directories end with a slash. */
export const CORE: readonly string[] = ["src/domain/", "src/transforms/", "src/model/", "src/util/random.ts"];

/** Packages the core may import: computation only, no files, network, processes or native code. */
export const PURE_PACKAGES: ReadonlySet<string> = new Set(["technicalindicators", "onnx-proto"]);

export interface Violation {
  /** Relative to the root, with forward slashes. */
  path: string;
  line: number;
  message: string;
}

interface Lexed {
  /** The source with comments and string contents blanked (line breaks kept). */
  code: string;
  /** String literals: where each opens and what it holds (template literals only when plain). */
  strings: { at: number; value: string }[];
}

const KEYWORDS_BEFORE_REGEX = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
]);

/** Blanks comments and string contents, keeping every character's line. */
export function lex(source: string): Lexed {
  const out = source.split("");
  const strings: Lexed["strings"] = [];
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = " ";
  };
  // Open template literals; each entry counts the braces opened inside its current `${`.
  const templates: number[] = [];
  let i = 0;
  const n = source.length;

  const regexAllowed = (): boolean => {
    let k = i - 1;
    while (k >= 0 && /\s/.test(out[k]!)) k--;
    if (k < 0) return true;
    const c = out[k]!;
    if ("(,=:[!&|?{};+-*%<>~^".includes(c)) return true;
    if (!/[A-Za-z_$]/.test(c)) return false;
    let s = k;
    while (s > 0 && /[\w$]/.test(out[s - 1]!)) s--;
    return KEYWORDS_BEFORE_REGEX.has(out.slice(s, k + 1).join(""));
  };

  /** Scans template text from `i` (just after ` or }) to its end or to a `${`. */
  const templateText = (): void => {
    const start = i;
    while (i < n) {
      const c = source[i]!;
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (c === "`") {
        blank(start, i);
        i++;
        templates.pop();
        return;
      }
      if (c === "$" && source[i + 1] === "{") {
        blank(start, i);
        i += 2;
        return;
      }
      i++;
    }
    blank(start, n);
  };

  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      blank(i, end === -1 ? n : end);
      i = end === -1 ? n : end;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      blank(i, end === -1 ? n : end + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      const start = i++;
      let value = "";
      while (i < n && source[i] !== c && source[i] !== "\n") {
        if (source[i] === "\\") value += source[++i] ?? "";
        else value += source[i];
        i++;
      }
      strings.push({ at: start, value });
      blank(start + 1, i);
      i++;
    } else if (c === "`") {
      const start = i++;
      templates.push(0);
      const before = templates.length;
      templateText();
      // A template without `${...}` is a plain string (`import(\`./x.ts\`)` names a module too).
      if (templates.length < before) strings.push({ at: start, value: source.slice(start + 1, i - 1) });
    } else if (templates.length > 0 && c === "{") {
      templates[templates.length - 1]!++;
      i++;
    } else if (templates.length > 0 && c === "}") {
      if (templates[templates.length - 1] === 0) {
        i++;
        templateText();
      } else {
        templates[templates.length - 1]!--;
        i++;
      }
    } else if (c === "/" && regexAllowed()) {
      const start = i++;
      let inClass = false;
      while (i < n && source[i] !== "\n") {
        const r = source[i]!;
        if (r === "\\") i++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        i++;
      }
      blank(start + 1, i);
      i++;
    } else {
      i++;
    }
  }
  return { code: out.join(""), strings };
}

/** What the core must not use, found in code (not in comments or strings). */
const FORBIDDEN: readonly [RegExp, string][] = [
  [/\bDeno\b/g, "uses Deno.*"],
  [/\bDate\s*\.\s*now\b/g, "reads the clock (Date.now)"],
  [/\bnew\s+Date\s*\(\s*\)/g, "reads the clock (new Date() without a time)"],
  [/(?<![\w$.]|\bnew\s+)\bDate\s*\(/g, "reads the clock (Date() without new)"],
  [/\bperformance\s*\.\s*now\b/g, "reads the clock (performance.now)"],
  [/\bMath\s*\.\s*random\b/g, "draws a random number (Math.random)"],
  [/\bcrypto\s*\.\s*(getRandomValues|randomUUID)\b/g, "draws a random number (crypto.$1)"],
  [/(?<![\w$.])fetch\s*\(/g, "does network I/O (fetch)"],
  [/\bnew\s+(WebSocket|XMLHttpRequest|EventSource)\b/g, "does network I/O ($1)"],
  [/(?<![\w$.])require\s*\(/g, "loads a module with require()"],
];

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

/** The core path `from` (relative) imports with `specifier`, normalised; null when it leaves the root. */
function resolveRelative(from: string, specifier: string): string | null {
  const parts = from.split("/").slice(0, -1);
  for (const p of specifier.split("/")) {
    if (p === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else if (p !== "." && p !== "") parts.push(p);
  }
  return parts.join("/");
}

export function isCore(path: string): boolean {
  return CORE.some((c) => (c.endsWith("/") ? path.startsWith(c) : path === c));
}

function packageOf(specifier: string): string {
  const bare = specifier.replace(/^npm:\/?|^jsr:\/?/, "");
  const parts = bare.split("/");
  const name = bare.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  return name.replace(/(.)@[^/]*$/, "$1");
}

/** What an import of `specifier` from core file `path` breaks, or null when it is allowed. */
function importProblem(path: string, specifier: string): string | null {
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    const target = specifier.startsWith("/") ? null : resolveRelative(path, specifier);
    if (target !== null && isCore(target)) return null;
    return `imports an edge module ${target ?? specifier}`;
  }
  if (specifier.startsWith("node:")) return `imports ${specifier}`;
  if (/^(https?|file|data):/.test(specifier)) return `imports ${specifier}`;
  const pkg = packageOf(specifier);
  return PURE_PACKAGES.has(pkg) ? null : `imports the package ${pkg}, which is not known to do no I/O`;
}

/** The violations in one core file's source. */
export function violationsIn(path: string, source: string): Violation[] {
  const { code, strings } = lex(source);
  const found: Violation[] = [];
  const at = (offset: number, message: string) => found.push({ path, line: lineAt(source, offset), message });
  for (const s of strings) {
    const before = code.slice(Math.max(0, s.at - 200), s.at);
    if (!/(\bfrom|\bimport|\bimport\s*\(|\bexport\s*\*)\s*$/.test(before)) continue;
    const problem = importProblem(path, s.value);
    if (problem) at(s.at, problem);
  }
  const literalAt = new Set(strings.map((s) => s.at));
  for (const m of code.matchAll(/\bimport\s*\(\s*/g)) {
    if (!literalAt.has(m.index + m[0].length)) at(m.index, "imports a module chosen at run time");
  }
  for (const [pattern, message] of FORBIDDEN) {
    for (const m of code.matchAll(pattern)) {
      at(m.index, message.replace(/\$(\d)/g, (_, g) => m[Number(g)] ?? ""));
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

async function* tsFiles(root: string, dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(`${root}/${dir}`));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) yield* tsFiles(root, path);
    else if (e.isFile && /\.(ts|tsx|js|mjs)$/.test(e.name)) yield path;
  }
}

/** Every violation under `root`'s core, in path and line order. */
export async function checkPurity(root: string): Promise<{ files: number; violations: Violation[] }> {
  const violations: Violation[] = [];
  let files = 0;
  for (const entry of CORE) {
    const paths = entry.endsWith("/") ? await Array.fromAsync(tsFiles(root, entry.slice(0, -1))) : [entry];
    for (const path of paths) {
      let source: string;
      try {
        source = await Deno.readTextFile(`${root}/${path}`);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) continue;
        throw e;
      }
      files++;
      violations.push(...violationsIn(path, source));
    }
  }
  return { files, violations };
}

if (import.meta.main) {
  const root = Deno.args[0] ?? new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const { files, violations } = await checkPurity(root);
  for (const v of violations) console.error(`${v.path}:${v.line}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`purity: ${violations.length} violation(s) in the core; see scripts/check_purity.ts`);
    Deno.exit(1);
  }
  console.log(`purity: ${files} core files import no edge, do no I/O and read no clock`);
}
