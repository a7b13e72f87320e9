import { assert, assertEquals } from "../assert.ts";
import type { ModelCard } from "../../src/domain/model_card.ts";
import type { BacktestReport } from "../../src/model/backtest.ts";
import { versionsTable } from "../../src/jobs/models_table.ts";
import { cardFor } from "../memory_ports.ts";

const metrics = { n: 100, rmse: 1, mae_return: 0.001 };

function card(version: string, over: Partial<ModelCard>): ModelCard {
  return { ...cardFor("BTC/USD", "1m", 1, version), ...over };
}

const ridge = card("v0001", {
  created_at: "2024-03-02T10:11:12.000Z",
  overall: {
    model: { ...metrics, mae: 1.23456, skill: 0.0123, directional_accuracy: 0.55 },
    naive: { ...metrics, mae: 1.25, skill: 0, directional_accuracy: null },
    sma: { ...metrics, mae: 1.3, skill: -0.04, directional_accuracy: 0.5 },
    drift: { ...metrics, mae: 1.24, skill: 0.008, directional_accuracy: 0.52 },
  },
  vs_naive: { n: 100, mae_diff: -0.01544, dm_statistic: -1.7, p_value: 0.0461 },
});
const gbdt = card("v0002", {
  created_at: "2024-03-03T00:00:00.000Z",
  model: { kind: "gbdt", params: {}, rounds: 40 },
  data: { rows: 2500, from: "", to: "", hash: "0" },
  overall: {
    model: { ...metrics, mae: 1.3, skill: -0.04, directional_accuracy: null },
    naive: { ...metrics, mae: 1.25, skill: 0, directional_accuracy: null },
    sma: { ...metrics, mae: 1.3, skill: -0.04, directional_accuracy: 0.5 },
  },
  decision: { promoted: false, reason: "worse than naive" },
});

Deno.test("models list shows each version's metrics and decision, the promoted one starred", () => {
  assertEquals(
    versionsTable([
      { version: "v0001", current: true, card: ridge },
      { version: "v0002", current: false, card: gbdt },
    ]),
    [
      "     version  created           model          rows  MAE     naive MAE  skill   skill of drift  p vs naive  dir. acc.  decision",
      "  *  v0001    2024-03-02T10:11  ridge λ=1.0    100   1.2346  1.2500     1.23%   0.80%           0.046       55.0%      promoted",
      "     v0002    2024-03-03T00:00  gbdt 40 trees  2500  1.3000  1.2500     -4.00%  -               -           -          rejected: worse than naive",
    ],
  );
});

Deno.test("models list shows a version without a readable card as incomplete", () => {
  assertEquals(
    versionsTable([{ version: "v0003", current: false, card: undefined }]).at(-1),
    "    v0003    (incomplete)",
  );
});

Deno.test("models list shows each version's backtest net return beside buy-and-hold's once one has a backtest", () => {
  const stats = {
    candles: 10,
    sharpe: 1,
    max_drawdown: 0.01,
    trades: 2,
    hit_rate: 0.5,
    exposure: 0.5,
    turnover: 4,
  };
  const backtest = {
    costs: { fee_bps: 26, slippage_bps: 2 },
    overall: {
      model: { ...stats, net_return: 0.0125 },
      buy_and_hold: { ...stats, net_return: -0.034 },
      momentum: { ...stats, net_return: 0 },
    },
  } as BacktestReport;
  assertEquals(
    versionsTable([
      { version: "v0001", current: true, card: ridge, backtest },
      { version: "v0002", current: false, card: gbdt, backtest: null },
    ]),
    [
      "     version  created           model          rows  MAE     naive MAE  skill   skill of drift  p vs naive  dir. acc.  backtest net (B&H), costs  decision",
      "  *  v0001    2024-03-02T10:11  ridge λ=1.0    100   1.2346  1.2500     1.23%   0.80%           0.046       55.0%      +1.25% (−3.40%), 26+2 bp   promoted",
      "     v0002    2024-03-03T00:00  gbdt 40 trees  2500  1.3000  1.2500     -4.00%  -               -           -          -                          rejected: worse than naive",
    ],
  );
});

