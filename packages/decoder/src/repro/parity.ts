import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { greedyDecode } from "../generate/greedy.js";
import { loadLlama } from "../load/load-llama.js";
import type { CausalLMBatch } from "../model/causal-lm-batch.js";
import type { LlamaForCausalLM } from "../model/llama-for-causal-lm.js";
import { ropeInvFreq } from "../model/rotary.js";
import { loadLlamaTokenizer } from "../tokenizer/load-llama-tokenizer.js";
import type { LlamaTokenizer } from "../tokenizer/llama-tokenizer.js";
import { CheckList, flat, type DecoderParityCheck } from "./parity-checks.js";

/** The fixtures' tolerances (fixtures/hf-parity-decoder/README.md); never looser. */
export const DECODER_TOLERANCE = {
  logits: 1e-4,
  hidden: 1e-4,
  loss: 1e-5,
  gradientRelative: 1e-3,
  argmaxMargin: 2e-4,
  step: 1e-4,
} as const;

export interface DecoderFixtureResult {
  fixture: string;
  backend: string;
  pass: boolean;
  checks: DecoderParityCheck[];
  /** Set when the fixture could not be run at all. */
  error?: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- expected.json is checked value by value */
type Expected = any;

/** Fixture folders under `dir`: every subfolder with config.json and expected.json. */
export function listDecoderFixtures(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`${dir}: no such folder`);
  return readdirSync(dir, { withFileTypes: true })
    .filter(
      (d) =>
        d.isDirectory() &&
        existsSync(join(dir, d.name, "expected.json")) &&
        existsSync(join(dir, d.name, "config.json")),
    )
    .map((d) => d.name)
    .sort();
}

/** Loads one hf-parity-decoder folder and compares everything its expected.json holds. */
export async function checkDecoderFixture(folder: string, name = folder): Promise<DecoderFixtureResult> {
  const backend = tf.getBackend();
  let model: LlamaForCausalLM | undefined;
  try {
    const expected: Expected = JSON.parse(readFileSync(join(folder, "expected.json"), "utf8"));
    const tokenizer = loadLlamaTokenizer(folder);
    model = await loadLlama(folder, { warn: () => undefined });
    const c = new CheckList();
    checkTokenizer(c, tokenizer, expected);
    const inv = ropeInvFreq(model.config.headDim, model.config.ropeTheta);
    c.close("derived.rope_inv_freq", inv, flat(expected.derived.rope_inv_freq), 1e-7 * Math.max(...inv));
    for (const batch of expected.batches) checkBatch(c, model, batch);
    checkGeneration(c, model, tokenizer, expected.generation, expected.batches[0].outputs.logit_columns);
    return { fixture: name, backend, pass: c.checks.every((x) => x.pass), checks: c.checks };
  } catch (e) {
    return { fixture: name, backend, pass: false, checks: [], error: (e as Error).message };
  } finally {
    model?.dispose();
  }
}

function checkTokenizer(c: CheckList, tok: LlamaTokenizer, expected: Expected): void {
  expected.tokenizer.cases.forEach((k: Expected, i: number) => {
    const ids = tok.encode(k.text).inputIds;
    c.exact(`tokenizer[${i}] ${JSON.stringify(k.text)} ids`, JSON.stringify(ids) === JSON.stringify(k.ids));
    c.exact(`tokenizer[${i}] pieces`, JSON.stringify(tok.idsToPieces(k.ids)) === JSON.stringify(k.pieces));
    c.exact(`tokenizer[${i}] decoded`, tok.decode(k.ids) === k.decoded);
  });
}

function toBatch(e: Expected): CausalLMBatch {
  const b = e.input_ids.length;
  const s = e.input_ids[0].length;
  return {
    batchSize: b,
    seqLength: s,
    inputIds: Int32Array.from(flat(e.input_ids)),
    attentionMask: Int32Array.from(flat(e.attention_mask)),
    labels: Int32Array.from(flat(e.labels)),
    ...(e.position_ids ? { positionIds: Int32Array.from(flat(e.position_ids)) } : {}),
  };
}

