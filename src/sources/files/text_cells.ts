/**
 * Reading the cells of a line in place (`text` from `start` to `end`), without cutting them out
 * as strings, for the fast paths of the trade file formats. Each reader accepts only the plainest
 * spelling of its value and answers `NaN` or `undefined` for anything else, so that the caller
 * hands the line to the general parser, which reads or refuses it and names the problem.
 */
import { normalisePair } from "../../domain/pair.ts";

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Digits with at most one `.` that has digits on both sides (`123`, `0.00012`), 15 digits at most;
 * `NaN` for anything else. Within 15 digits the digits as an integer and the power of ten are both
 * exact doubles, so one correctly rounded division gives the double nearest the decimal: the same
 * one `Number()` gives for the same text.
 */
export function plainDecimal(text: string, start: number, end: number): number {
  const length = end - start;
  if (length <= 0 || length > 16) return NaN;
  let m = 0;
  let dot = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) m = m * 10 + (c - 48);
    else if (c === 46 && dot < 0) dot = i;
    else return NaN;
  }
  if (dot < 0) return length > 15 ? NaN : m;
  if (dot === start || dot === end - 1) return NaN;
  return m / (POW10[end - dot - 1] as number);
}

/** Digits only, 15 at most, as a number; `NaN` for anything else. */
export function plainInteger(text: string, start: number, end: number): number {
  const length = end - start;
  if (length <= 0 || length > 15) return NaN;
  let m = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    m = m * 10 + c;
  }
  return m;
}

/**
 * A number cell as `Number()` reads it, for cells of digits, dots, signs and exponents only (no
 * spaces, hex or `Infinity`, which the general parser reads); `NaN` for any other cell, and for
 * one too large for a double.
 */
export function numberCell(text: string, start: number, end: number): number {
  const plain = plainDecimal(text, start, end);
  if (!Number.isNaN(plain)) return plain;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c < 48 || c > 57) && c !== 46 && c !== 101 && c !== 69 && c !== 43 && c !== 45) return NaN;
  }
  return end > start ? finite(Number(text.slice(start, end))) : NaN;
}

/** An overflow to `Infinity` is no value a trade may have: the general parser names the problem. */
function finite(n: number): number {
  return n === Infinity ? NaN : n;
}

/** Reads unsigned JSON numbers, leaving in `end` where the last one read ends. */
export class JsonNumbers {
  end = 0;

  /** The number at `start` (before `limit`), as `JSON.parse` reads it; `NaN` when none is there. */
  read(text: string, start: number, limit: number): number {
    let i = start;
    let m = 0;
    let dot = -1;
    for (; i < limit; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) m = m * 10 + (c - 48);
      else if (c === 46 && dot < 0) dot = i;
      else break;
    }
    this.end = i;
    const length = i - start;
    const next = text.charCodeAt(i);
    if (
      length > 0 && length <= 16 && next !== 101 && next !== 69 && dot !== start && dot !== i - 1 &&
      (text.charCodeAt(start) !== 48 || length === 1 || dot === start + 1)
    ) {
      if (dot < 0) {
        if (length <= 15) return m;
      } else return m / (POW10[i - dot - 1] as number);
    }
    // An exponent, a long mantissa or a malformed number: JSON's grammar decides.
    const end = jsonNumberEnd(text, start, limit);
    if (end < 0) return NaN;
    this.end = end;
    return finite(Number(text.slice(start, end)));
  }
}

/** Where the unsigned JSON number that starts at `start` ends (at most at `end`); -1 when none does. */
function jsonNumberEnd(text: string, start: number, end: number): number {
  if (start >= end) return -1;
  let i = start;
  let c = text.charCodeAt(i);
  if (c === 48) i++;
  else if (c > 48 && c <= 57) i = digitsEnd(text, i + 1, end);
  else return -1;
  if (i < end && text.charCodeAt(i) === 46) {
    const from = i + 1;
    i = digitsEnd(text, from, end);
    if (i === from) return -1;
  }
  if (i < end && ((c = text.charCodeAt(i)) === 101 || c === 69)) {
    i++;
    if (i < end && ((c = text.charCodeAt(i)) === 43 || c === 45)) i++;
    const from = i;
    i = digitsEnd(text, from, end);
    if (i === from) return -1;
  }
  return i;
}

function digitsEnd(text: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}

/**
 * Finds a word in a text read from its start to its end, searching each stretch of the text once:
 * `indexOf` scans far faster than a loop over `charCodeAt`, and remembering where it stopped keeps
 * lines that lack the word from each scanning on to the end of the text.
 */
export class Finder {
  readonly #word: string;
  readonly length: number;
  #next = -1;

  constructor(word: string) {
    this.#word = word;
    this.length = word.length;
  }

  /** Forgets the text read so far; for a new text. */
  reset(): void {
    this.#next = -1;
  }

  /**
   * Where the word next is at or after `from`, or the text's length when it is nowhere after
   * (a small integer, unlike `Infinity`, keeps the field unboxed). `from` may not go back between
   * resets.
   */
  next(text: string, from: number): number {
    if (this.#next < from) {
      const i = text.indexOf(this.#word, from);
      this.#next = i < 0 ? text.length : i;
    }
    return this.#next;
  }

  /** Whether the word is at `at`. */
  at(text: string, at: number): boolean {
    return this.next(text, at) === at;
  }
}

/** A word to look for, as char codes: comparing them in a loop beats `startsWith` several times. */
export type Word = Int32Array;

export function word(text: string): Word {
  return Int32Array.from(text, (c) => c.charCodeAt(0));
}

/** Whether `text` holds `w` at `at`. */
export function hasWord(text: string, at: number, w: Word): boolean {
  const n = w.length;
  if (at + n > text.length) return false;
  for (let k = 0; k < n; k++) if (text.charCodeAt(at + k) !== w[k]) return false;
  return true;
}

/** Whether the cell is exactly `w`. */
export function cellIs(text: string, start: number, end: number, w: Word): boolean {
  return end - start === w.length && hasWord(text, start, w);
}

const PAIR = /^[A-Z0-9]{2,10}\/[A-Z0-9]{2,10}$/;
/** What a pair cell may hold to be read here: printable ASCII but a space, quote, comma or backslash. */
const PLAIN = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]+$/;
const MAX_PAIRS = 16;

/**
 * The pairs of a file, normalised once per spelling: a file holds a handful of pairs, each
 * written the same way on every line, so a cell is compared with the spellings already seen.
 */
export class PairCells {
  #raw: Word[] = [];
  #pair: string[] = [];

  /** The normalised pair the cell names; `undefined` when it is not a plainly written valid pair. */
  at(text: string, start: number, end: number): string | undefined {
    for (let k = 0; k < this.#raw.length; k++) {
      if (cellIs(text, start, end, this.#raw[k] as Word)) return this.#pair[k];
    }
    const raw = text.slice(start, end);
    if (!PLAIN.test(raw)) return undefined;
    const pair = normalisePair(raw);
    if (pair === null || !PAIR.test(pair)) return undefined;
    if (this.#raw.length < MAX_PAIRS) {
      this.#raw.push(word(raw));
      this.#pair.push(pair);
    }
    return pair;
  }
}
