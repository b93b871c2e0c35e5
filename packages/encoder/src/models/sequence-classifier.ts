import * as tf from "@tensorflow/tfjs-core";
import {
  decideRecompute,
  Rng,
  type Json,
  type RecomputeDecision,
  type Linear,
  type LossAndGradients,
  type ParameterRegistry,
  type Stateful,
  type TextBatch,
  type TrainableModel,
} from "@aflora/core";
import { attentionSpan, type EncoderConfig } from "../config/encoder-config.js";
import type { AttentionContext } from "../layers/attention-context.js";
import type { BatchInputs } from "../layers/batch-inputs.js";
import { EVAL, type DropoutContext } from "../layers/dropout.js";
import { flatRelativeIndices, relEmbeddingIndex } from "../layers/relative-position.js";
import { sequenceClassificationLoss } from "../losses.js";
import type { EncoderParts } from "./encoder-parts.js";
import { recomputedGradients, wholeGraphGradients, type EncoderStages } from "./layer-recompute.js";
import { checkPositions, validateBatch } from "./validate-batch.js";
import { estimateStepActivationBytes } from "./step-memory.js";

/** float32's lowest value: Transformers' additive mask value for padded keys. */
const MASK_VALUE = -3.4028234663852886e38;

export interface EncoderModelOptions {
  /**
   * Per-layer recomputation in `lossAndGradients` (gradient checkpointing): the forward keeps
   * only each layer's input, and the backward recomputes one layer at a time, bounding memory
   * at one extra forward's cost. "auto" (default) turns it on only for a batch whose estimated
   * activations (`estimateStepActivationBytes`) do not fit the backend's memory (`tensorMemoryBudget`:
   * the 4 GiB wasm32 heap on wasm and native).
   */
  recompute?: boolean | "auto";
  /** Seed of the dropout masks (training mode). */
  seed?: number | string;
}

export interface ForwardOptions {
  /** Dropout on (default false: eval mode, like `model.eval()`). */
  training?: boolean;
  /** Also return the embedding output and every layer's output. */
  outputHiddenStates?: boolean;
}

/** What `forward` returns; the caller owns (and disposes) every tensor. */
export interface EncoderOutput {
  /** [B, num_labels] */
  logits: tf.Tensor2D;
  /** The head's pooled representation [B, P] (see HeadOutput.pooled). */
  pooledOutput: tf.Tensor2D;
  /** The base model's last_hidden_state [B, S, H]. */
  lastHiddenState: tf.Tensor3D;
  /** With outputHiddenStates: num_hidden_layers + 1 tensors [B, S, H] (embedding output first). */
  hiddenStates?: tf.Tensor3D[];
}

/**
 * A Hugging Face `*ForSequenceClassification` model (BERT, RoBERTa, DeBERTa-v2/v3) in
 * TensorFlow.js: named Linear modules, variables in a ParameterRegistry under their HF names,
 * and the loss Transformers computes. Build it with `loadEncoder` or `createEncoderFromConfig`.
 */
export class EncoderForSequenceClassification implements TrainableModel<TextBatch>, Stateful {
  readonly stateKey = "encoder.dropout-rng";
  /** Whether `lossAndGradients` recomputes layer by layer (see EncoderModelOptions.recompute). */
  recompute: boolean | "auto";
  /** What the last `lossAndGradients` chose, and why (for reports). */
  lastRecompute: RecomputeDecision | null = null;
  private training = true;
  private readonly rng: Rng;
  private readonly indexCache = new Map<string, { c2p: Int32Array; p2c: Int32Array }>();

  constructor(
    readonly config: EncoderConfig,
    readonly params: ParameterRegistry,
    private readonly parts: EncoderParts,
    /** Every parameter name this model registered (for `dispose`). */
    readonly parameterNames: readonly string[],
    options: EncoderModelOptions = {},
  ) {
    this.recompute = options.recompute ?? "auto";
    this.rng = new Rng(options.seed ?? 0);
  }

  /** Every Linear by its Hugging Face module name, for adapters to wrap. */
  linears(): Map<string, Linear> {
    return new Map(this.parts.linears);
  }

  /**
   * A value (or gradient) of parameter `name` in the Hugging Face layout: Linear kernels are
   * stored [in, out] and come back [out, in]; everything else is copied. The caller disposes it.
   */
  toStateLayout(name: string, value: tf.Tensor): tf.Tensor {
    const lin = name.endsWith(".weight") ? this.parts.linears.get(name.slice(0, -".weight".length)) : undefined;
    return lin ? tf.transpose(value) : tf.clone(value);
  }

