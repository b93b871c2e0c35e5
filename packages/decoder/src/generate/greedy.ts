import * as tf from "@tensorflow/tfjs-core";
import { KvCache } from "../model/kv-cache.js";
import type { LlamaForCausalLM } from "../model/llama-for-causal-lm.js";

export interface GreedyOptions {
  maxNewTokens: number;
  /** Rows stop after this id (default: the model's eos_token_id); null = take every step. */
  eosTokenId?: number | null;
  /** Fills a finished row's later steps (HF: pad_token_id; default the model's pad id, else 0). */
  padTokenId?: number;
  /** Default true. False recomputes the whole sequence every step (the reference for the cache). */
  useCache?: boolean;
  /** Called with each step's logits [B, V] before the argmax (the tensor is disposed afterwards). */
  onStep?: (step: number, logits: tf.Tensor2D) => void;
}

export interface GreedyResult {
  /** [B][≤ maxNewTokens] new tokens per row, up to and including EOS. */
  tokens: number[][];
}

/**
 * Batched greedy decoding of LEFT-padded prompts [B, P] (ids and mask row-major), as HF
 * `generate(do_sample=False)`: prefill with `cumsum(mask) − 1` positions, then one token per row
 * per step at the next position, the mask growing by a column of ones; finished rows get the
 * pad id and the loop ends when every row has produced EOS.
 */
export function greedyDecode(
  model: LlamaForCausalLM,
  inputIds: Int32Array,
  attentionMask: Int32Array,
  batchSize: number,
  options: GreedyOptions,
): GreedyResult {
  const b = batchSize;
  const p = inputIds.length / b;
  if (!Number.isInteger(p) || p < 1 || attentionMask.length !== inputIds.length)
    throw new Error(`greedyDecode: ids and mask must both be [${b}, P]`);
  for (let r = 0; r < b; r++) {
    if (!attentionMask[r * p + p - 1])
      throw new Error(`greedyDecode: row ${r} is not left-padded (its last prompt column is padding)`);
  }
  if (!Number.isInteger(options.maxNewTokens) || options.maxNewTokens < 0)
    throw new Error(`maxNewTokens: ${options.maxNewTokens} is not a non-negative integer`);
  const eos = options.eosTokenId === undefined ? model.config.eosTokenId : options.eosTokenId;
  const pad = options.padTokenId ?? model.config.padTokenId ?? 0;
  const useCache = options.useCache ?? true;
  const tokens: number[][] = Array.from({ length: b }, () => []);
  const done = new Array<boolean>(b).fill(false);
  const cache = useCache ? new KvCache(model.config.numHiddenLayers, b) : null;
  let ids = inputIds;
  let mask = attentionMask;
  try {
    for (let step = 0; step < options.maxNewTokens && !done.every(Boolean); step++) {
      const logits = cache
        ? model.decodeStep(
            cache,
            step === 0 ? ids : lastColumn(ids, b),
            step === 0 ? mask : ones(b),
            step === 0 ? p : 1,
          )
        : lastLogits(model, ids, mask, b);
      try {
        options.onStep?.(step, logits);
        const argMax = tf.argMax(logits, 1);
        const next = argMax.dataSync() as Int32Array;
        argMax.dispose();
        const chosen = new Int32Array(b);
        for (let r = 0; r < b; r++) {
          chosen[r] = done[r] ? pad : next[r]!;
          if (!done[r]) tokens[r]!.push(chosen[r]!);
          if (!done[r] && eos !== null && chosen[r] === eos) done[r] = true;
        }
        ids = appendColumn(ids, chosen, b);
        mask = appendColumn(mask, ones(b), b);
      } finally {
        logits.dispose();
      }
    }
  } finally {
    cache?.dispose();
  }
  return { tokens };
}

function lastLogits(model: LlamaForCausalLM, ids: Int32Array, mask: Int32Array, b: number): tf.Tensor2D {
  const s = ids.length / b;
  const logits = model.predict({ batchSize: b, seqLength: s, inputIds: ids, attentionMask: mask });
  const last = tf.tidy(
    () =>
      tf.reshape(tf.slice(logits, [0, s - 1, 0], [b, 1, model.config.vocabSize]), [
        b,
        model.config.vocabSize,
      ]) as tf.Tensor2D,
  );
  logits.dispose();
  return last;
}

function ones(b: number): Int32Array {
  return new Int32Array(b).fill(1);
}

function lastColumn(x: Int32Array, b: number): Int32Array {
  const s = x.length / b;
  return Int32Array.from({ length: b }, (_, r) => x[r * s + s - 1]!);
}

function appendColumn(x: Int32Array, col: Int32Array, b: number): Int32Array {
  const s = x.length / b;
  const out = new Int32Array(b * (s + 1));
  for (let r = 0; r < b; r++) {
    out.set(x.subarray(r * s, (r + 1) * s), r * (s + 1));
    out[r * (s + 1) + s] = col[r]!;
  }
  return out;
}
