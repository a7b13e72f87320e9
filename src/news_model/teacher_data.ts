/**
 * Teacher-labelled headlines for distillation and evaluation, in the format of the news-signal
 * datasets: one JSON object per line, `input` the headline and `output` the teacher's answer
 * `{"news_signals":[{"coin":"BTC","signal":1}, ...]}` (a JSON string or an object). Each
 * (headline, coin) pair is one example; a headline the teacher tied to no coin gives none.
 *
 * Teachers have label habits, and several files are read together, so their labels are
 * reconciled per teacher (a `teacher_model_name` within a file; the file when lines name none):
 * - A teacher that writes 0 for under 5% of its signals lists only the coins a headline is
 *   relevant to (the course's instruction: "do not output data for a given coin if the news is
 *   not relevant to it"). Each coin it lists is an example, its rare 0 included (it chose to
 *   list that coin as neutral); a coin it leaves out is not taken as neutral, so it contributes
 *   no neutral example of its own making.
 * - A teacher that writes 0 more often lists every coin it was shown, padding with 0 (the
 *   llama3.2 file gives `BTC 0, ETH 0, XRP 0` to an NFT tweet). Its 0 for a coin the headline
 *   does not name (the coins the news task would pick: its tagged ones, else the coin dictionary's,
 *   transforms/coins.ts) is padding and is dropped: the news task would never give that coin a
 *   signal from that headline. Its 0 for a named coin, and every ±1, are kept. A line that carries
 *   its headline's tagged coins (`currencies`, as `news:label` writes them) names those instead.
 * A headline labelled by several teachers gives an example per teacher.
 */
import { fileLines } from "../sources/files/line_stream.ts";
import { coinsOf } from "../transforms/tagged_coins.ts";

/** Class indices of the classifier's output, in `logits` order. */
export const LABELS = ["bearish", "neutral", "bullish"] as const;

export function labelOf(signal: -1 | 0 | 1): number {
  return signal + 1;
}

/** Below this share of 0 among its signals, a teacher lists only relevant coins. */
export const RELEVANT_ONLY_ZERO_SHARE = 0.05;

export type Habit = "lists relevant coins" | "lists every coin";

export interface TeacherExample {
  headline: string;
  coin: string;
  /** Index into LABELS. */
  label: number;
}

/** What was found of one teacher's habit, and what reconciling it dropped. */
export interface TeacherHabit {
  teacher: string;
  file: string;
  headlines: number;
  signals: number;
  zeros: number;
  habit: Habit;
  /** Padding zeros dropped (coins the headline does not name). */
  dropped: number;
}

export interface TeacherData {
  examples: TeacherExample[];
  /** Lines read, lines skipped as unreadable (with the first few reasons), headlines with no coin. */
  lines: number;
  skipped: number;
  reasons: string[];
  noCoin: number;
  teachers: string[];
  habits: TeacherHabit[];
}

/** One readable line: its headline, the teacher's signals and who gave them. */
export interface TeacherLine {
  headline: string;
  signals: { coin: string; signal: -1 | 0 | 1 }[];
  teacher: string | null;
  /** The tickers the headline's source tagged, when the line carries them (upper case). */
  currencies: string[];
}

/** Parses one line; throws a message naming what is wrong. */
export function parseTeacherLine(text: string): TeacherLine {
  const row = JSON.parse(text) as Record<string, unknown>;
  const headline = typeof row.input === "string" ? row.input.trim() : "";
  if (headline.length === 0) throw new Error("input (the headline) is missing or empty");
  let output = row.output;
  if (typeof output === "string") {
    try {
      output = JSON.parse(output);
    } catch {
      throw new Error("output is not JSON");
    }
  }
  const list = (output as { news_signals?: unknown } | null)?.news_signals;
  if (!Array.isArray(list)) throw new Error("output has no news_signals list");
  const seen = new Set<string>();
  const signals = list.map((s: { coin?: unknown; signal?: unknown }) => {
    const coin = typeof s?.coin === "string" ? s.coin.trim().toUpperCase() : "";
    const signal = Number(s?.signal);
    if (!/^[A-Z0-9]{2,10}$/.test(coin)) throw new Error(`coin is invalid: ${JSON.stringify(s?.coin)}`);
    if (signal !== -1 && signal !== 0 && signal !== 1) {
      throw new Error(`signal is not -1, 0 or 1: ${JSON.stringify(s?.signal)}`);
    }
    return { coin, signal: signal as -1 | 0 | 1 };
  }).filter((s) => !seen.has(s.coin) && seen.add(s.coin)); // a coin listed twice: the first counts
  const teacher = typeof row.teacher_model_name === "string" ? row.teacher_model_name : null;
  const currencies = Array.isArray(row.currencies)
    ? row.currencies.filter((c): c is string => typeof c === "string").map((c) => c.trim().toUpperCase())
    : [];
  return { headline, signals, teacher, currencies };
}

