import type * as tf from "@tensorflow/tfjs-core";
import type { Stateful } from "./trainer-plugin.js";

/** A freezable projection matrix as the freezing scorer sees it at one step (borrowed tensors). */
export interface TrackedMatrix {
  name: string;
  value: tf.Tensor;
  grad: tf.Tensor;
}

/**
 * Computes freezing scores from gradients (plugin kind "scorer"). The controller calls
 * `update` once per optimizer step with the still-trainable matrices, then asks for
 * element-wise scores at mask steps.
 */
export interface FreezingScorer extends Stateful {
  readonly name: string;
  update(step: number, tracked: readonly TrackedMatrix[]): void;
  /** Element-wise scores (row-major, float32) for each named matrix still tracked. */
  elementScores(names: readonly string[]): Map<string, Float32Array>;
  /** Drops the state of matrices that froze. */
  forget(names: readonly string[]): void;
  /** Window length in steps when the scorer smooths over windows (the schedule masks on the same boundaries). */
  readonly deltaT?: number;
}

export interface ScheduleContext {
  totalSteps: number;
  stepsPerEpoch: number;
  epochs: number;
}

/** The schedule's answer at one step: the remaining ratio ("threshold") and whether to decide now. */
export interface ScheduleDecision {
  threshold: number;
  mask: boolean;
  /** Freeze every tracked matrix now (at-epoch, from-start), regardless of scores. */
  freezeAll?: boolean;
}

/** Turns a step into a freezing threshold (plugin kind "schedule"). */
export interface FreezeSchedule {
  readonly name: string;
  /** Freeze every tracked matrix before the first step (ELoRA-like `from-start`); the controller does it at `run:start`. */
  readonly freezesAtStart?: boolean;
  /** Steps between mask decisions in the schedule's main phase, when it has one. */
  readonly deltaT?: number;
  at(step: number, ctx: ScheduleContext): ScheduleDecision;
}
