import type { Tokenizer } from "@aflora/core";
import { TextBatchSource } from "./batching/text-batch-source.js";
import { encodeExamples } from "./encode/encode-examples.js";
import type { EncodedDataset } from "./encode/encoded-dataset.js";
import { TaskEvaluator } from "./evaluate/task-evaluator.js";
import { newReadStats, type Example, type ReadStats } from "./read/example.js";
import type { TaskInfo } from "./tasks/task-info.js";

/** Tokenization and batching choices, normally from the run config. */
export interface TaskLoadOptions {
  tokenizer: Tokenizer;
  batchSize: number;
  /** Defaults to `batchSize`. */
  evalBatchSize?: number;
  seed: number;
  /** Default 128 (HF run_glue); the AFLoRA scripts use 256. Capped at the tokenizer's `modelMaxLength`. */
  maxSeqLength?: number;
  /** Pad every batch to `maxSeqLength` (the authors' default) instead of the batch's longest example. */
  padToMaxLength?: boolean;
  groupByLength?: boolean;
  /** Where the evaluator's metric warnings go (constant predictions → NaN, …): the run log. Default console.warn. */
  warn?: (message: string) => void;
}

/** A task ready to train on: batches, an evaluator and what the readers saw. */
export interface LoadedTask {
  info: TaskInfo;
  train: TextBatchSource;
  evaluator: TaskEvaluator;
  /** One entry per file (or record source) read; `skipped` counts malformed rows skipped. */
  readStats: ReadStats[];
}

/** What a registered "task" plugin creates: the task's facts now, its data on `load`. */
export interface TaskData {
  readonly info: TaskInfo;
  load(options: TaskLoadOptions): Promise<LoadedTask>;
}

/** A readable split: its name, where it comes from, and how to stream its examples. */
export interface SplitSource {
  name: string;
  /** File path or description, for stats and errors. */
  origin: string;
  metricSuffix: string;
  read(stats: ReadStats): AsyncIterable<Example>;
}

/** Reads, tokenizes and batches a train split and its evaluation splits. */
export async function loadSplits(
  info: TaskInfo,
  train: SplitSource,
  evalSplits: SplitSource[],
  options: TaskLoadOptions,
): Promise<LoadedTask> {
  // As HF run_glue: never longer than the tokenizer's model_max_length.
  const maxSeqLength = Math.min(options.maxSeqLength ?? 128, options.tokenizer.modelMaxLength);
  const padTo = options.padToMaxLength ? maxSeqLength : undefined;
  const readStats: ReadStats[] = [];
  const encode = async (split: SplitSource): Promise<EncodedDataset> => {
    const stats = newReadStats(split.origin);
    readStats.push(stats);
    const data = await encodeExamples(split.read(stats), options.tokenizer, {
      maxSeqLength,
      regression: info.labels === null,
    });
    if (data.size === 0) throw new Error(`${split.origin}: no examples in the ${split.name} split`);
    return data;
  };
  const trainData = await encode(train);
  const evalData = [];
  for (const s of evalSplits) evalData.push({ name: s.name, data: await encode(s), metricSuffix: s.metricSuffix });
  const padTokenId = options.tokenizer.padTokenId;
  return {
    info,
    train: new TextBatchSource(trainData, {
      batchSize: options.batchSize,
      padTokenId,
      seed: options.seed,
      ...(padTo !== undefined ? { padToMaxLength: padTo } : {}),
      ...(options.groupByLength ? { groupByLength: true } : {}),
    }),
    evaluator: new TaskEvaluator(info, evalData, {
      batchSize: options.evalBatchSize ?? options.batchSize,
      padTokenId,
      ...(padTo !== undefined ? { padToMaxLength: padTo } : {}),
      ...(options.warn ? { warn: options.warn } : {}),
    }),
    readStats,
  };
}
