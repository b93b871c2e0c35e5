import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { ParameterRegistry, type TextBatch } from "@aflora/core";
import { attentionSpan, type DebertaV2Config } from "../config/encoder-config.js";
import { buildRelativePosition, relEmbeddingIndex } from "../layers/relative-position.js";
import { loadEncoder } from "../load/load-encoder.js";
import { maxRelativePositions } from "../config/encoder-config.js";
import { robertaPositionIds } from "../models/bert/position-ids.js";
import type { EncoderForSequenceClassification } from "../models/sequence-classifier.js";

/** The fixtures' tolerances (fixtures/hf-parity/README.md); never looser. */
export const PARITY_TOLERANCE = {
  hidden: 1e-4,
  logits: 1e-4,
  pooled: 1e-4,
  loss: 1e-5,
  gradientRelative: 1e-3,
} as const;

export interface ParityCheck {
  /** e.g. "logits", "hidden_states[2]", "grad deberta.encoder.rel_embeddings.weight", "derived.relative_position" */
  quantity: string;
  batch: string;
  /** The measured error (absolute, except gradients: absolute over the allowed bound's scale). */
  error: number;
  /** The bound the error must not exceed. */
  tolerance: number;
  pass: boolean;
}

export interface FixtureParityResult {
  fixture: string;
  backend: string;
  pass: boolean;
  checks: ParityCheck[];
  /** The check with the largest error relative to its tolerance. */
  worst: ParityCheck | null;
  /** Set when the fixture could not be run at all (load error, shape error). */
  error?: string;
}

export interface ParityOptions {
  /** TF.js backend to run on ("cpu", "wasm", ...); it must be registered. Default: the current one. */
  backend?: string;
  /** Only these fixture folder names. */
  only?: readonly string[];
  /** Passed to the models (per-layer recomputation in the gradient check). */
  recompute?: boolean;
}

/** The fixture folders under `fixturesDir`: every subfolder holding config.json and expected.json. */
export function listParityFixtures(fixturesDir: string): string[] {
  if (!existsSync(fixturesDir)) throw new Error(`${fixturesDir}: no such folder`);
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter(
      (d) =>
        d.isDirectory() &&
        existsSync(join(fixturesDir, d.name, "expected.json")) &&
        existsSync(join(fixturesDir, d.name, "config.json")),
    )
    .map((d) => d.name)
    .sort();
}

/**
 * Loads every fixture folder under `fixturesDir` (the hf-parity format) and compares the
 * model's logits, loss, pooled output, hidden states, gradients and derived integer tables
 * with the Hugging Face numbers, at the fixtures' tolerances.
 */
export async function runEncoderParity(
  fixturesDir: string,
  options: ParityOptions = {},
): Promise<FixtureParityResult[]> {
  if (options.backend && tf.getBackend() !== options.backend) {
    const ok = await tf.setBackend(options.backend);
    if (!ok) throw new Error(`runEncoderParity: TensorFlow.js backend "${options.backend}" could not be initialised`);
  }
  await tf.ready();
  const names = listParityFixtures(fixturesDir).filter((n) => !options.only || options.only.includes(n));
  if (names.length === 0)
    throw new Error(`${fixturesDir}: no fixture folders (each needs config.json and expected.json)`);
  const results: FixtureParityResult[] = [];
  for (const name of names) results.push(await runFixture(join(fixturesDir, name), name, options));
  return results;
}

type Nested = number | Nested[];

interface ExpectedBatch {
  name: string;
  padding_side: "left" | "right";
  input_ids: Nested;
  attention_mask: Nested;
  token_type_ids?: Nested;
  labels?: Nested;
  outputs: {
    logits: Nested;
    loss?: number;
    pooled_output: Nested;
    last_hidden_state: Nested;
    hidden_states?: Nested[];
  };
  derived?: { position_ids?: Nested; relative_position?: Nested; rel_embedding_index?: Nested };
  gradients?: { loss: number; params: Record<string, Nested> };
}

interface Expected {
  fixture: string;
  problem_type: string | null;
  num_labels: number;
  batches: ExpectedBatch[];
  derived?: { rel_embeddings_after_norm?: Nested };
}

/** The batches of a fixture folder's expected.json as TextBatches (inputs and labels only). */
export async function loadParityBatches(fixtureDir: string): Promise<{ name: string; batch: TextBatch }[]> {
  const expected = JSON.parse(await readFile(join(fixtureDir, "expected.json"), "utf8")) as Expected;
  return expected.batches.map((eb) => ({ name: eb.name, batch: toBatch(eb) }));
}

function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

function shapeOf(x: Nested): number[] {
  const s: number[] = [];
  let cur: Nested = x;
  while (Array.isArray(cur)) {
    s.push(cur.length);
    cur = cur[0]!;
  }
  return s;
}

