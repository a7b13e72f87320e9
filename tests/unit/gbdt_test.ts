import { assert, assertEquals, assertThrows } from "../assert.ts";
import { fitGbdt, type GbdtParams, predictGbdt } from "../../src/model/gbdt.ts";
import { binMatrix } from "../../src/model/bins.ts";
import { addRows, BINS } from "../../src/model/histogram.ts";
import { checkParity, gbdtOnnx } from "../../src/registry/onnx_export.ts";
import { seededRandom } from "../../src/util/random.ts";

/** A smooth part, an interaction, a feature with 5 values (ties), and noise. */
function data(n: number, F: number, seed: number) {
  const r = seededRandom(seed);
  const X = new Float64Array(n * F), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) X[i * F + f] = f === 3 ? Math.floor(r() * 5) : r() * 2 - 1;
    y[i] = Math.sin(3 * X[i * F]!) + X[i * F + 1]! * X[i * F + 2]! + 0.2 * X[i * F + 3]! + 0.3 * (r() - 0.5);
  }
  return { X, y };
}

async function digest(value: unknown): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(value)));
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("binMatrix puts each value in the bin a float32 threshold comparison gives it", () => {
  const r = seededRandom(5);
  const n = 3000, nFit = 2500, F = 4;
  const X = new Float64Array(n * F);
  for (let i = 0; i < n; i++) {
    X[i * F] = r() * 2 - 1; // continuous
    X[i * F + 1] = Math.floor(r() * 7) - 3; // ties, and −0 beside +0 below
    X[i * F + 2] = i % 97 === 0 ? NaN : Math.exp(10 * r()); // a long tail, and NaN
    // The held-out rows reach beyond every fitted value.
    X[i * F + 3] = i < nFit ? r() : 1 + r();
  }
  for (let i = 0; i < n; i += 13) X[i * F + 1] = i % 26 === 0 ? -0 : 0;
  const { edges, bins } = binMatrix(X, n, nFit, F, 255);
  for (let f = 0; f < F; f++) {
    // Edges: the float32 quantiles of the fitted rows, as a plain sort gives them.
    const sorted = Float32Array.from({ length: nFit }, (_, i) => X[i * F + f]!).sort();
    const expected: number[] = [];
    for (let b = 1; b <= 255; b++) {
      const v = sorted[Math.min(nFit - 1, Math.ceil((b * nFit) / 255) - 1)]!;
      if (expected.length === 0 || v > expected.at(-1)!) expected.push(v);
    }
    assertEquals([...edges[f]!], expected, `feature ${f} edges`);
    const e = edges[f]!;
    for (let i = 0; i < n; i++) {
      const bin = bins[f * n + i]!, x = Math.fround(X[i * F + f]!);
      assert(bin < e.length, `feature ${f} row ${i}: bin ${bin} of ${e.length}`);
      // "bin ≤ b" is "float32(x) ≤ edges[b]" for every split a tree can make (b below the last bin).
      for (let b = 0; b < e.length - 1; b++) {
        assertEquals(bin <= b, x <= e[b]!, `feature ${f} row ${i} (x = ${x}) at bin ${b}`);
      }
    }
  }
});

Deno.test("addRows sums each chosen column's gradients and counts per bin, for any number of columns", () => {
  const r = seededRandom(8);
  const n = 500, F = 11;
  const bins = Uint8Array.from({ length: n * F }, () => Math.floor(r() * 256));
  const gradients = Float64Array.from({ length: n }, () => r() - 0.5);
  const rows = Uint32Array.from({ length: n }, (_, i) => i).filter(() => r() < 0.6);
  const start = 7, end = rows.length - 5;
  for (let nf = 1; nf <= F; nf++) {
    const features = Int32Array.from({ length: F }, (_, j) => (j * 5) % F);
    const sums = new Float64Array(F * BINS), counts = new Float64Array(F * BINS);
    addRows(sums, counts, {
      bins,
      n,
      features,
      nf,
      gradients,
      rows,
      start,
      end,
      ordered: new Float64Array(n),
    });
    const wantSums = new Float64Array(F * BINS), wantCounts = new Float64Array(F * BINS);
    for (let j = 0; j < nf; j++) {
      for (let k = start; k < end; k++) {
        const s = j * BINS + bins[features[j]! * n + rows[k]!]!;
        wantSums[s]! += gradients[rows[k]!]!;
        wantCounts[s]!++;
      }
    }
    assertEquals(sums, wantSums, `${nf} columns: sums`);
    assertEquals(counts, wantCounts, `${nf} columns: counts`);
  }
});

