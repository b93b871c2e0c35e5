import * as tf from "@tensorflow/tfjs-core";
import {
  decideRecompute,
  fusedOp,
  leanGradients,
  type RecomputeDecision,
  type Linear,
  type LossAndGradients,
  type ParameterRegistry,
  type TrainableModel,
} from "@aflora/core";
import type { LlamaConfig } from "../config/llama-config.js";
import type { LayerContext } from "./attention.js";
import { causalMask } from "./attention-mask.js";
import { lmHeadCrossEntropySpec } from "./cross-entropy.js";
import { shiftedTargets, validateCausalBatch, type CausalLMBatch } from "./causal-lm-batch.js";
import type { LlamaDecoderLayer } from "./decoder-layer.js";
import type { TokenEmbedding } from "./embedding.js";
import { gatherRows } from "./gather-rows.js";
import type { KvCache } from "./kv-cache.js";
import { positionIdsFromMask } from "./position-ids.js";
import type { RmsNorm } from "./rms-norm.js";
import { rotaryTables } from "./rotary.js";
import { estimateStepActivationBytes } from "./step-memory.js";

export interface LlamaParts {
  embedTokens: TokenEmbedding;
  layers: LlamaDecoderLayer[];
  norm: RmsNorm;
  /** [V, H]: `lm_head.weight`, or the very `model.embed_tokens.weight` variable when tied. */
  lmHead: tf.Variable;
  linears: Map<string, Linear>;
  invFreq: Float32Array;
}

export interface CausalLMOutput {
  /** [B, S, V] */
  logits: tf.Tensor3D;
  /** With outputHiddenStates: L + 1 tensors [B, S, H] as HF returns them (the last one final-normed). */
  hiddenStates?: tf.Tensor3D[];
}

/**
 * Hugging Face `LlamaForCausalLM` in TensorFlow.js: RMSNorm, rotary embeddings (rotate-half,
 * `rope_theta`), SwiGLU, grouped-query attention, causal + padding masks, tied or separate
 * `lm_head`. Variables live in a ParameterRegistry under their HF names; the Linear modules
 * (`model.layers.{i}.self_attn.q_proj`, ..., `mlp.down_proj`) are what adapters wrap.
 */
export class LlamaForCausalLM implements TrainableModel<CausalLMBatch> {
  readonly modelType = "llama";
  /**
   * Gradient checkpointing in `lossAndGradients`: the forward keeps only each layer's input and
   * the backward recomputes one layer at a time, so activations of one layer are alive at once
   * (LLaMA-7B: ~0.2 GB instead of ~4.5 GB at 256 tokens) for one extra forward. "auto": only for a
   * batch whose estimated activations (`estimateStepActivationBytes`) do not fit the backend's memory.
   */
  recompute: boolean | "auto";
  /** What the last `lossAndGradients` chose, and why (for reports). */
  lastRecompute: RecomputeDecision | null = null;

  constructor(
    readonly config: LlamaConfig,
    readonly params: ParameterRegistry,
    private readonly parts: LlamaParts,
    /** Every parameter name this model registered (for `dispose`). */
    readonly parameterNames: readonly string[],
    options: { recompute?: boolean | "auto" } = {},
  ) {
    this.recompute = options.recompute ?? "auto";
  }

  /**
   * Whether a step on a [batchSize, seqLength] batch recomputes layer by layer, and why;
   * `gradientBytes`: the trainable variables' gradients the step returns.
   */
  recomputeDecision(batchSize: number, seqLength: number, gradientBytes = 0): RecomputeDecision {
    this.lastRecompute = decideRecompute(
      this.recompute,
      estimateStepActivationBytes(this.config, batchSize, seqLength) + gradientBytes,
    );
    return this.lastRecompute;
  }

  /** Every Linear by its HF module name, in model order (lm_head is not one: it may be tied). */
  linears(): Map<string, Linear> {
    return new Map(this.parts.linears);
  }

  /** LLaMA has no dropout in training (attention_dropout 0); kept for the TrainableModel contract. */
  setTraining(_training: boolean): void {}

  /** Logits of every position and, optionally, HF's `output_hidden_states`; eval mode. */
  forward(batch: CausalLMBatch, options: { outputHiddenStates?: boolean } = {}): CausalLMOutput {
    validateCausalBatch(batch, this.config.vocabSize);
    const { batchSize: b, seqLength: s } = batch;
    const h = this.config.hiddenSize;
    const out = tf.tidy(() => {
      const states = this.hidden(batch, undefined, options.outputHiddenStates ?? false);
      const last = states[states.length - 1]!;
      const logits = tf.reshape(this.logitsOf(last), [b, s, this.config.vocabSize]);
      const hidden = options.outputHiddenStates ? states.map((x) => tf.reshape(x, [b, s, h])) : [];
      return [logits, ...hidden] as tf.Tensor3D[];
    });
    const [logits, ...hiddenStates] = out as [tf.Tensor3D, ...tf.Tensor3D[]];
    return options.outputHiddenStates ? { logits, hiddenStates } : { logits };
  }