async function runFixture(dir: string, name: string, options: ParityOptions): Promise<FixtureParityResult> {
  const backend = tf.getBackend();
  const checks: ParityCheck[] = [];
  const registry = new ParameterRegistry();
  let model: EncoderForSequenceClassification | null = null;
  try {
    const expected = JSON.parse(await readFile(join(dir, "expected.json"), "utf8")) as Expected;
    model = await loadEncoder(dir, { registry, warn: () => undefined, recompute: options.recompute ?? false });
    model.setTraining(false);
    checkModelDerived(model, expected, checks);
    for (const eb of expected.batches) checkBatch(model, expected, eb, checks);
  } catch (e) {
    return { fixture: name, backend, pass: false, checks, worst: worstOf(checks), error: (e as Error).message };
  } finally {
    model?.dispose();
    registry.dispose();
  }
  return {
    fixture: name,
    backend,
    pass: checks.length > 0 && checks.every((c) => c.pass),
    checks,
    worst: worstOf(checks),
  };
}

function worstOf(checks: ParityCheck[]): ParityCheck | null {
  let worst: ParityCheck | null = null;
  for (const c of checks) if (!worst || c.error / c.tolerance > worst.error / worst.tolerance) worst = c;
  return worst;
}

function toBatch(eb: ExpectedBatch): TextBatch {
  const [b, s] = shapeOf(eb.input_ids) as [number, number];
  const batch: TextBatch = {
    batchSize: b,
    seqLength: s,
    inputIds: Int32Array.from(flat(eb.input_ids)),
    attentionMask: Int32Array.from(flat(eb.attention_mask)),
  };
  if (eb.token_type_ids) batch.tokenTypeIds = Int32Array.from(flat(eb.token_type_ids));
  if (eb.labels !== undefined) {
    const values = flat(eb.labels);
    // JSON cannot tell 1 from 1.0: class ids are 1-D integers; regression and multi-label targets are floats.
    const isInt = shapeOf(eb.labels).length === 1 && values.every(Number.isInteger);
    batch.labels = isInt ? Int32Array.from(values) : Float32Array.from(values);
  }
  return batch;
}

