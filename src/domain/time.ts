/** Time helpers. Everything in the system is epoch milliseconds (UTC); nothing here reads the clock. */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a time given as ISO 8601 (a zone-less one is UTC) or epoch milliseconds.
 * Throws a `RangeError` naming the input when it is neither.
 *
 * @example
 * ```ts
 * parseTime("2019-07-01T00:00:00Z"); // 1561939200000
 * parseTime("1561939200000"); // 1561939200000
 * ```
 */
export function parseTime(input: string): number {
  const text = input.trim();
  if (/^\d+$/.test(text)) {
    const ms = Number(text);
    if (Number.isSafeInteger(ms)) return ms;
  } else if (ISO_DATE.test(text)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) || text.length <= 10 ? text : `${text}Z`;
    const ms = Date.parse(zoned.replace(" ", "T"));
    if (Number.isFinite(ms)) return ms;
  }
  throw new RangeError(`'${input}' is not a time (ISO 8601 or epoch ms)`);
}

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian), without `Date`. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}

/**
 * Parses Kraken's RFC 3339 UTC timestamps (`2023-09-25T07:48:36.925533Z`) to epoch ms, truncating
 * sub-millisecond digits. Returns `NaN` for anything else. Several times faster than `Date.parse`,
 * which matters at trade rate.
 *
 * @example
 * ```ts
 * rfc3339ToMs("2019-07-01T00:00:03.172Z"); // 1561939203172
 * ```
 */
export function rfc3339ToMs(s: string): number {
  const n = s.length;
  if (
    n < 20 || s.charCodeAt(n - 1) !== 90 /* Z */ || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58
  ) {
    return NaN;
  }
  const y = digits(s, 0, 4), mo = digits(s, 5, 7), d = digits(s, 8, 10);
  const h = digits(s, 11, 13), mi = digits(s, 14, 16), sec = digits(s, 17, 19);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return NaN;
  let ms = 0;
  if (n > 20) {
    if (s.charCodeAt(19) !== 46 /* . */ || n < 22) return NaN;
    const end = n - 1;
    const frac = digits(s, 20, end);
    if (Number.isNaN(frac)) return NaN;
    const len = end - 20;
    ms = len >= 3 ? Math.floor(frac / 10 ** (len - 3)) : frac * 10 ** (3 - len);
  } else if (n !== 20) return NaN;
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + sec * 1000 + ms;
}

/**
 * Epoch seconds as Kraken REST sends them (`1688669597.8277369`) to epoch ms, truncating below the
 * millisecond. Works from the number's shortest decimal text, so the result is the truncation of
 * the decimal Kraken wrote, never an artefact of binary floating point.
 */
export function epochSecondsToMs(seconds: number): number {
  const text = String(seconds);
  const dot = text.indexOf(".");
  if (dot < 0 || text.includes("e")) return Math.floor(seconds * 1000);
  const whole = Number(text.slice(0, dot));
  const frac = (text.slice(dot + 1) + "000").slice(0, 3);
  return whole * 1000 + (seconds < 0 ? -Number(frac) : Number(frac));
}

/** Epoch ms as an ISO 8601 string, for logs and messages. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
