/** The six adapted linears of an encoder layer (PEFT's BERT/DeBERTa default targets). */
export const LINEAR_ROLES = ["q", "k", "v", "o", "int", "out"] as const;
export type LinearRole = (typeof LINEAR_ROLES)[number];

/** A BERT/DeBERTa-shaped encoder classifier and the batch it trains on. */
export interface EncoderShape {
  layers: number;
  hidden: number;
  heads: number;
  /** Intermediate (FFN) width. */
  ffn: number;
  /** Tokens per sequence. */
  seq: number;
  /** Sequences per batch. */
  batch: number;
  /** Classifier outputs; default 2. */
  labels?: number;
  /** A pooler (hidden × hidden on the first token) before the classifier; default true. */
  pooler?: boolean;
  /**
   * DeBERTa's disentangled attention: the c2p and p2c matmuls against `2 × span` relative
   * positions (span = position_buckets, 256 for DeBERTa-v3) and the projections of the
   * relative embeddings through the query and key linears. Omit for BERT.
   */
  relativePositions?: { span: number };
}

/**
 * Which parameters train. `kind` "vector" is the ELoRA/AFLoRA path
 * `λb ⊙ B(λd ⊙ A x)` (λ always trainable); "lora" is `B A x` (A, B trainable unless
 * `matrixTrainable` says otherwise); "full" trains every encoder linear's W0; "none"
 * trains only the head.
 */
export interface AdapterShape {
  kind: "none" | "full" | "lora" | "vector";
  /** Rank of the low-rank path (ignored for "none"/"full"). */
  r?: number;
  /** Adapted roles; default all six. */
  targets?: readonly LinearRole[];
  /** Whether A or B of (layer, role) trains now; default: true for LoRA, false for "vector". */
  matrixTrainable?: (layer: number, role: LinearRole, matrix: "A" | "B") => boolean;
}

/** FLOPs (multiply-adds × 2) of the matmuls of one training step, split by where they run. */
export interface StepFlops {
  /** Every forward matmul (encoder, adapters, attention, head). */
  forward: number;
  /** Backward input-gradient matmuls (activations back to the earliest trainable parameter). */
  backwardInput: number;
  /** Backward weight-gradient matmuls (trainable weights only). */
  backwardWeight: number;
  /** forward + backwardInput + backwardWeight. */
  total: number;
  /** The adapter paths' share of `total`. */
  adapter: number;
  /** The attention score/context (and DeBERTa position) matmuls' share of `total`. */
  attention: number;
  /** Encoder forward FLOPs re-run by per-layer recomputation (gradient checkpointing); not in `total`. */
  recompute: number;
}
