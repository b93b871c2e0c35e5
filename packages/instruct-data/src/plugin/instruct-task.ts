import type { Tokenizer } from "@aflora/core";
import { InstructBatchSource } from "../batch/instruct-batch-source.js";
import type { InstructBatch } from "../batch/collate.js";
import { trainValidationSplit } from "../batch/train-validation-split.js";
import { ValidationLossEvaluator } from "../batch/validation-loss-evaluator.js";
import type { InstructExample } from "../format/instruct-example.js";
import type { CausalTokenizer } from "../tokenize/causal-tokenizer.js";
import { IGNORE_INDEX, tokenizeExample } from "../tokenize/tokenize-example.js";

/** Tokenization and batching as finetune.py does them (the defaults are its values in the authors' script). */
export interface InstructDataOptions {
  /** finetune.py `cutoff_len` (256). */
  cutoffLen: number;
  /** finetune.py `train_on_inputs`; false masks the prompt out of the loss. */
  trainOnInputs: boolean;
  /** finetune.py `val_set_size` (120): examples held out of the training file for the validation loss. */
  valSetSize: number;
  /** Seed of that split (finetune.py: 42). */
  valSeed: number;
  /** finetune.py pads on the left (`tokenizer.padding_side = "left"`). */
  paddingSide: "left" | "right";
  /** DataCollatorForSeq2Seq `pad_to_multiple_of` (8). */
  padToMultipleOf: number;
}

export const FINETUNE_DEFAULTS: InstructDataOptions = {
  cutoffLen: 256,
  trainOnInputs: false,
  valSetSize: 120,
  valSeed: 42,
  paddingSide: "left",
  padToMultipleOf: 8,
};

/** The task facts a causal-LM model needs (no labels: language modelling). */
export interface InstructTaskInfo {
  readonly name: string;
  readonly labels: null;
  readonly numLabels: 0;
  readonly problemType: "causal_lm";
}

export interface InstructLoadOptions {
  tokenizer: Tokenizer;
  batchSize: number;
  evalBatchSize?: number;
  seed: number;
}

export interface LoadedInstructTask {
  train: InstructBatchSource;
  evaluator?: ValidationLossEvaluator;
  /** Training examples whose response the cutoff removed entirely (every label −100: they train nothing). */
  fullyMasked: number;
  /** The held-out records (for generation-based evaluation), in split order. */
  validationRecords: InstructExample[];
  readStats: { file: string; rows: number }[];
}

/** What the "instruct-json" and "arithmetic-demo" task plugins create (core's RunTask shape). */
export interface InstructTaskData {
  readonly info: InstructTaskInfo;
  load(options: InstructLoadOptions): Promise<LoadedInstructTask>;
}

function asCausal(tokenizer: Tokenizer): CausalTokenizer {
  const t = tokenizer as Partial<CausalTokenizer>;
  if (typeof t.eosTokenId !== "number") {
    throw new Error(
      "task: the model's tokenizer has no eosTokenId; instruction tuning needs a causal-LM tokenizer (e.g. @aflora/decoder's LlamaTokenizer)",
    );
  }
  return tokenizer as CausalTokenizer;
}

/**
 * Builds the task from records already read: finetune.py's split (valSetSize held out),
 * tokenization (template, cutoff, `</s>`, prompt masking) and batching (dynamic padding).
 */
export function instructTask(
  name: string,
  readRecords: () => {
    records: InstructExample[];
    readStats: { file: string; rows: number }[];
    validation?: InstructExample[];
  },
  options: InstructDataOptions,
): InstructTaskData {
  return {
    info: { name, labels: null, numLabels: 0, problemType: "causal_lm" },
    async load(load: InstructLoadOptions): Promise<LoadedInstructTask> {
      const tokenizer = asCausal(load.tokenizer);
      const { records, readStats, validation: given } = readRecords();
      const split = given
        ? { train: records, validation: given }
        : trainValidationSplit(records, options.valSetSize, options.valSeed);
      const tok = (r: InstructExample) =>
        tokenizeExample(r, tokenizer, { cutoffLen: options.cutoffLen, trainOnInputs: options.trainOnInputs });
      const collateOptions = {
        padTokenId: tokenizer.padTokenId,
        paddingSide: options.paddingSide,
        padToMultipleOf: options.padToMultipleOf,
      };
      const tokenized = split.train.map(tok);
      const fullyMasked = tokenized.filter((t) => t.labels.every((l) => l === IGNORE_INDEX)).length;
      if (fullyMasked === tokenized.length) {
        throw new Error(
          `cutoffLen: ${options.cutoffLen} tokens leave no response token in any of the ${tokenized.length} training examples (the prompts alone are that long with this tokenizer); raise cutoffLen`,
        );
      }
      const train = new InstructBatchSource(tokenized, {
        ...collateOptions,
        batchSize: load.batchSize,
        seed: load.seed,
      });
      const evaluator =
        split.validation.length > 0
          ? new ValidationLossEvaluator(split.validation.map(tok), {
              ...collateOptions,
              batchSize: load.evalBatchSize ?? load.batchSize,
            })
          : undefined;
      return {
        train,
        ...(evaluator ? { evaluator } : {}),
        fullyMasked,
        validationRecords: split.validation,
        readStats,
      };
    },
  };
}

export type { InstructBatch };
