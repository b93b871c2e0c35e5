import type { Tokenizer } from "@aflora/core";
import type { Example } from "../read/example.js";
import { EncodedDatasetBuilder, type EncodedDataset } from "./encoded-dataset.js";

export interface EncodeExamplesOptions {
  /** Truncate each example (special tokens included) to this many tokens (`max_seq_length`). */
  maxSeqLength: number;
  regression: boolean;
}

/**
 * Tokenizes a stream of examples (single or pair, truncated `longest_first` by the tokenizer)
 * into a packed dataset; the text of each example is dropped as soon as it is encoded.
 */
export async function encodeExamples(
  examples: AsyncIterable<Example> | Iterable<Example>,
  tokenizer: Tokenizer,
  options: EncodeExamplesOptions,
): Promise<EncodedDataset> {
  if (!Number.isInteger(options.maxSeqLength) || options.maxSeqLength < 2) {
    throw new Error(`maxSeqLength: expected an integer ≥ 2, got ${options.maxSeqLength}`);
  }
  const builder = new EncodedDatasetBuilder(options.regression);
  for await (const ex of examples) {
    const enc = tokenizer.encode(ex.textA, ex.textB, { maxLength: options.maxSeqLength, addSpecialTokens: true });
    if (enc.inputIds.length > options.maxSeqLength) {
      throw new Error(
        `tokenizer returned ${enc.inputIds.length} tokens for maxLength ${options.maxSeqLength}; it must truncate`,
      );
    }
    builder.add(enc.inputIds, enc.tokenTypeIds, ex.label);
  }
  return builder.build();
}
