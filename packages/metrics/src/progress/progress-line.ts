import type { TrainerEvent } from "@aflora/core";
import { formatCount, formatDuration } from "../report/format.js";

/** What the progress line shows; updated from trainer events. */
export interface ProgressState {
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  loss: number | null;
  trainable: number | null;
  frozenMatrices: number;
  startedAt: number;
  startStep: number;
  lastEval: string | null;
}

export function initialProgress(): ProgressState {
  return {
    step: 0,
    totalSteps: 0,
    epoch: 0,
    epochs: 0,
    loss: null,
    trainable: null,
    frozenMatrices: 0,
    startedAt: 0,
    startStep: 0,
    lastEval: null,
  };
}

/** Folds one event into the state; returns true when the line should be redrawn. */
export function updateProgress(s: ProgressState, e: TrainerEvent, now: number): boolean {
  switch (e.type) {
    case "run:start":
      Object.assign(s, {
        step: e.startStep,
        startStep: e.startStep,
        // A resumed run shows the epoch of its last completed step, as the line does after every step.
        epoch: e.stepsPerEpoch > 0 ? Math.floor(Math.max(0, e.startStep - 1) / e.stepsPerEpoch) : 0,
        totalSteps: e.totalSteps,
        epochs: e.epochs,
        startedAt: now,
        trainable: e.trainable.trainableWithoutHead,
      });
      return true;
    case "epoch:start":
      s.epoch = e.epoch;
      return false;
    case "step:end":
      Object.assign(s, { step: s.step + 1, epoch: e.epoch, loss: e.loss, trainable: e.trainable.trainableWithoutHead });
      return true;
    case "params:frozen":
      s.frozenMatrices += e.names.length;
      s.trainable = e.trainable.trainableWithoutHead;
      return true;
    case "eval:end":
      s.lastEval = e.selection
        ? `${e.selection.metric} ${e.selection.value.toFixed(4)}`
        : Object.entries(e.metrics)
            .map(([k, v]) => `${k} ${v.toFixed(4)}`)
            .join(" ");
      return true;
    default:
      return false;
  }
}

/** Estimated remaining time from the pace of the steps done in this process. */
export function etaMs(s: ProgressState, now: number): number | null {
  const done = s.step - s.startStep;
  if (done <= 0 || s.totalSteps <= 0) return null;
  return ((now - s.startedAt) / done) * Math.max(0, s.totalSteps - s.step);
}

/** One line: step, epoch, loss, ETA, trainable parameters, frozen matrices (and the last evaluation). */
export function formatProgressLine(s: ProgressState, now: number, barWidth = 0): string {
  const frac = s.totalSteps ? Math.min(1, s.step / s.totalSteps) : 0;
  const bar = barWidth > 0 ? `[${"#".repeat(Math.round(frac * barWidth)).padEnd(barWidth, "-")}] ` : "";
  const parts = [
    `${bar}step ${s.step}/${s.totalSteps}`,
    `epoch ${Math.min(s.epoch + 1, Math.max(1, s.epochs))}/${s.epochs}`,
    `loss ${s.loss === null ? "–" : s.loss.toFixed(4)}`,
    `ETA ${formatDuration(etaMs(s, now))}`,
    `trainable ${formatCount(s.trainable)}`,
    `frozen ${s.frozenMatrices}`,
  ];
  if (s.lastEval) parts.push(`eval ${s.lastEval}`);
  return parts.join(" | ");
}
