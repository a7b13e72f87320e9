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
  // Most trade lines have no quotes at all: split them without the full parser.
  if (!line.includes('"')) return line.split(",");
  return parseCsv(line)[0] ?? [""];
}

/**
 * Splits a whole CSV text into records, honouring quoted fields that span lines (RFC 4180). For
 * files read whole, such as scraped news with multi-line posts; empty records are dropped.
 *
 * @example
 * ```ts
 * parseCsv('a,b\n1,"x\ny"\n'); // [["a", "b"], ["1", "x\ny"]]
 * ```
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      if (record.length > 1 || record[0] !== "") records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  record.push(field);
  if (record.length > 1 || record[0] !== "") records.push(record);
  return records;
}
