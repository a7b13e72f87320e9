/**
 * A list flag given several times (`--data a.jsonl --data b.jsonl`) as the one comma list the
 * flag parser reads (`--data=a.jsonl,b.jsonl`); without this, the last occurrence would win
 * silently.
 */

/**
 * `args` with every `--name value` and `--name=value` merged into one `--name=v1,v2` at the
 * place of the first.
 *
 * @example
 * ```ts
 * joinRepeated(["--data", "a", "--json", "--data=b"], "data"); // ["--data=a,b", "--json"]
 * ```
 */
export function joinRepeated(args: readonly string[], name: string): string[] {
  const flag = `--${name}`;
  const values: string[] = [];
  const out: string[] = [];
  let at = -1;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    let value: string | undefined;
    // A flag followed by no value, or by another flag, is left for the parser to refuse.
    if (arg === flag && i + 1 < args.length && !args[i + 1]!.startsWith("--")) value = args[++i]!;
    else if (arg.startsWith(`${flag}=`)) value = arg.slice(flag.length + 1);
    if (value === undefined) {
      out.push(arg);
      continue;
    }
    if (at < 0) {
      at = out.length;
      out.push("");
    }
    values.push(value);
  }
  if (at >= 0) out[at] = `${flag}=${values.join(",")}`;
  return out;
}
