import type { TextBatch } from "@aflora/core";
import type { EncoderConfig } from "../config/encoder-config.js";

/** Checks a batch against the model before any tensor is made; one error naming the field. */
export function validateBatch(batch: TextBatch, config: EncoderConfig): void {
  const { batchSize: b, seqLength: s } = batch;
  if (!(Number.isInteger(b) && b > 0 && Number.isInteger(s) && s > 0)) {
    throw new Error(`batch: batchSize ${b} and seqLength ${s} must be positive integers`);
  }
  const n = b * s;
  const check = (field: string, arr: Int32Array | undefined, limit: number, what: string) => {
    if (!arr) return;
    if (arr.length !== n)
      throw new Error(`batch.${field}: ${arr.length} values, expected batchSize × seqLength = ${b} × ${s} = ${n}`);
    for (let i = 0; i < n; i++) {
      const v = arr[i]!;
      if (v < 0 || v >= limit) {
        throw new Error(`batch.${field}[${Math.floor(i / s)}][${i % s}] = ${v} is outside 0..${limit - 1} (${what})`);
      }
    }
  };
  check("inputIds", batch.inputIds, config.vocabSize, `vocab_size ${config.vocabSize}`);
  check("attentionMask", batch.attentionMask, 2, "0 or 1");
  // A model without token type embeddings (type_vocab_size 0) ignores them, as Transformers does.
  if (batch.tokenTypeIds && config.typeVocabSize > 0) {
    check("tokenTypeIds", batch.tokenTypeIds, config.typeVocabSize, `type_vocab_size ${config.typeVocabSize}`);
  }
  if (
    batch.examples !== undefined &&
    !(Number.isInteger(batch.examples) && batch.examples >= 0 && batch.examples <= b)
  ) {
    throw new Error(`batch.examples ${batch.examples} is not an integer in 0..${b}`);
  }
}

export function checkPositions(positionIds: Int32Array | null, config: EncoderConfig, seqLength: number): void {
  if (!positionIds) return;
  let max = 0;
  for (let i = 0; i < positionIds.length; i++) if (positionIds[i]! > max) max = positionIds[i]!;
  if (max >= config.maxPositionEmbeddings) {
    throw new Error(
      `batch: sequence length ${seqLength} needs position id ${max}, but the model has max_position_embeddings ${config.maxPositionEmbeddings}; truncate the inputs`,
    );
  }
}