function checkBatch(c: CheckList, model: LlamaForCausalLM, e: Expected): void {
  const batch = toBatch(e);
  const { batchSize: b, seqLength: s } = batch;
  const v = model.config.vocabSize;
  const o = e.outputs;
  const real = (pos: number) => batch.attentionMask[pos] === 1;
  const out = model.forward(batch, { outputHiddenStates: o.hidden_states !== undefined });
  try {
    const logits = out.logits.dataSync();
    const cols: number[] = o.logit_columns;
    const sliced = new Float32Array(b * s * cols.length);
    for (let t = 0; t < b * s; t++) cols.forEach((col, j) => (sliced[t * cols.length + j] = logits[t * v + col]!));
    c.close(`${e.name}.logits`, sliced, flat(o.logits), DECODER_TOLERANCE.logits, (i) =>
      real(Math.floor(i / cols.length)),
    );
    const lse = new Float32Array(b * s);
    const max = new Float32Array(b * s);
    const argmax = new Float32Array(b * s);
    for (let t = 0; t < b * s; t++) {
      let m = -Infinity;
      let am = 0;
      for (let j = 0; j < v; j++) if (logits[t * v + j]! > m) [m, am] = [logits[t * v + j]!, j];
      let sum = 0;
      for (let j = 0; j < v; j++) sum += Math.exp(logits[t * v + j]! - m);
      [lse[t], max[t], argmax[t]] = [m + Math.log(sum), m, am];
    }
    c.close(`${e.name}.logsumexp`, lse, flat(o.logsumexp), DECODER_TOLERANCE.logits, real);
    c.close(`${e.name}.max_logit`, max, flat(o.max_logit), DECODER_TOLERANCE.logits, real);
    const margin = flat(o.top1_top2_margin);
    c.close(
      `${e.name}.argmax`,
      argmax,
      flat(o.argmax),
      0,
      (t) => real(t) && margin[t]! >= DECODER_TOLERANCE.argmaxMargin,
    );
    if (o.logits_full) {
      const { row, positions, values } = o.logits_full;
      const got = (positions as number[]).flatMap((p) =>
        Array.from(logits.subarray((row * s + p) * v, (row * s + p + 1) * v)),
      );
      c.close(`${e.name}.logits_full`, got, flat(values), DECODER_TOLERANCE.logits);
    }
    if (o.hidden_states && out.hiddenStates) {
      const { row, positions, values } = o.hidden_states;
      const h = model.config.hiddenSize;
      out.hiddenStates.forEach((hs, l) => {
        const data = hs.dataSync();
        const got = (positions as number[]).flatMap((p) =>
          Array.from(data.subarray((row * s + p) * h, (row * s + p + 1) * h)),
        );
        c.close(`${e.name}.hidden_states[${l}]`, got, flat(values[l]), DECODER_TOLERANCE.hidden);
      });
    }
  } finally {
    tf.dispose([out.logits, ...(out.hiddenStates ?? [])]);
  }
  const loss = model.loss(batch);
  c.close(`${e.name}.loss`, [loss.dataSync()[0]!], [o.loss], DECODER_TOLERANCE.loss * Math.max(1, Math.abs(o.loss)));
  loss.dispose();
  if (e.gradients) {
    // Both backward paths: the whole graph, and per-layer recomputation (what large models use).
    const mode = model.recompute;
    for (const recompute of [false, true]) {
      model.recompute = recompute;
      checkGradients(c, model, batch, recompute ? `${e.name} (recompute)` : e.name, e.gradients);
    }
    model.recompute = mode;
  }
}