  /** Logits [B, S, V] in eval mode; owned by the caller. */
  predict(batch: CausalLMBatch): tf.Tensor {
    return this.forward(batch).logits;
  }

  /** HF's causal-LM loss: shifted labels, mean over the tokens whose label is not -100. */
  loss(batch: CausalLMBatch): tf.Scalar {
    validateCausalBatch(batch, this.config.vocabSize);
    return tf.tidy(() => this.lossOf(batch));
  }

  /**
   * Loss and gradients of exactly `vars`. A batch with no labelled token (HF would give NaN)
   * has loss 0 and zero gradients, so one over-long prompt cannot poison the optimizer state.
   */
  lossAndGradients(batch: CausalLMBatch, vars: ReadonlyMap<string, tf.Variable>): LossAndGradients {
    validateCausalBatch(batch, this.config.vocabSize);
    const entries = [...vars.entries()];
    const grads = new Map<string, tf.Tensor>();
    const { rows } = shiftedTargets(this.labelsOf(batch), batch.batchSize, batch.seqLength, this.config.vocabSize);
    if (rows.length === 0 || entries.length === 0) {
      for (const [n, v] of entries) grads.set(n, tf.zerosLike(v));
      return { loss: rows.length === 0 ? tf.scalar(0) : this.loss(batch), grads };
    }
    const gradientBytes = 4 * entries.reduce((n, [, v]) => n + v.size, 0);
    if (this.recomputeDecision(batch.batchSize, batch.seqLength, gradientBytes).recompute) {
      return this.recomputedLossAndGradients(batch, entries);
    }
    const { value, grads: byVar } = leanGradients(
      () => this.lossOf(batch),
      entries.map(([, v]) => v),
    );
    entries.forEach(([n, v], i) => grads.set(n, byVar[i] ?? tf.zerosLike(v)));
    return { loss: value as tf.Scalar, grads };
  }

  /**
   * One decoding call with a KV cache: runs `inputIds` [B·S] (the prompt at prefill, then one
   * token per row) and returns the logits of each row's last position [B, V].
   */
  decodeStep(cache: KvCache, inputIds: Int32Array, attentionMask: Int32Array, seqLength: number): tf.Tensor2D {
    const b = cache.batchSize;
    const positions = positionIdsFromMask(
      attentionMask,
      b,
      seqLength,
      cache.length > 0 ? cache.lastPosition : undefined,
    );
    const keyMask = new Int32Array(b * (cache.length + seqLength));
    const total = cache.length + seqLength;
    for (let r = 0; r < b; r++) {
      keyMask.set(cache.mask.subarray(r * cache.length, (r + 1) * cache.length), r * total);
      keyMask.set(attentionMask.subarray(r * seqLength, (r + 1) * seqLength), r * total + cache.length);
    }
    const logits = tf.tidy(() => {
      const states = this.run(inputIds, b, seqLength, positions, keyMask, cache, false);
      const last = tf.reshape(states[states.length - 1]!, [b, seqLength, this.config.hiddenSize]);
      const rows = tf.reshape(tf.slice(last, [0, seqLength - 1, 0], [b, 1, this.config.hiddenSize]), [
        b,
        this.config.hiddenSize,
      ]);
      return this.logitsOf(rows as tf.Tensor2D);
    });
    cache.advance(attentionMask, positions, seqLength);
    return logits;
  }

