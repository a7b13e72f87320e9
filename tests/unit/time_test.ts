import { assertEquals, assertThrows } from "../assert.ts";
import { epochSecondsToMs, parseTime, rfc3339ToMs } from "../../src/domain/time.ts";
import { prng } from "../helpers.ts";

Deno.test("rfc3339ToMs() agrees with Date.parse on 10,000 random microsecond timestamps", () => {
  const rnd = prng(7);
  for (let i = 0; i < 10_000; i++) {
    const ms = Math.floor(rnd() * 4_102_444_800_000); // 1970..2100
    const micros = String(Math.floor(rnd() * 1000)).padStart(3, "0");
    const text = new Date(ms).toISOString().replace("Z", `${micros}Z`);
    assertEquals(rfc3339ToMs(text), ms, text);
  }
});

Deno.test("rfc3339ToMs() truncates below the millisecond and reads short fractions", () => {
  assertEquals(rfc3339ToMs("2023-09-25T07:48:36.925533Z"), Date.parse("2023-09-25T07:48:36.925Z"));
  assertEquals(rfc3339ToMs("2023-09-25T07:48:36.9Z"), Date.parse("2023-09-25T07:48:36.900Z"));
  assertEquals(rfc3339ToMs("2023-09-25T07:48:36Z"), Date.parse("2023-09-25T07:48:36Z"));
  assertEquals(rfc3339ToMs("2024-11-12T06:50:16.753547123Z"), Date.parse("2024-11-12T06:50:16.753Z"));
});

Deno.test("rfc3339ToMs() returns NaN for anything else", () => {
  for (
    const bad of [
      "",
      "2023-09-25",
      "2023-09-25T07:48:36",
      "2023-09-25T07:48:36.925+01:00",
      "2023-13-25T07:48:36Z",
      "2023-09-25T25:48:36Z",
      "2023-09-25T07:48:36.Z",
      "2023-09-25T07:48:36.9x5Z",
      "yyyy-09-25T07:48:36Z",
    ]
  ) {
    assertEquals(Number.isNaN(rfc3339ToMs(bad)), true, bad);
  }
});

Deno.test("epochSecondsToMs() truncates the decimal seconds Kraken sends to whole milliseconds", () => {
  assertEquals(epochSecondsToMs(1561939203.172), 1561939203172);
  assertEquals(epochSecondsToMs(1688669597.8277369), 1688669597827);
  assertEquals(epochSecondsToMs(1688669597), 1688669597000);
  assertEquals(epochSecondsToMs(1688669597.5), 1688669597500);
  const rnd = prng(3);
  for (let i = 0; i < 10_000; i++) {
    const ms = 1_500_000_000_000 + Math.floor(rnd() * 300_000_000_000);
    assertEquals(epochSecondsToMs(ms / 1000), ms);
  }
});

Deno.test("parseTime() reads ISO 8601 (zone-less is UTC) and epoch ms, and names bad input", () => {
  assertEquals(parseTime("2019-07-01T00:00:00Z"), 1561939200000);
  assertEquals(parseTime("2019-07-01T00:00:00"), 1561939200000);
  assertEquals(parseTime("2019-07-01"), 1561939200000);
  assertEquals(parseTime("2019-07-01T02:00:00+02:00"), 1561939200000);
  assertEquals(parseTime("1561939200000"), 1561939200000);
  assertThrows(() => parseTime("yesterday"), RangeError, "'yesterday' is not a time");
});