Deno.test("models list shows the model loop's live verdict on the versions it ran in shadow", () => {
  const lines = versionsTable([
    { version: "v0001", current: false, card: ridge, live: null },
    {
      version: "v0002",
      current: true,
      card: gbdt,
      live: { decision: "promote", vs_champion: { pBetter: 0.00194 } },
    },
    {
      version: "v0003",
      current: false,
      card: gbdt,
      live: { decision: "retire", vs_champion: { pBetter: 0.57 } },
    },
    {
      // Promoted while naive served: held against naive, whose p-value its reason gives.
      version: "v0004",
      current: false,
      card: gbdt,
      live: {
        decision: "promote",
        against: "naive",
        vs_champion: { pBetter: 0.021 },
        vs_naive: { pBetter: 0.099 },
      },
    },
  ]);
  assertEquals(/live \(shadow\)\s+decision$/.test(lines[0]!), true, lines[0]);
  assertEquals(
    lines.slice(1).map((l) => /(promoted|retired) \(p=[\d.]+\)/.exec(l)?.[0] ?? "-"),
    [
      "-",
      "promoted (p=0.0019)",
      "retired (p=0.57)",
      "promoted (p=0.099)",
    ],
  );
  // A challenger that passed the gate and was retired in shadow does not read as promoted.
  const challenger = { ...gbdt, decision: { promoted: true, reason: "beats naive; compared with it live" } };
  const retired = versionsTable([{
    version: "v0004",
    current: false,
    card: challenger,
    live: { decision: "retire", vs_champion: { pBetter: 0.5 } },
  }]);
  assert(retired[1]!.endsWith("retired (p=0.50)  passed the gate, retired in shadow"), retired[1]);
  const sure = { ...ridge, vs_naive: { n: 100, mae_diff: -0.5, dm_statistic: -6, p_value: 1e-9 } };
  assert(versionsTable([{ version: "v0005", current: false, card: sure }])[1]!.includes(" < 0.001 "));
});

Deno.test("models list says when a human promoted a rejected version, or rolled a version back", () => {
  const decision = (line: Parameters<typeof versionsTable>[0][number]) =>
    versionsTable([line])[1]!.split(/\s{2,}/).at(-1);
  assertEquals(
    decision({ version: "v0002", current: true, card: gbdt }),
    "promoted by hand; rejected: worse than naive",
  );
  assertEquals(decision({ version: "v0002", current: false, card: gbdt }), "rejected: worse than naive");
  assertEquals(
    decision({ version: "v0002", current: false, card: gbdt, rolledBack: true }),
    "rolled back; rejected: worse than naive",
  );
  assertEquals(
    decision({ version: "v0001", current: false, card: ridge, rolledBack: true }),
    "promoted, then rolled back",
  );
  assertEquals(decision({ version: "v0001", current: true, card: ridge }), "promoted");
});

Deno.test("models list shows a version a drill forced as forced, without the metrics it copied from the champion", () => {
  const forced = card("v0003", {
    ...ridge,
    version: "v0003",
    created_at: "2024-03-04T00:00:00.000Z",
    decision: {
      promoted: true,
      reason: "deliberately biased: predicts a 0.002 log return every candle",
      forced: true,
    },
  });
  const lines = versionsTable([
    { version: "v0001", current: false, card: ridge },
    { version: "v0003", current: true, card: forced },
  ]);
  const line = lines.find((l) => l.includes("v0003"))!;
  assert(!line.includes("1.2346") && !line.includes("1.23%"), line);
  assert(
    line.trimEnd().endsWith(
      "forced by a drill: deliberately biased: predicts a 0.002 log return every candle",
    ),
    line,
  );
  assert(/^\s*\*\s+v0003\s+2024-03-04T00:00(\s+-){8}\s+forced/.test(line), line);
});
