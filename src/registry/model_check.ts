/**
 * The one check a model version passes before it serves, run both by `models promote` (so a
 * broken version never reaches the promotion stack) and by the predictor's load (so one that
 * broke afterwards, on disk or by a hand edit, never serves): it reads only features the store
 * provides, its intervals' σ can be computed from them, its `model.onnx` opens, takes that many
 * features per row, and answers a probe with one finite number.
 */
import { OTHER_PAIR_COLUMNS } from "../domain/feature_row.ts";
import type { ModelCard } from "../domain/model_card.ts";
import type { ModelRegistry } from "../domain/ports.ts";
import { featureNames } from "../model/features.ts";
import { scaleModelProblem } from "../model/interval_scale.ts";
import { onnxDamage } from "../onnx/damage.ts";
import { openSession, type ort } from "../onnx/runtime.ts";
import { INPUT, OUTPUT, runOnnx } from "./onnx_export.ts";

export type ModelProblem =
  | "missing"
  | "zero bytes"
  | "truncated"
  | "corrupt"
  | "features mismatch"
  | "bad interval scale"
  | "no answer";

/** A version that failed the check; `problem` says which way, the message says it for a person. */
export class ModelCheckError extends Error {
  override name = "ModelCheckError";
  constructor(readonly problem: ModelProblem, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export interface CheckedModel {
  card: ModelCard;
  /** Open and probed; the caller owns it and releases it. */
  session: ort.InferenceSession;
  /** The other pairs' columns the model reads, in its order. */
  others: string[];
}

/** The inputs a model needs from the store, by its card. */
export function expectedFeatures(card: Pick<ModelCard, "other_pairs">): string[] {
  return featureNames(otherColumns(card));
}

function otherColumns(card: Pick<ModelCard, "other_pairs">): string[] {
  return card.other_pairs.flatMap((p) => OTHER_PAIR_COLUMNS.map((c) => `${p}:${c}`));
}

/**
 * Checks version `version` of model `name`; throws a {@linkcode ModelCheckError} saying what is
 * wrong, or returns the open session.
 *
 * @example
 * ```ts
 * const { session } = await checkModel(registry, "btc-usd_1m_h1", "v0003");
 * await session.release();
 * ```
 */
export async function checkModel(
  registry: ModelRegistry,
  name: string,
  version: string,
): Promise<CheckedModel> {
  const card = await registry.card(name, version);
  // Served on the features its card names, in its order (model/features.ts): a version trained
  // before the store provided a column (the market-wide news ones) reads the ones it knows.
  const want = expectedFeatures(card);
  const missing = card.features.filter((f) => !want.includes(f));
  const repeated = card.features.filter((f, i) => card.features.indexOf(f) !== i);
  if (missing.length > 0 || repeated.length > 0) {
    throw new ModelCheckError(
      "features mismatch",
      `features mismatch: it reads ${card.features.length} features and the store provides ${want.length}` +
        (missing.length
          ? ` (not provided: ${missing.slice(0, 5).join(", ")})`
          : ` (read twice: ${repeated.slice(0, 5).join(", ")})`),
    );
  }
  const scale = card.intervals?.model.scale_model;
  const scaleProblem = scale === undefined ? null : scaleModelProblem(scale, card.features);
  if (scaleProblem) {
    throw new ModelCheckError("bad interval scale", `bad interval scale in card.json: ${scaleProblem}`);
  }
  const session = await open(registry, name, version);
  try {
    await probe(session, card.features.length);
  } catch (e) {
    await session.release();
    throw e;
  }
  return { card, session, others: otherColumns(card) };
}

async function open(registry: ModelRegistry, name: string, version: string): Promise<ort.InferenceSession> {
  let bytes: Uint8Array;
  try {
    bytes = await registry.modelBytes(name, version);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new ModelCheckError("missing", "model.onnx is missing");
    throw e;
  }
  if (bytes.length === 0) throw new ModelCheckError("zero bytes", "model.onnx is zero bytes");
  try {
    return await openSession(bytes, "model.onnx");
  } catch (e) {
    const why = /ERROR_MESSAGE: (.*)$/.exec((e as Error).message)?.[1] ?? (e as Error).message;
    const damage = onnxDamage(bytes);
    const how = damage === "truncated"
      ? `truncated (${bytes.length} bytes, the last field cut short)`
      : damage;
    throw new ModelCheckError(damage, `model.onnx is ${how}: not a valid ONNX model (${why})`, { cause: e });
  }
}

async function probe(session: ort.InferenceSession, width: number): Promise<void> {
  if (!session.inputNames.includes(INPUT) || !session.outputNames.includes(OUTPUT)) {
    throw new ModelCheckError(
      "features mismatch",
      `features mismatch: model.onnx maps [${session.inputNames}] to [${session.outputNames}], ` +
        `not ${INPUT} to ${OUTPUT}`,
    );
  }
  const input = session.inputMetadata.find((m) => m.name === INPUT);
  const dim = input?.isTensor ? input.shape[1] : undefined;
  if (typeof dim === "number" && dim !== width) {
    throw new ModelCheckError(
      "features mismatch",
      `features mismatch: model.onnx reads ${dim} features per row and the store provides ${width}`,
    );
  }
  let out: Float32Array;
  try {
    out = await runOnnx(session, new Float64Array(width), 1, width);
  } catch (e) {
    throw new ModelCheckError(
      "no answer",
      `model.onnx does not run on ${width} features: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (out.length !== 1 || !Number.isFinite(out[0]!)) {
    throw new ModelCheckError("no answer", "model.onnx does not answer a probe with one finite number");
  }
}
