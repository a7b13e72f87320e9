/**
 * Teacher-labelled headlines for distillation, in the format of the news-signal datasets:
 * one JSON object per line, `input` the headline and `output` the teacher's answer
 * `{"news_signals":[{"coin":"BTC","signal":1}, ...]}` (a JSON string or an object). Each
 * (headline, coin) pair is one example; a headline the teacher tied to no coin gives none.
 */
import { fileLines } from "../sources/files/line_stream.ts";

/** Class indices of the classifier's output, in `logits` order. */
export const LABELS = ["bearish", "neutral", "bullish"] as const;

export function labelOf(signal: -1 | 0 | 1): number {
  return signal + 1;
}

export interface TeacherExample {
  headline: string;
  coin: string;
  /** Index into LABELS. */
  label: number;
}

export interface TeacherData {
  examples: TeacherExample[];
  /** Lines read, lines skipped as unreadable (with the first few reasons), headlines with no coin. */
  lines: number;
  skipped: number;
  reasons: string[];
  noCoin: number;
  teachers: string[];
}

/** Parses one line; throws a message naming what is wrong. */
export function parseTeacherLine(
  text: string,
): { headline: string; signals: { coin: string; signal: -1 | 0 | 1 }[]; teacher: string | null } {
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
  const signals = list.map((s: { coin?: unknown; signal?: unknown }) => {
    const coin = typeof s?.coin === "string" ? s.coin.trim().toUpperCase() : "";
    const signal = Number(s?.signal);
    if (!/^[A-Z0-9]{2,10}$/.test(coin)) throw new Error(`coin is invalid: ${JSON.stringify(s?.coin)}`);
    if (signal !== -1 && signal !== 0 && signal !== 1) {
      throw new Error(`signal is not -1, 0 or 1: ${JSON.stringify(s?.signal)}`);
    }
    return { coin, signal: signal as -1 | 0 | 1 };
  });
  const teacher = typeof row.teacher_model_name === "string" ? row.teacher_model_name : null;
  return { headline, signals, teacher };
}

/** Reads teacher files (`.jsonl`, or `.jsonl.gz`); unreadable lines are counted, not fatal. */
export async function readTeacherData(paths: readonly string[]): Promise<TeacherData> {
  const data: TeacherData = { examples: [], lines: 0, skipped: 0, reasons: [], noCoin: 0, teachers: [] };
  const teachers = new Set<string>();
  for (const path of paths) {
    let lines: ReadableStream<{ n: number; text: string }>;
    try {
      lines = await fileLines(path);
    } catch (e) {
      throw new Error(`cannot read teacher data ${path}: ${(e as Error).message}`, { cause: e });
    }
    for await (const line of lines) {
      data.lines++;
      let parsed;
      try {
        parsed = parseTeacherLine(line.text);
      } catch (e) {
        data.skipped++;
        if (data.reasons.length < 5) data.reasons.push(`${path}:${line.n}: ${(e as Error).message}`);
        continue;
      }
      if (parsed.teacher) teachers.add(parsed.teacher);
      if (parsed.signals.length === 0) data.noCoin++;
      const seen = new Set<string>();
      for (const s of parsed.signals) {
        if (seen.has(s.coin)) continue;
        seen.add(s.coin);
        data.examples.push({ headline: parsed.headline, coin: s.coin, label: labelOf(s.signal) });
      }
    }
  }
  data.teachers = [...teachers].sort();
  return data;
}