function checkGradients(c: CheckList, model: LlamaForCausalLM, batch: CausalLMBatch, name: string, g: Expected): void {
  const vars = new Map(Object.keys(g.params).map((n) => [n, model.params.get(n).variable]));
  const { loss, grads } = model.lossAndGradients(batch, vars);
  try {
    c.close(
      `${name}.gradients.loss`,
      [loss.dataSync()[0]!],
      [g.loss],
      DECODER_TOLERANCE.loss * Math.max(1, Math.abs(g.loss)),
    );
    for (const [param, exp] of Object.entries<Expected>(g.params)) {
      const state = tf.tidy(() => {
        const raw = grads.get(param)!;
        const lin = model.linears().get(param.replace(/\.weight$/, ""));
        return lin ? tf.transpose(raw) : tf.clone(raw);
      });
      const data = state.dataSync();
      const cols = state.shape[1] ?? 1;
      state.dispose();
      const rows = (exp.rows as number[]).flatMap((r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
      const bound = DECODER_TOLERANCE.gradientRelative * Math.max(1e-3, exp.max_abs);
      c.close(`${name} grad ${param} rows`, rows, flat(exp.values), bound);
      let l2 = 0;
      let sumAbs = 0;
      for (const x of data) [l2, sumAbs] = [l2 + x * x, sumAbs + Math.abs(x)];
      c.add(
        `${name} grad ${param} l2 (relative)`,
        Math.abs(Math.sqrt(l2) - exp.l2) / Math.max(exp.l2, 1e-30),
        DECODER_TOLERANCE.gradientRelative,
      );
      c.add(
        `${name} grad ${param} sum_abs (relative)`,
        Math.abs(sumAbs - exp.sum_abs) / Math.max(exp.sum_abs, 1e-30),
        DECODER_TOLERANCE.gradientRelative,
      );
    }
  } finally {
    loss.dispose();
    tf.dispose([...grads.values()]);
  }
}

function checkGeneration(
  c: CheckList,
  model: LlamaForCausalLM,
  tok: LlamaTokenizer,
  g: Expected,
  cols: number[],
): void {
  const b = g.input_ids.length;
  const ids = Int32Array.from(flat(g.input_ids));
  const mask = Int32Array.from(flat(g.attention_mask));
  const run = (useCache: boolean) => {
    const top5: number[] = [];
    const lse: number[] = [];
    const stepLogits: number[][] = [];
    const { tokens } = greedyDecode(model, ids, mask, b, {
      maxNewTokens: g.max_new_tokens,
      eosTokenId: null,
      useCache,
      onStep: (_step, logits) => stepLogits.push(Array.from(logits.dataSync())),
    });
    const v = model.config.vocabSize;
    // step-major → [B, steps, ...] as expected.json stores them
    for (let r = 0; r < b; r++) {
      for (const l of stepLogits) {
        const row = l.slice(r * v, (r + 1) * v);
        top5.push(...[...row].sort((x, y) => y - x).slice(0, 5));
        const m = Math.max(...row);
        lse.push(m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0)));
      }
    }
    return { tokens, top5, lse, stepLogits };
  };
  const cached = run(true);
  c.exact("generation.new_tokens", JSON.stringify(cached.tokens) === JSON.stringify(g.new_tokens));
  c.close("generation.step_top5_values", cached.top5, flat(g.step_top5_values), DECODER_TOLERANCE.step);
  c.close("generation.step_logsumexp", cached.lse, flat(g.step_logsumexp), DECODER_TOLERANCE.step);
  {
    const v = model.config.vocabSize;
    const got: number[] = [];
    for (let r = 0; r < b; r++) for (const l of cached.stepLogits) cols.forEach((col) => got.push(l[r * v + col]!));
    c.close("generation.step_logits", got, flat(g.step_logits), DECODER_TOLERANCE.step);
  }
  (g.new_text as string[]).forEach((text, r) =>
    c.exact(`generation.new_text[${r}]`, tok.decode(g.new_tokens[r]) === text),
  );
  const uncached = run(false);
  c.exact("generation without cache: same tokens", JSON.stringify(uncached.tokens) === JSON.stringify(cached.tokens));
  c.close(
    "generation without cache: step logits",
    uncached.stepLogits.flat(),
    cached.stepLogits.flat(),
    DECODER_TOLERANCE.step,
  );
  (g.unpadded_single_prompt_new_tokens as number[][]).forEach((expectedTokens, r) => {
    const row = flat(g.input_ids[r]).filter((_, j) => g.attention_mask[r][j] === 1);
    const single = greedyDecode(model, Int32Array.from(row), new Int32Array(row.length).fill(1), 1, {
      maxNewTokens: g.max_new_tokens,
      eosTokenId: null,
    });
    c.exact(
      `generation.unpadded_single_prompt_new_tokens[${r}]`,
      JSON.stringify(single.tokens[0]) === JSON.stringify(expectedTokens),
    );
  });
}