Deno.test("gbdt: the losses it reports are those of its own predictions, sampled rows or not", () => {
  const { X, y } = data(2000, 6, 3);
  const m = fitGbdt(X, y, 2000, 6, {
    rounds: 30,
    subsample: 0.6,
    colsample: 0.7,
    validationFraction: 0.2,
    earlyStoppingRounds: 1000,
  });
  // Every row, fitted on or not, moved by the trees as their float32 thresholds send it.
  const pred = predictGbdt(m, X, 2000, 6);
  let train = 0, valid = 0;
  for (let i = 0; i < 2000; i++) {
    const l = 0.5 * (pred[i]! - y[i]!) ** 2;
    if (i < 1600) train += l / 1600;
    else valid += l / 400;
  }
  const k = m.rounds - 1;
  assert(Math.abs(train - m.trainLoss[k]!) <= 1e-12 * train, `train ${train} vs ${m.trainLoss[k]}`);
  assert(Math.abs(valid - m.validLoss[k]!) <= 1e-12 * valid, `valid ${valid} vs ${m.validLoss[k]}`);
});

Deno.test("gbdt: a fixed seed fits exactly the trees it always has, for each loss", async () => {
  // Digests of the trees of the straightforward implementation (a histogram per node over row
  // objects); a faster one must grow the same trees, split for split and value for value.
  const expected = {
    l2: "22e6d82db82d94b26fc9931c73478e2149b7edf4f62c2f586cde6c5e3254d934",
    huber: "c426577ab0ef94e4d5077a74708bba2f209d6fa9699866f908fb84a4fedd59fc",
    l1: "fd88a816ca1d630bbf862702915ee1159ca134d0376263792afbec29f93cc3b8",
  };
  const { X, y } = data(3000, 11, 21);
  for (const loss of ["l2", "huber", "l1"] as const) {
    const params: Partial<GbdtParams> = {
      loss,
      rounds: 40,
      subsample: 0.7,
      colsample: 0.6,
      maxLeaves: 15,
      minSamplesLeaf: 10,
      seed: 3,
    };
    assertEquals(await digest(fitGbdt(X, y, 3000, 11, params).trees), expected[loss], loss);
  }
});

Deno.test("gbdt: its ONNX export predicts what the trees predict", async () => {
  const { X, y } = data(1500, 6, 4);
  const m = fitGbdt(X, y, 1500, 6, { rounds: 60, subsample: 0.8, colsample: 0.8 });
  const test = data(500, 6, 5);
  await checkParity(gbdtOnnx(m, 6, "test", {}), test.X, 500, 6, predictGbdt(m, test.X, 500, 6));
});

Deno.test("gbdt: maxBins below 1 is refused, naming the parameter", () => {
  const { X, y } = data(100, 3, 6);
  assertThrows(() => fitGbdt(X, y, 100, 3, { maxBins: 0 }), RangeError, "maxBins");
});

Deno.test("gbdt: the rows between its fitted rows and its early-stopping rows play no part", () => {
  const n = 1000, F = 4, gap = 5;
  const { X, y } = data(n, F, 21);
  // The early-stopping rows are the last 100; the 5 before them are the gap.
  const params = { rounds: 40, validationFraction: 0.1, earlyStoppingRounds: 5, validationGap: gap };
  const other = y.slice();
  for (let i = n - 100 - gap; i < n - 100; i++) other[i] = 50;
  const a = fitGbdt(X, y, n, F, params), b = fitGbdt(X, other, n, F, params);
  assertEquals(predictGbdt(b, X, n, F), predictGbdt(a, X, n, F));
  // Without the gap those rows are fitted, and the trees change.
  const c = fitGbdt(X, other, n, F, { ...params, validationGap: 0 });
  assert(predictGbdt(c, X, n, F).some((v, i) => v !== predictGbdt(a, X, n, F)[i]));
});