/** A teacher's habit from how often it writes 0. */
export function habitOf(signals: number, zeros: number): Habit {
  return signals > 0 && zeros / signals >= RELEVANT_ONLY_ZERO_SHARE
    ? "lists every coin"
    : "lists relevant coins";
}

/**
 * The examples of `lines` (all from `file`), each teacher's habit reconciled as the module doc
 * says; `raw` keeps every listed signal as it was written.
 */
export function reconcile(
  file: string,
  lines: readonly TeacherLine[],
  { raw = false } = {},
): { examples: TeacherExample[]; habits: TeacherHabit[] } {
  const byTeacher = new Map<string, TeacherLine[]>();
  for (const line of lines) {
    const key = line.teacher ?? file;
    const own = byTeacher.get(key);
    if (own) own.push(line);
    else byTeacher.set(key, [line]);
  }
  const examples: TeacherExample[] = [];
  const habits: TeacherHabit[] = [];
  for (const [teacher, own] of byTeacher) {
    const signals = own.reduce((n, l) => n + l.signals.length, 0);
    const zeros = own.reduce((n, l) => n + l.signals.filter((s) => s.signal === 0).length, 0);
    const habit = habitOf(signals, zeros);
    let dropped = 0;
    for (const line of own) {
      const named = habit === "lists every coin" && !raw
        ? new Set(coinsOf({ title: line.headline, currencies: line.currencies }))
        : undefined;
      for (const s of line.signals) {
        if (named !== undefined && s.signal === 0 && !named.has(s.coin)) {
          dropped++;
          continue;
        }
        examples.push({ headline: line.headline, coin: s.coin, label: labelOf(s.signal) });
      }
    }
    habits.push({ teacher, file, headlines: own.length, signals, zeros, habit, dropped });
  }
  return { examples, habits };
}

/**
 * Reads teacher files (`.jsonl`, or `.jsonl.gz`) and reconciles each teacher's habit (`raw`: keeps
 * the labels as written); unreadable lines are counted, not fatal.
 */
export async function readTeacherData(
  paths: readonly string[],
  { raw = false } = {},
): Promise<TeacherData> {
  const data: TeacherData = {
    examples: [],
    lines: 0,
    skipped: 0,
    reasons: [],
    noCoin: 0,
    teachers: [],
    habits: [],
  };
  const teachers = new Set<string>();
  for (const path of paths) {
    let lines: ReadableStream<{ n: number; text: string }>;
    try {
      lines = await fileLines(path);
    } catch (e) {
      throw new Error(`cannot read teacher data ${path}: ${(e as Error).message}`, { cause: e });
    }
    const parsed: TeacherLine[] = [];
    for await (const line of lines) {
      data.lines++;
      try {
        parsed.push(parseTeacherLine(line.text));
      } catch (e) {
        data.skipped++;
        if (data.reasons.length < 5) data.reasons.push(`${path}:${line.n}: ${(e as Error).message}`);
      }
    }
    for (const p of parsed) {
      if (p.teacher) teachers.add(p.teacher);
      if (p.signals.length === 0) data.noCoin++;
    }
    const { examples, habits } = reconcile(path, parsed, { raw });
    for (const e of examples) data.examples.push(e);
    data.habits.push(...habits);
  }
  data.teachers = [...teachers].sort();
  return data;
}