  /** Dropout in `lossAndGradients` (default on). `predict` and `forward` choose their own mode. */
  setTraining(training: boolean): void {
    this.training = training;
  }

  get isTraining(): boolean {
    return this.training;
  }

  forward(batch: TextBatch, options: ForwardOptions = {}): EncoderOutput {
    validateBatch(batch, this.config);
    const drop = this.dropoutContext(options.training ?? false);
    const { batchSize: b, seqLength: s } = batch;
    const h = this.config.hiddenSize;
    const out = tf.tidy(() => {
      const inputs = this.inputs(batch);
      const ctx = this.attentionContext(batch, drop);
      const rel = this.relativeTable();
      const states: tf.Tensor2D[] = [this.parts.embeddings.apply(inputs, drop)];
      for (const layer of this.parts.layers) states.push(layer.apply(states[states.length - 1]!, rel, ctx));
      const last = states[states.length - 1]!;
      const { pooled, logits } = this.parts.head.apply(last, b, s, drop);
      const hidden = options.outputHiddenStates ? states.map((x) => tf.reshape(x, [b, s, h]) as tf.Tensor3D) : [];
      return [logits, pooled, tf.reshape(last, [b, s, h]) as tf.Tensor3D, ...hidden];
    });
    const [logits, pooledOutput, lastHiddenState, ...hiddenStates] = out as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor3D,
      ...tf.Tensor3D[],
    ];
    return options.outputHiddenStates
      ? { logits, pooledOutput, lastHiddenState, hiddenStates }
      : { logits, pooledOutput, lastHiddenState };
  }

  /** Logits [B, num_labels] in eval mode (regression: [B, 1]). */
  predict(batch: TextBatch): tf.Tensor {
    const out = this.forward(batch);
    tf.dispose([out.pooledOutput, out.lastHiddenState]);
    return out.logits;
  }

  /** The loss Transformers returns for `batch.labels`, in eval mode (no dropout). */
  loss(batch: TextBatch): tf.Scalar {
    const labels = requireLabels(batch);
    const out = this.forward(batch);
    const loss = tf.tidy(() => this.lossFromLogits(out.logits, batch, labels));
    tf.dispose([out.logits, out.pooledOutput, out.lastHiddenState]);
    return loss;
  }

  /**
   * Loss and gradients of exactly `vars` (dropout on unless `setTraining(false)`). With
   * `recompute`, the backward runs one layer at a time and stops below the lowest layer that
   * holds a requested variable (training only the head costs a forward and a head backward).
   */
  lossAndGradients(batch: TextBatch, vars: ReadonlyMap<string, tf.Variable>): LossAndGradients {
    const labels = requireLabels(batch);
    validateBatch(batch, this.config);
    const drop = this.dropoutContext(this.training);
    const names = [...vars.keys()];
    const result = tf.tidy(() => {
      const inputs = this.inputs(batch);
      const ctx = this.attentionContext(batch, drop);
      const { batchSize: b, seqLength: sl } = batch;
      const stages: EncoderStages = {
        prefix: this.parts.prefix,
        numLayers: this.parts.layers.length,
        embed: () => this.parts.embeddings.apply(inputs, drop),
        relativeTable: () => this.relativeTable(),
        layer: (l, h, rel) => this.parts.layers[l]!.apply(h, rel, ctx),
        headLoss: (last) =>
          tf.tidy(() => this.lossFromLogits(this.parts.head.apply(last, b, sl, drop).logits, batch, labels)),
      };
      const gradientBytes = 4 * [...vars.values()].reduce((n, v) => n + v.size, 0);
      const grads = this.recomputeDecision(b, sl, gradientBytes).recompute
        ? recomputedGradients(stages, vars)
        : wholeGraphGradients(stages, vars);
      const all = [...vars.values()];
      return [grads.loss, ...names.map((n, i) => grads.byName.get(n) ?? tf.zerosLike(all[i]!))];
    });
    const [loss, ...gs] = result;
    const map = new Map<string, tf.Tensor>();
    names.forEach((n, i) => map.set(n, gs[i]!));
    return { loss: loss as tf.Scalar, grads: map };
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

  saveState(): { json: Json } {
    return { json: this.rng.getState().map((v) => (Number.isNaN(v) ? null : v)) as Json };
  }

  loadState(state: { json: Json }): void {
    const arr = state.json as (number | null)[];
    this.rng.setState(arr.map((v) => (v === null ? Number.NaN : v)));
  }

  /** Unregisters and disposes this model's parameters. */
  dispose(): void {
    for (const n of this.parameterNames) this.params.unregister(n);
  }

  private lossFromLogits(logits: tf.Tensor2D, batch: TextBatch, labels: Int32Array | Float32Array): tf.Scalar {
    const b = batch.batchSize;
    const real = batch.examples ?? b;
    if (real === b) return sequenceClassificationLoss(this.config, logits, labels);
    // Padding rows that fill a short last batch do not count.
    const perRow = labels.length / b;
    return tf.tidy(() =>
      sequenceClassificationLoss(
        this.config,
        tf.slice(logits, [0, 0], [real, logits.shape[1]]),
        labels.slice(0, real * perRow) as Int32Array | Float32Array,
      ),
    );
  }

  private dropoutContext(training: boolean): DropoutContext {
    return training ? { training: true, seed: this.rng.nextUint32() } : EVAL;
  }

  private inputs(batch: TextBatch): BatchInputs {
    const { batchSize: b, seqLength: s } = batch;
    const positions = this.parts.positionIds(batch.inputIds, b, s);
    checkPositions(positions, this.config, s);
    return {
      batchSize: b,
      seqLength: s,
      inputIds: tf.tensor1d(batch.inputIds, "int32"),
      positionIds: positions ? tf.tensor1d(positions, "int32") : null,
      tokenTypeIds:
        batch.tokenTypeIds && this.config.typeVocabSize > 0 ? tf.tensor1d(batch.tokenTypeIds, "int32") : null,
      mask: tf.tensor2d(Float32Array.from(batch.attentionMask), [b * s, 1]),
    };
  }

  private attentionContext(batch: TextBatch, drop: DropoutContext): AttentionContext {
    const { batchSize: b, seqLength: s } = batch;
    const keyMask = new Float32Array(b * s);
    for (let i = 0; i < b * s; i++) keyMask[i] = batch.attentionMask[i] ? 0 : MASK_VALUE;
    const ctx: AttentionContext = {
      batchSize: b,
      seqLength: s,
      keyMask: tf.tensor4d(keyMask, [1, b, 1, s]),
      dropout: drop,
    };
    if (this.config.modelType === "deberta-v2" && this.config.relativeAttention && this.config.posAttType.length > 0) {
      const idx = this.relativeIndices(b, s);
      if (this.config.posAttType.includes("c2p")) ctx.c2pIndex = tf.tensor1d(idx.c2p, "int32");
      if (this.config.posAttType.includes("p2c")) ctx.p2cIndex = tf.tensor1d(idx.p2c, "int32");
    }
    return ctx;
  }

  private relativeIndices(b: number, s: number): { c2p: Int32Array; p2c: Int32Array } {
    const key = `${b}x${s}`;
    let hit = this.indexCache.get(key);
    if (!hit) {
      const config = this.config as Extract<EncoderConfig, { modelType: "deberta-v2" }>;
      const index = relEmbeddingIndex(config, s);
      const n = config.numAttentionHeads * b;
      const span2 = 2 * attentionSpan(config);
      hit = {
        c2p: flatRelativeIndices(index, s, span2, n, "c2p"),
        p2c: flatRelativeIndices(index, s, span2, n, "p2c"),
      };
      if (this.indexCache.size >= 8) this.indexCache.delete(this.indexCache.keys().next().value!);
      this.indexCache.set(key, hit);
    }
    return hit;
  }

  /** A fresh tensor [2·span, H] (never the variable itself, so its gradient can be taken as an input's). */
  private relativeTable(): tf.Tensor2D | null {
    const t = this.parts.relativeTable;
    if (!t) return null;
    return tf.tidy(
      () => (t.layerNorm ? t.layerNorm.apply(t.embeddings.weight) : tf.clone(t.embeddings.weight)) as tf.Tensor2D,
    );
  }
}

function requireLabels(batch: TextBatch): Int32Array | Float32Array {
  if (!batch.labels) throw new Error("batch.labels: the loss needs labels");
  return batch.labels;
}
