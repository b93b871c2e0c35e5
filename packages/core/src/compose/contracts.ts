import type { BatchSource, Evaluator } from "../data.js";
import type { TextBatch, TrainableModel } from "../model.js";
import type { Rng } from "../random/rng.js";
import type { Tokenizer } from "../tokenizer.js";
import type { TrainerPlugin } from "../trainer-plugin.js";

/** What a model needs to know of the task it is built for (the head's width and labels). */
export interface TaskInfo {
  readonly name: string;
  /** Class names in label-id order, or null for regression and language modelling. */
  readonly labels: readonly string[] | null;
  readonly numLabels: number;
  readonly problemType: string;
}

export interface TaskLoadOptions {
  tokenizer: Tokenizer;
  batchSize: number;
  seed: number;
  maxSeqLength?: number;
  padToMaxLength?: boolean;
  /** Warnings of the task's metrics (a constant prediction makes Pearson NaN), for the run log. */
  warn?: (message: string) => void;
}

export interface ReadStat {
  file: string;
  rows: number;
  skipped?: number;
}

export interface LoadedTask<B = TextBatch> {
  train: BatchSource<B>;
  evaluator?: Evaluator<B>;
  readStats?: readonly ReadStat[];
}

/** What a "task" plugin creates: the task's facts now, its batches on `load`. */
export interface RunTask<B = TextBatch> {
  readonly info: TaskInfo;
  load(options: TaskLoadOptions): Promise<LoadedTask<B>>;
}

export interface ModelLoadContext {
  task: TaskInfo;
  seed: number;
  warn(message: string): void;
}

/** A model built for a run, with its tokenizer and the Hugging Face config it came from. */
export interface LoadedModel<B = TextBatch> {
  readonly model: TrainableModel<B>;
  readonly tokenizer: Tokenizer;
  /** The Hugging Face config.json the model was built from (with the task's labels). */
  readonly modelConfig: Record<string, unknown>;
  /** Where the weights came from, for the log and the report. */
  readonly origin: string;
  /** True when no pretrained weights were loaded. */
  readonly randomInit: boolean;
  /** The model path or hub id it was loaded from (null for built-in models): an adapter's `base_model_name_or_path`. */
  readonly nameOrPath: string | null;
  /** PEFT's `task_type` for adapters on this model: "SEQ_CLS", "CAUSAL_LM", … */
  readonly taskType: string;
  /** The folder (or tokenizer.json) the tokenizer was read from, so exports can carry it. */
  readonly tokenizerPath?: string;
  /** Writes the whole model as a Hugging Face folder (config.json + model.safetensors). */
  save(dir: string): void;
}

/** What a "model" plugin creates: a source that builds the model once the task is known. */
export interface ModelSource<B = TextBatch> {
  /** The config's model path or hub id, as given (null for built-in models). */
  readonly nameOrPath: string | null;
  load(context: ModelLoadContext): Promise<LoadedModel<B>>;
}

export interface AdapterApplyContext {
  rng: Rng;
  loaded: LoadedModel<unknown>;
}

/** The trainable part a method put on a model; `save` writes it into the run folder. */
export interface RunAdapter {
  /** Writes the trained artifacts (the adapter in PEFT layout, or the whole model) into `runDir`. */
  save(runDir: string): Promise<void>;
  /** Undoes the method (removes adapter variables); the model stays usable. */
  dispose(): void;
}

/** What an "adapter" plugin creates: a configured method, ready to apply. */
export interface AdapterFactory {
  /** True when the method's projection matrices are frozen during training by the freezing plugin (AFLoRA). */
  readonly freezing: boolean;
  apply(model: TrainableModel<unknown>, context: AdapterApplyContext): RunAdapter;
}

/** What a "reporter" plugin creates: a plugin that writes the run's events somewhere (a file, a server). */
export type Reporter = TrainerPlugin;
