import * as tf from "@tensorflow/tfjs-core";
import type { Linear, LossAndGradients, ParameterRegistry, TrainableModel } from "@aflora/core";
import type { LlamaConfig } from "../config/llama-config.js";
import type { LayerContext } from "./attention.js";
import { causalMask } from "./attention-mask.js";
import { shiftedTargets, validateCausalBatch, type CausalLMBatch } from "./causal-lm-batch.js";
import type { LlamaDecoderLayer } from "./decoder-layer.js";
import type { TokenEmbedding } from "./embedding.js";
import { gatherRows } from "./gather-rows.js";
import type { KvCache } from "./kv-cache.js";
import { positionIdsFromMask } from "./position-ids.js";
import type { RmsNorm } from "./rms-norm.js";
import { rotaryTables } from "./rotary.js";

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

  constructor(
    readonly config: LlamaConfig,
    readonly params: ParameterRegistry,
    private readonly parts: LlamaParts,
    /** Every parameter name this model registered (for `dispose`). */
    readonly parameterNames: readonly string[],
  ) {}

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
    const { value, grads: byVar } = tf.variableGrads(() => this.lossOf(batch), entries.map(([, v]) => v));
    for (const [n, v] of entries) grads.set(n, byVar[v.name] ?? tf.zerosLike(v));
    return { loss: value, grads };
  }

  /**
   * One decoding call with a KV cache: runs `inputIds` [B·S] (the prompt at prefill, then one
   * token per row) and returns the logits of each row's last position [B, V].
   */
  decodeStep(cache: KvCache, inputIds: Int32Array, attentionMask: Int32Array, seqLength: number): tf.Tensor2D {
    const b = cache.batchSize;
    const positions = positionIdsFromMask(attentionMask, b, seqLength, cache.length > 0 ? cache.lastPosition : undefined);
    const keyMask = new Int32Array(b * (cache.length + seqLength));
    const total = cache.length + seqLength;
    for (let r = 0; r < b; r++) {
      keyMask.set(cache.mask.subarray(r * cache.length, (r + 1) * cache.length), r * total);
      keyMask.set(attentionMask.subarray(r * seqLength, (r + 1) * seqLength), r * total + cache.length);
    }
    const logits = tf.tidy(() => {
      const states = this.run(inputIds, b, seqLength, positions, keyMask, cache, false);
      const last = tf.reshape(states[states.length - 1]!, [b, seqLength, this.config.hiddenSize]);
      const rows = tf.reshape(tf.slice(last, [0, seqLength - 1, 0], [b, 1, this.config.hiddenSize]), [b, this.config.hiddenSize]);
      return this.logitsOf(rows as tf.Tensor2D);
    });
    cache.advance(attentionMask, positions, seqLength);
    return logits;
  }

  /** Unregisters and disposes this model's parameters. */
  dispose(): void {
    for (const n of this.parameterNames) this.params.unregister(n);
  }

  private labelsOf(batch: CausalLMBatch): Int32Array {
    const labels = batch.labels;
    if (!labels) throw new Error("batch.labels: the causal-LM loss needs token labels (-100 where ignored)");
    if (!(labels instanceof Int32Array)) throw new Error("batch.labels: expected an Int32Array of token ids (-100 where ignored)");
    return labels;
  }

  private lossOf(batch: CausalLMBatch): tf.Scalar {
    const { rows, targets } = shiftedTargets(this.labelsOf(batch), batch.batchSize, batch.seqLength, this.config.vocabSize);
    const states = this.hidden(batch, undefined, false);
    const last = states[states.length - 1]!;
    // Only the labelled rows go through lm_head: [N, V] instead of [B·S, V].
    const logits = this.logitsOf(gatherRows(last, rows) as tf.Tensor2D);
    const v = this.config.vocabSize;
    const flat = Int32Array.from(targets, (t, i) => i * v + t);
    const picked = tf.reshape(gatherRows(tf.reshape(logits, [-1, 1]), flat), [-1]);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), picked)) as tf.Scalar;
  }

  private hidden(batch: CausalLMBatch, cache: KvCache | undefined, all: boolean): tf.Tensor2D[] {
    const { batchSize: b, seqLength: s } = batch;
    const positions = batch.positionIds ?? positionIdsFromMask(batch.attentionMask, b, s);
    return this.run(batch.inputIds, b, s, positions, batch.attentionMask, cache, all);
  }

  /** The decoder stack; returns [embeddings, layer outputs..., final-normed] (or just the last). */
  private run(inputIds: Int32Array, b: number, s: number, positions: Int32Array, keyMask: Int32Array, cache: KvCache | undefined, all: boolean): tf.Tensor2D[] {
    const past = cache?.length ?? 0;
    const { cos, sin } = rotaryTables(positions, b, s, this.parts.invFreq);
    const ctx: LayerContext = { batchSize: b, seqLength: s, cos, sin, mask: causalMask(keyMask, b, s, past), ...(cache ? { cache } : {}) };
    let x = this.parts.embedTokens.apply(inputIds);
    const states: tf.Tensor2D[] = all ? [x] : [];
    this.parts.layers.forEach((layer, i) => {
      x = layer.apply(x, ctx);
      if (all && i < this.parts.layers.length - 1) states.push(x);
    });
    states.push(this.parts.norm.apply(x) as tf.Tensor2D);
    return states;
  }

  private logitsOf(rows: tf.Tensor2D): tf.Tensor2D {
    return tf.matMul(rows, this.parts.lmHead as tf.Tensor2D, false, true);
  }
}
