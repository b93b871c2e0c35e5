import type * as tf from "@tensorflow/tfjs-core";
import type { BackendName } from "./backend-name.js";

/**
 * Every lifecycle event of a run, as one discriminated union on `type`.
 * Events are emitted synchronously, in the order documented in docs/architecture.md.
 * Tensors inside an event are borrowed: valid only during the synchronous callback.
 */
export const TRAINER_EVENT_TYPES = [
  "run:start",
  "epoch:start",
  "step:start",
  "step:gradients",
  "step:end",
  "params:frozen",
  "eval:end",
  "checkpoint:saved",
  "epoch:end",
  "run:end",
  "run:error",
] as const;

export type TrainerEventType = (typeof TRAINER_EVENT_TYPES)[number];

export interface RunStartEvent {
  type: "run:start";
  runId: string;
  totalSteps: number;
  stepsPerEpoch: number;
  epochs: number;
  backend: BackendName;
  /** Optimizer step the run starts from: 0, or the checkpoint's step on resume. */
  startStep: number;
  trainable: TrainableCounts;
}

export interface EpochStartEvent {
  type: "epoch:start";
  epoch: number;
  step: number;
}

export interface StepStartEvent {
  type: "step:start";
  /** Optimizer steps completed before this one (0 on the first step), as the authors' global_step. */
  step: number;
  epoch: number;
}

export interface StepGradientsEvent {
  type: "step:gradients";
  step: number;
  epoch: number;
  /**
   * Gradients of the trainable variables after backward (accumulated over micro-batches),
   * before clipping and the update. Borrowed: disposed after the callback returns.
   */
  gradients: ReadonlyMap<string, tf.Tensor>;
  /** The current values of the same variables (borrowed). */
  values: ReadonlyMap<string, tf.Variable>;
}

export interface StepEndEvent {
  type: "step:end";
  step: number;
  epoch: number;
  loss: number;
  /** Learning rate used by this step, per optimizer parameter group. */
  learningRates: Record<string, number>;
  gradNorm: number;
  trainable: TrainableCounts;
}

export interface ParamsFrozenEvent {
  type: "params:frozen";
  step: number;
  names: string[];
  reason: string;
  /** Free-form numbers the freezing plugin attached (score, threshold, ...). */
  details?: Record<string, unknown>;
  trainable: TrainableCounts;
}

export interface EvalEndEvent {
  type: "eval:end";
  step: number;
  epoch: number;
  metrics: Record<string, number>;
  /** Name and value of the selection metric, and whether this evaluation is the best so far. */
  selection?: { metric: string; value: number; isBest: boolean };
}

export interface CheckpointSavedEvent {
  type: "checkpoint:saved";
  step: number;
  epoch: number;
  path: string;
}

export interface EpochEndEvent {
  type: "epoch:end";
  epoch: number;
  step: number;
}

export interface RunSummary {
  /** Optimizer steps completed (including those before a resume). */
  steps: number;
  /** Epochs completed, fractional after an early stop: steps / stepsPerEpoch. */
  epochs: number;
  finalLoss: number | null;
  bestMetric?: { metric: string; value: number; step: number };
  /** Step-weighted average of trainable parameters without the head, as the paper reports. */
  averageTrainableWithoutHead: number;
  wallTimeMs: number;
  /** True when the run ended before its last step (a plugin, early stopping or an interrupt). */
  stoppedEarly: boolean;
  /**
   * "completed": reached its last step (with `maxSteps`, that step); "stopped early": a plugin or
   * early stopping ended it; "interrupted": `Trainer.interrupt` (Ctrl-C) ended it after a
   * checkpoint. A diverged run has no summary: `run()` rejects with TrainingDivergedError.
   */
  status: RunEndStatus;
  /** Steps whose update was dropped for a non-finite loss or gradient (`nanPolicy: "skip-step"`), over the whole run. */
  skippedSteps: number;
  backend: BackendName;
}

export type RunEndStatus = "completed" | "stopped early" | "interrupted";

export interface RunEndEvent {
  type: "run:end";
  step: number;
  summary: RunSummary;
}

export interface RunErrorEvent {
  type: "run:error";
  step: number;
  error: Error;
  /** "diverged" when the error is a TrainingDivergedError (non-finite loss, gradient or weights), else "failed". */
  status?: "diverged" | "failed";
}

export interface TrainableCounts {
  total: number;
  trainable: number;
  trainableWithoutHead: number;
  byGroup: Record<string, { total: number; trainable: number }>;
}

export type TrainerEvent =
  | RunStartEvent
  | EpochStartEvent
  | StepStartEvent
  | StepGradientsEvent
  | StepEndEvent
  | ParamsFrozenEvent
  | EvalEndEvent
  | CheckpointSavedEvent
  | EpochEndEvent
  | RunEndEvent
  | RunErrorEvent;

export type TrainerEventOf<T extends TrainerEventType> = Extract<TrainerEvent, { type: T }>;