function maxAbs(a: ArrayLike<number>, b: readonly number[], include?: (i: number) => boolean): number {
  if (a.length !== b.length) throw new Error(`size mismatch: got ${a.length} values, expected ${b.length}`);
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    if (include && !include(i)) continue;
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

function add(checks: ParityCheck[], quantity: string, batch: string, error: number, tolerance: number): void {
  checks.push({ quantity, batch, error, tolerance, pass: error <= tolerance });
}

function checkBatch(
  model: EncoderForSequenceClassification,
  expected: Expected,
  eb: ExpectedBatch,
  checks: ParityCheck[],
): void {
  const batch = toBatch(eb);
  const { batchSize: b, seqLength: s } = batch;
  const mask = batch.attentionMask;
  const h = model.config.hiddenSize;
  const realToken = (i: number) => mask[Math.floor(i / h)] === 1;
  // The head reads position 0: rows whose position 0 is padding are outside the contract.
  const headRow = (row: number) => mask[row * s] === 1;
  const out = model.forward(batch, { outputHiddenStates: eb.outputs.hidden_states !== undefined });
  try {
    add(
      checks,
      "last_hidden_state",
      eb.name,
      maxAbs(out.lastHiddenState.dataSync(), flat(eb.outputs.last_hidden_state), realToken),
      PARITY_TOLERANCE.hidden,
    );
    eb.outputs.hidden_states?.forEach((ref, k) => {
      add(
        checks,
        `hidden_states[${k}]`,
        eb.name,
        maxAbs(out.hiddenStates![k]!.dataSync(), flat(ref), realToken),
        PARITY_TOLERANCE.hidden,
      );
    });
    const c = model.config.numLabels;
    const p = out.pooledOutput.shape[1];
    add(
      checks,
      "logits",
      eb.name,
      maxAbs(out.logits.dataSync(), flat(eb.outputs.logits), (i) => headRow(Math.floor(i / c))),
      PARITY_TOLERANCE.logits,
    );
    add(
      checks,
      "pooled_output",
      eb.name,
      maxAbs(out.pooledOutput.dataSync(), flat(eb.outputs.pooled_output), (i) => headRow(Math.floor(i / p))),
      PARITY_TOLERANCE.pooled,
    );
  } finally {
    tf.dispose([out.logits, out.pooledOutput, out.lastHiddenState, ...(out.hiddenStates ?? [])]);
  }
  if (eb.outputs.loss !== undefined && eb.padding_side !== "left" && batch.labels) {
    const loss = model.loss(batch);
    const got = loss.dataSync()[0]!;
    loss.dispose();
    add(checks, "loss", eb.name, lossError(got, eb.outputs.loss), PARITY_TOLERANCE.loss);
  }
  if (eb.gradients) checkGradients(model, batch, eb, checks);
  if (eb.derived) checkBatchDerived(model, expected, eb, b, s, batch, checks);
}

/** |a − b|, or the relative error when that is smaller (the README allows either). */
function lossError(got: number, ref: number): number {
  const abs = Math.abs(got - ref);
  const rel = ref !== 0 ? abs / Math.abs(ref) : abs;
  return Number.isNaN(abs) ? Infinity : Math.min(abs, rel);
}

function checkGradients(
  model: EncoderForSequenceClassification,
  batch: TextBatch,
  eb: ExpectedBatch,
  checks: ParityCheck[],
): void {
  const names = Object.keys(eb.gradients!.params);
  const vars = new Map<string, tf.Variable>();
  for (const n of names) vars.set(n, model.params.get(n).variable);
  const { loss, grads } = model.lossAndGradients(batch, vars);
  try {
    add(checks, "gradients.loss", eb.name, lossError(loss.dataSync()[0]!, eb.gradients!.loss), PARITY_TOLERANCE.loss);
    for (const n of names) {
      const ref = flat(eb.gradients!.params[n]!);
      // Gradients come in the variable's layout; compare in the Hugging Face layout.
      const inState = model.toStateLayout(n, grads.get(n)!);
      const values = inState.dataSync();
      inState.dispose();
      const scale = Math.max(
        1e-3,
        ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
      );
      add(checks, `grad ${n}`, eb.name, maxAbs(values, ref) / scale, PARITY_TOLERANCE.gradientRelative);
    }
  } finally {
    loss.dispose();
    tf.dispose([...grads.values()]);
  }
}

function exact(
  checks: ParityCheck[],
  quantity: string,
  batch: string,
  got: ArrayLike<number>,
  ref: readonly number[],
): void {
  let wrong = got.length === ref.length ? 0 : Math.max(got.length, ref.length);
  for (let i = 0; i < Math.min(got.length, ref.length); i++) if (got[i] !== ref[i]) wrong++;
  // For integer tables the "error" is the number of wrong entries; the tolerance is zero.
  add(checks, quantity, batch, wrong, 0);
}

function checkBatchDerived(
  model: EncoderForSequenceClassification,
  _expected: Expected,
  eb: ExpectedBatch,
  b: number,
  s: number,
  batch: TextBatch,
  checks: ParityCheck[],
): void {
  const d = eb.derived!;
  const config = model.config;
  if (d.position_ids && config.modelType === "roberta") {
    exact(
      checks,
      "derived.position_ids",
      eb.name,
      robertaPositionIds(batch.inputIds, b, s, config.padTokenId),
      flat(d.position_ids),
    );
  }
  if (config.modelType === "deberta-v2") {
    const cfg = config as DebertaV2Config;
    if (d.relative_position) {
      exact(
        checks,
        "derived.relative_position",
        eb.name,
        buildRelativePosition(s, s, cfg.positionBuckets, maxRelativePositions(cfg)),
        flat(d.relative_position),
      );
    }
    if (d.rel_embedding_index)
      exact(checks, "derived.rel_embedding_index", eb.name, relEmbeddingIndex(cfg, s), flat(d.rel_embedding_index));
  }
}

function checkModelDerived(model: EncoderForSequenceClassification, expected: Expected, checks: ParityCheck[]): void {
  const ref = expected.derived?.rel_embeddings_after_norm;
  if (!ref || model.config.modelType !== "deberta-v2") return;
  const cfg = model.config;
  const table = tf.tidy(() => {
    const w = model.params.get("deberta.encoder.rel_embeddings.weight").variable;
    if (!cfg.normRelEbd.includes("layer_norm")) return tf.clone(w);
    const g = model.params.get("deberta.encoder.LayerNorm.weight").variable;
    const bias = model.params.get("deberta.encoder.LayerNorm.bias").variable;
    const { mean, variance } = tf.moments(w, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(w, mean), tf.sqrt(tf.add(variance, cfg.layerNormEps))), g), bias);
  });
  const rows = 2 * attentionSpan(cfg);
  if (table.shape[0] !== rows) throw new Error(`rel_embeddings has ${table.shape[0]} rows, expected ${rows}`);
  add(checks, "derived.rel_embeddings_after_norm", "-", maxAbs(table.dataSync(), flat(ref)), PARITY_TOLERANCE.hidden);
  table.dispose();
}

/** One line per fixture: PASS/FAIL, name, backend and the largest error against its tolerance. */
export function formatParityResult(r: FixtureParityResult): string {
  const head = `${r.pass ? "PASS" : "FAIL"} ${r.fixture} [${r.backend}]`;
  if (r.error) return `${head} error: ${r.error.split("\n").join(" | ")}`;
  const w = r.worst;
  const worst = w
    ? `largest error ${w.error.toExponential(2)} (${w.quantity}, ${w.batch}; tolerance ${w.tolerance.toExponential(0)})`
    : "no checks";
  const failed = r.checks.filter((c) => !c.pass);
  const extra =
    failed.length > 1
      ? `; ${failed.length} checks failed: ${failed
          .slice(0, 5)
          .map((c) => `${c.quantity}/${c.batch}`)
          .join(", ")}`
      : "";
  return `${head} ${r.checks.length} checks, ${worst}${extra}`;
}

/** Prints every result line and a summary; returns true when every fixture passed. */
export function printParityResults(
  results: readonly FixtureParityResult[],
  write: (line: string) => void = (l) => console.log(l),
): boolean {
  for (const r of results) write(formatParityResult(r));
  const failed = results.filter((r) => !r.pass).length;
  write(failed === 0 ? `all ${results.length} fixtures pass` : `${failed} of ${results.length} fixtures FAIL`);
  return failed === 0;
}
