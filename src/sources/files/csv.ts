/**
 * Splits one CSV record (RFC 4180 quoting; a quoted field may hold commas and doubled quotes).
 * Records spanning lines are not supported: trade files never have them.
 *
 * @example
 * ```ts
 * splitCsv('a,"b,c",d'); // ["a", "b,c", "d"]
 * ```
 */
export function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out;
}
