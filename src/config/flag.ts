/**
 * The typed flag builder. One declaration gives everything about a flag: the option parseArgs
 * needs, the type of the parsed value, the check with its one-line error, the environment
 * variable read when the flag is absent, the default and the `--help` line.
 *
 * A flag with a `default` or `required` always has a value; any other is `T | undefined`.
 *
 * @example
 * ```ts
 * const FLAGS = {
 *   graceMs: flag.seconds("grace", { min: 0, default: "5", help: "seconds late trades are accepted" }),
 *   from: flag.time("from", { help: "start time (ISO 8601 or epoch ms)" }),
 * };
 * const cfg = parseFlags(FLAGS, ["--grace", "2"], denoEnv); // { graceMs: 2000, from: undefined }
 * ```
 */
import { isWindow, parseWindows, type Window, WINDOWS } from "../domain/candle.ts";
import { parsePair } from "../domain/pair.ts";
import { parseTime } from "../domain/time.ts";
import { ConfigError } from "./config_error.ts";

export interface FlagOptions {
  /** The flag's line in `--help`. */
  help: string;
  /** Environment variable read when the flag is absent (an empty one counts as absent). */
  env?: string;
  /** The text parsed when neither the flag nor `env` gives one; `--help` shows it. */
  default?: string;
  /** Without a value the task fails; a string is added to that error, e.g. " (a file, or - for stdout)". */
  required?: true | string;
}

type Always<O> = O extends { default: string } ? true : O extends { required: true | string } ? true : false;

/** `T` when the options guarantee a value, else `T | undefined`. */
export type Value<T, O> = Always<O> extends true ? T : T | undefined;

/** Turns a flag's text into its value; a bad value throws a RangeError whose message follows `--name: `. */
export type Parser<T> = (raw: string) => T;

export class Flag<T> {
  readonly name: string;
  readonly kind: "string" | "boolean";
  readonly help: string;
  readonly env: string | undefined;
  readonly default: string | undefined;
  readonly #required: true | string | undefined;
  readonly #parse: Parser<unknown>;

  /** Whether the task fails without a value (`--help` says so). */
  get required(): boolean {
    return this.#required !== undefined;
  }

  constructor(name: string, kind: "string" | "boolean", o: FlagOptions, parse: Parser<unknown>) {
    this.name = name;
    this.kind = kind;
    this.help = o.help;
    this.env = o.env;
    this.default = o.default;
    this.#required = o.required;
    this.#parse = parse;
  }

  /**
   * The value of `raw`: the flag's text from the command line, else from `env`, else the default
   * (`true` or undefined for a boolean flag).
   */
  parse(raw: string | boolean | undefined): T {
    if (this.kind === "boolean") return (raw === true) as T;
    // An empty value where one is needed is a missing value, not something to parse.
    const needed = this.#required !== undefined || (this.default !== undefined && this.default !== "");
    if (raw === undefined || (raw === "" && needed)) {
      if (!needed) return undefined as T;
      // `--pairs ""` on a flag with a default: the flag was given, only its value is missing.
      if (this.#required === undefined) throw new ConfigError(`--${this.name} needs a value`);
      const why = typeof this.#required === "string" ? this.#required : "";
      throw new ConfigError(`--${this.name} is required${why}`);
    }
    try {
      return this.#parse(String(raw)) as T;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new ConfigError(`--${this.name}: ${e.message}`, { cause: e });
    }
  }

  /** The same flag with a task's own help line, environment variable or default. */
  with<O extends Partial<FlagOptions>>(o: O): Flag<Always<O> extends true ? Exclude<T, undefined> : T> {
    const options: FlagOptions = { help: o.help ?? this.help };
    const env = o.env ?? this.env;
    const fallback = o.default ?? this.default;
    const required = o.required ?? this.#required;
    if (env !== undefined) options.env = env;
    if (fallback !== undefined) options.default = fallback;
    if (required !== undefined) options.required = required;
    return new Flag(this.name, this.kind, options, this.#parse);
  }
}

interface NumberOptions extends FlagOptions {
  /** Smallest value allowed. */
  min?: number;
  /** Values must be below this. */
  below?: number;
  integer?: boolean;
  positive?: boolean;
}

function toNumber(o: NumberOptions): Parser<number> {
  const { min = -Infinity, below = Infinity, integer = false, positive = false } = o;
  const what = `${positive ? "a positive" : "a"}${integer ? "n integer" : " number"}${
    min > -Infinity ? ` >= ${min}` : ""
  }`;
  return (raw) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || (positive && n <= 0)) {
      throw new RangeError(`'${raw}' is not ${what}`);
    }
    if (n >= below) throw new RangeError(`'${raw}' must be below ${below}`);
    return n;
  };
}

interface ListOptions extends FlagOptions {
  /** Checks and converts one item. @default the item's text */
  item?: Parser<unknown>;
}

type ItemOf<O> = O extends { item: Parser<infer T> } ? T : string;

function define<T, O extends FlagOptions>(name: string, o: O, parse: Parser<T>): Flag<Value<T, O>> {
  return new Flag(name, "string", o, parse);
}

const DURATION_MS = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 } as const;

interface DurationOptions extends FlagOptions {
  /** The shortest duration allowed, written as the flag's value is (e.g. `10s`). */
  min?: string;
}

function toDurationMs(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(raw);
  if (!m) throw new RangeError(`'${raw}' is not a duration such as 90m, 12h or 2d`);
  const ms = Number(m[1]) * DURATION_MS[(m[2] ?? "s") as keyof typeof DURATION_MS];
  if (!(ms > 0)) throw new RangeError(`'${raw}' is not a positive duration such as 90m, 12h or 2d`);
  return ms;
}

