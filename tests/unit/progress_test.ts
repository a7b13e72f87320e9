import { assertEquals } from "../assert.ts";
import { rateText } from "../../src/util/progress.ts";

Deno.test("a progress rate shows whole numbers from ten a second and two figures below", () => {
  assertEquals(
    [1_234_567.8, 10.4, 9.96, 2.345, 0.2134, 0.004567, 0, NaN].map(rateText),
    ["1,234,568/s", "10/s", "10/s", "2.3/s", "0.21/s", "0.0046/s", "0/s", "0/s"],
  );
});