  /**
   * The same loss and gradients with per-layer recomputation: a tape-free forward keeps each
   * layer's input; then the head's vector-Jacobian product, and one layer at a time from the
   * top, each recomputed under the tape with respect to [its input, its requested variables].
   * It stops below the lowest layer holding a requested variable.
   */
  private recomputedLossAndGradients(batch: CausalLMBatch, entries: [string, tf.Variable][]): LossAndGradients {
    const { batchSize: b, seqLength: s } = batch;
    const { rows, targets } = shiftedTargets(this.labelsOf(batch), b, s, this.config.vocabSize);
    const positions = batch.positionIds ?? positionIdsFromMask(batch.attentionMask, b, s);
    const layers = this.parts.layers;
    const layerOf = (name: string): number => {
      const m = /^model\.layers\.(\d+)\./.exec(name);
      return m ? Number(m[1]) : -1;
    };
    const embedName = "model.embed_tokens.weight";
    const out = tf.tidy(() => {
      const ctx = this.layerContext(b, s, positions, batch.attentionMask, undefined);
      const inputs: tf.Tensor2D[] = [];
      let x = this.parts.embedTokens.apply(batch.inputIds);
      for (const layer of layers) {
        inputs.push(x);
        x = layer.apply(x, ctx);
      }
      const sums = new Map<string, tf.Tensor>();
      const add = (name: string, g: tf.Tensor | null) => {
        if (!g) return;
        const prev = sums.get(name);
        sums.set(name, prev ? tf.add(prev, g) : g);
      };
      const headVars = entries.filter(([n]) => layerOf(n) < 0 && (n !== embedName || this.config.tieWordEmbeddings));
      const head = leanGradients(() => this.headLoss(x, rows, targets), [x, ...headVars.map(([, v]) => v)]);
      headVars.forEach(([n], i) => add(n, head.grads[i + 1]!));
      let dy = head.grads[0]!;
      const lowest = Math.min(
        ...entries.map(([n]) => (n === embedName ? -1 : layerOf(n) < 0 ? layers.length : layerOf(n))),
      );
      for (let l = layers.length - 1; l >= Math.max(lowest, 0); l--) {
        const own = entries.filter(([n]) => layerOf(n) === l);
        const input = inputs[l]!;
        const r = leanGradients(() => layers[l]!.apply(input, ctx), [input, ...own.map(([, v]) => v)], dy);
        own.forEach(([n], i) => add(n, r.grads[i + 1]!));
        dy = r.grads[0]!;
      }
      const embed = entries.find(([n]) => n === embedName);
      if (embed && lowest < 0) {
        const r = leanGradients(() => this.parts.embedTokens.apply(batch.inputIds), [embed[1]], dy);
        add(embedName, r.grads[0]!);
      }
      return [head.value, ...entries.map(([n, v]) => sums.get(n) ?? tf.zerosLike(v))];
    });
    const [loss, ...gs] = out;
    return { loss: loss as tf.Scalar, grads: new Map(entries.map(([n], i) => [n, gs[i]!])) };
  }

  /** Unregisters and disposes this model's parameters. */
  dispose(): void {
    for (const n of this.parameterNames) this.params.unregister(n);
  }

  private labelsOf(batch: CausalLMBatch): Int32Array {
    const labels = batch.labels;
    if (!labels) throw new Error("batch.labels: the causal-LM loss needs token labels (-100 where ignored)");
    if (!(labels instanceof Int32Array))
      throw new Error("batch.labels: expected an Int32Array of token ids (-100 where ignored)");
    return labels;
  }

  private lossOf(batch: CausalLMBatch): tf.Scalar {
    const { rows, targets } = shiftedTargets(
      this.labelsOf(batch),
      batch.batchSize,
      batch.seqLength,
      this.config.vocabSize,
    );
    const states = this.hidden(batch, undefined, false, false);
    return this.headLoss(states[states.length - 1]!, rows, targets);
  }

  /** Final norm, lm_head and the mean cross-entropy, from the last layer's output [B·S, H]. */
  private headLoss(last: tf.Tensor2D, rows: Int32Array, targets: Int32Array): tf.Scalar {
    return tf.tidy(() => {
      // Only the labelled rows go through the norm and lm_head: [N, V] instead of [B·S, V].
      const normed = this.parts.norm.apply(gatherRows(last, rows)) as tf.Tensor2D;
      return fusedOp(lmHeadCrossEntropySpec(normed, this.parts.lmHead as tf.Tensor2D, targets)) as tf.Scalar;
    });
  }

  private hidden(batch: CausalLMBatch, cache: KvCache | undefined, all: boolean, normed = true): tf.Tensor2D[] {
    const { batchSize: b, seqLength: s } = batch;
    const positions = batch.positionIds ?? positionIdsFromMask(batch.attentionMask, b, s);
    return this.run(batch.inputIds, b, s, positions, batch.attentionMask, cache, all, normed);
  }

  private layerContext(
    b: number,
    s: number,
    positions: Int32Array,
    keyMask: Int32Array,
    cache: KvCache | undefined,
  ): LayerContext {
    const past = cache?.length ?? 0;
    const { cos, sin } = rotaryTables(positions, b, s, this.parts.invFreq);
    return { batchSize: b, seqLength: s, cos, sin, mask: causalMask(keyMask, b, s, past), ...(cache ? { cache } : {}) };
  }

  /** The decoder stack; returns [embeddings, layer outputs..., final-normed] (or just the last). */
  private run(
    inputIds: Int32Array,
    b: number,
    s: number,
    positions: Int32Array,
    keyMask: Int32Array,
    cache: KvCache | undefined,
    all: boolean,
    normed = true,
  ): tf.Tensor2D[] {
    const ctx = this.layerContext(b, s, positions, keyMask, cache);
    let x = this.parts.embedTokens.apply(inputIds);
    const states: tf.Tensor2D[] = all ? [x] : [];
    this.parts.layers.forEach((layer, i) => {
      x = layer.apply(x, ctx);
      if (all && i < this.parts.layers.length - 1) states.push(x);
    });
    states.push(normed ? (this.parts.norm.apply(x) as tf.Tensor2D) : x);
    return states;
  }

  private logitsOf(rows: tf.Tensor2D): tf.Tensor2D {
    return tf.matMul(rows, this.parts.lmHead as tf.Tensor2D, false, true);
  }
}