function splitList(raw: string): string[] {
  return raw.split(",").map((s) => s.trim()).filter(Boolean);
}

function onePair(text: string): string {
  try {
    return parsePair(text);
  } catch {
    throw new RangeError(`'${text}' is not a pair like BTC/USD`);
  }
}

/** The flag builders; each takes the flag's name (without `--`) and its {@linkcode FlagOptions}. */
export const flag = {
  /** Present or absent; never takes a value. */
  boolean(name: string, o: { help: string }): Flag<boolean> {
    return new Flag<boolean>(name, "boolean", o, () => true);
  },

  /** Any text. */
  string<const O extends FlagOptions>(name: string, o: O): Flag<Value<string, O>> {
    return define(name, o, (raw) => raw);
  },

  /** Text checked and converted by `parse`, for a flag no other builder fits. */
  custom<T, const O extends FlagOptions>(name: string, o: O, parse: Parser<T>): Flag<Value<T, O>> {
    return define(name, o, parse);
  },

  /** A number within the given bounds. */
  number<const O extends NumberOptions>(name: string, o: O): Flag<Value<number, O>> {
    return define(name, o, toNumber(o));
  },

  /** A number of seconds, given to the task in milliseconds. */
  seconds<const O extends NumberOptions>(name: string, o: O): Flag<Value<number, O>> {
    const seconds = toNumber(o);
    return define(name, o, (raw) => seconds(raw) * 1000);
  },

  /** `90m`, `12h`, `2d` (or plain seconds), given to the task in milliseconds. */
  duration<const O extends DurationOptions>(name: string, o: O): Flag<Value<number, O>> {
    const least = o.min === undefined ? 0 : toDurationMs(o.min);
    return define(name, o, (raw) => {
      const ms = toDurationMs(raw);
      if (ms < least) throw new RangeError(`'${raw}' is shorter than ${o.min}`);
      return ms;
    });
  },

  /** A TCP port, 0 (any free port) to 65535. */
  port<const O extends FlagOptions>(name: string, o: O): Flag<Value<number, O>> {
    const integer = toNumber({ ...o, min: 0, integer: true });
    return define(name, o, (raw) => {
      const port = integer(raw);
      if (port > 65535) throw new RangeError(`'${raw}' is not a port (0-65535)`);
      return port;
    });
  },

  /** One of `choices`. */
  oneOf<const C extends string, const O extends FlagOptions>(
    name: string,
    choices: readonly C[],
    o: O,
  ): Flag<Value<C, O>> {
    return define(name, o, (raw) => {
      if (!(choices as readonly string[]).includes(raw)) {
        throw new RangeError(`'${raw}' is not one of ${choices.join(", ")}`);
      }
      return raw as C;
    });
  },

  /** A URL with one of `schemes` (e.g. `["ws:", "wss:"]`), without trailing slashes. */
  url<const O extends FlagOptions>(name: string, schemes: readonly string[], o: O): Flag<Value<string, O>> {
    return define(name, o, (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new RangeError(`'${raw}' is not a URL`);
      }
      if (!schemes.includes(url.protocol)) {
        throw new RangeError(`'${raw}' must start with ${schemes.map((s) => `${s}//`).join(" or ")}`);
      }
      return raw.replace(/\/+$/, "");
    });
  },

  /** A time, ISO 8601 or epoch ms, as epoch ms. */
  time<const O extends FlagOptions>(name: string, o: O): Flag<Value<number, O>> {
    return define(name, o, (raw) => {
      // 9 or 10 digits are epoch seconds of 1973..2286, as Kraken writes times; read as ms they
      // would be a day of 1970, and a backfill would start there.
      if (/^\d{9,10}$/.test(raw.trim())) {
        throw new RangeError(
          `'${raw}' looks like epoch seconds; give epoch ms (${raw.trim()}000) or ISO 8601`,
        );
      }
      return parseTime(raw);
    });
  },

  /** One pair, normalised to `BTC/USD`. */
  pair<const O extends FlagOptions>(name: string, o: O): Flag<Value<string, O>> {
    return define(name, o, onePair);
  },

  /** Comma-separated pairs, normalised to `BTC/USD` and without repeats. */
  pairs<const O extends FlagOptions>(name: string, o: O): Flag<Value<string[], O>> {
    return define(name, o, (raw) => {
      const list = splitList(raw);
      if (list.length === 0) throw new RangeError("no pair given");
      return [...new Set(list.map(onePair))];
    });
  },

  /** One candle window. */
  window<const O extends FlagOptions>(name: string, o: O): Flag<Value<Window, O>> {
    // Read as one item of --windows is, so both say the same of the same text.
    return define(name, o, (raw) => {
      const text = raw.trim();
      if (!isWindow(text)) throw new RangeError(`'${text}' is not a window (one of ${WINDOWS.join(", ")})`);
      return text;
    });
  },

  /** Comma-separated candle windows, smallest first. */
  windows<const O extends FlagOptions>(name: string, o: O): Flag<Value<Window[], O>> {
    return define(name, o, parseWindows);
  },

  /** Comma-separated items (blank ones dropped), each checked and converted by `item`. */
  list<const O extends ListOptions>(name: string, o: O): Flag<Value<ItemOf<O>[], O>> {
    const item = o.item ?? ((s: string) => s);
    return define(name, o, (raw) => splitList(raw).map(item) as ItemOf<O>[]);
  },
};
