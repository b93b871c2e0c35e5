import type { DependencyContainer } from "tsyringe";
import type { BackendName } from "./backend-name.js";
import type { BatchSource, Evaluator } from "./data.js";
import type { TextBatch, TrainableModel } from "./model.js";
import { NAN_POLICIES, type NanPolicy } from "./non-finite.js";
import { OPTIM_NAMES, type AdamWConfig, type OptimName } from "./optim/adamw.js";
import type { LrSchedule } from "./optim/lr-schedule.js";
import { LR_SCHEDULER_TYPES, type LrSchedulerKwargs, type LrSchedulerType } from "./optim/schedulers.js";
import type { Stateful, TrainerPlugin } from "./trainer-plugin.js";

export interface TrainerOptions<B = TextBatch> {
  model: TrainableModel<B>;
  /** Training micro-batches, epoch by epoch (deterministic per epoch, so a resume can skip to its position). */
  train: BatchSource<B>;
  /** Held-out evaluation; its `selectionMetric` (or `metricForBestModel`) picks the best weights. */
  evaluator?: Evaluator<B>;
  epochs: number;
  /** HF `max_steps`: when > 0, the number of optimizer steps and the schedule's horizon; overrides `epochs`. */
  maxSteps?: number | null;
  optimizer: AdamWConfig;
  /**
   * HF `optim`: "adamw_torch" (torch.optim.AdamW) or "adamw_hf" (transformers' AdamW);
   * overrides `optimizer.variant`.
   */
  optim?: OptimName;
  /** HF `lr_scheduler_type`. Default "linear" (warmup, then linear decay to 0). */
  lrSchedulerType?: LrSchedulerType;
  /** HF `lr_scheduler_kwargs`: numCycles (cosine), lrEnd and power (polynomial). */
  lrSchedulerKwargs?: LrSchedulerKwargs;
  /** Warmup over ceil(ratio · total steps). Default 0. */
  warmupRatio?: number;
  /** HF `warmup_steps`: when > 0, the warmup length in steps; overrides `warmupRatio`. */
  warmupSteps?: number;
  /** Learning-rate multiplier per 0-based step; replaces `lrSchedulerType` when given. */
  schedule?: LrSchedule;
  /** Global gradient-norm clipping (the paper: 0.1); null or omitted: no clipping. */
  maxGradNorm?: number | null;
  /** Micro-batches averaged into one optimizer step. Default 1. */
  gradientAccumulation?: number;
  /** HF `logging_steps`: a `log_history` entry every N optimizer steps. Default 500 (HF's). */
  loggingSteps?: number;
  /** Evaluate at every epoch end (default) or every N steps (HF `eval_steps`); the last step ends an epoch. */
  evalEvery?: "epoch" | number;
  /** Folder for checkpoints (`checkpoint-<step>/` + `latest`); none are written without it. */
  checkpointDir?: string;
  /** Checkpoint at every epoch end (default) or every N optimizer steps (HF `save_steps`). */
  checkpointEvery?: "epoch" | number;
  /** Also checkpoint after the last step when `checkpointEvery` did not (HF saves at the end). Default false. */
  checkpointAtEnd?: boolean;
  /** HF `save_total_limit`: keep only the newest N checkpoints plus the best one; default: keep all. */
  checkpointLimit?: number;
  /** "all" parameters (default) or only those trainable at the start ("trained"; the rest never change). */
  checkpointParameters?: "all" | "trained";
  /** HF `load_best_model_at_end`: restore the best evaluation's weights at the end. Default: true with an evaluator. */
  loadBestModelAtEnd?: boolean;
  /** HF `metric_for_best_model` (with or without the `eval_` prefix). Default: the evaluator's `selectionMetric`. */
  metricForBestModel?: string;
  /** HF `greater_is_better`. Default: false when the metric's name ends in "loss", else true. */
  greaterIsBetter?: boolean;
  /** HF EarlyStoppingCallback `early_stopping_patience`: stop after N evaluations without improvement. Default: off. */
  earlyStoppingPatience?: number | null;
  /** HF `early_stopping_threshold`: an improvement must exceed it. Default 0. */
  earlyStoppingThreshold?: number;
  /** A non-finite loss or gradient norm: "stop" (default; the run diverged) or "skip-step" (drop that update). */
  nanPolicy?: NanPolicy;
  /** Checkpoint folder, or a checkpoint root with a `latest` file, to continue from. */
  resumeFrom?: string;
  /** The run's seed (recorded in RunInfo and checkpoints; models and batch sources derive their Rng from it). */
  seed: number;
  plugins?: TrainerPlugin[];
  /**
   * Extra state for checkpoints (e.g. `statefulRng("dropout", rng)`). The model, train source and
   * evaluator are included when Stateful.
   */
  stateful?: Stateful[];
  /** `outputDir`: where trainer_state.json is written at the end (also recorded in RunInfo). */
  runInfo?: { runId?: string; outputDir?: string | null };
  /** A run container from `createRunContainer` (its plugins share its event stream); one is created otherwise. */
  container?: DependencyContainer;
  /** Select this backend before training; default: keep TensorFlow.js's current backend. */
  backend?: BackendName | "auto";
}

/** Checks the options a Trainer validates up front; errors name the field. */
export function validateTrainerOptions<B>(o: TrainerOptions<B>): void {
  const fail = (field: string, want: string, got: unknown): never => {
    throw new Error(`${field}: expected ${want}, got ${typeof got === "string" ? JSON.stringify(got) : String(got)}`);
  };
  const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  const oneOf = (field: string, names: readonly string[], v: string | undefined) => {
    if (v !== undefined && !names.includes(v)) fail(field, `one of ${names.join(", ")}`, v);
  };
  for (const f of ["evalEvery", "checkpointEvery"] as const) {
    const v = o[f];
    if (v !== undefined && v !== "epoch" && !positiveInt(v)) fail(f, '"epoch" or a positive integer', v);
  }
  for (const f of ["checkpointLimit", "loggingSteps"] as const) {
    if (o[f] !== undefined && !positiveInt(o[f])) fail(f, "a positive integer", o[f]);
  }
  const patience = o.earlyStoppingPatience;
  if (patience != null && !positiveInt(patience)) fail("earlyStoppingPatience", "a positive integer or null", patience);
  if (patience != null && !o.evaluator) throw new Error("earlyStoppingPatience: early stopping needs an evaluator");
  const threshold = o.earlyStoppingThreshold;
  if (threshold !== undefined && !(threshold >= 0)) fail("earlyStoppingThreshold", "a non-negative number", threshold);
  const warmup = o.warmupSteps;
  const okWarmup = warmup === undefined || (Number.isInteger(warmup) && warmup >= 0);
  if (!okWarmup) fail("warmupSteps", "a non-negative integer", warmup);
  if (o.maxGradNorm != null && !(o.maxGradNorm > 0)) fail("maxGradNorm", "a positive number or null", o.maxGradNorm);
  if (!Number.isFinite(o.seed)) fail("seed", "a number", o.seed);
  oneOf("nanPolicy", NAN_POLICIES, o.nanPolicy);
  oneOf("optim", OPTIM_NAMES, o.optim);
  oneOf("lrSchedulerType", LR_SCHEDULER_TYPES, o.lrSchedulerType);
}

/** HF's default for `greater_is_better`: false for a loss, true otherwise. */
export function defaultGreaterIsBetter(metric: string): boolean {
  return !metric.endsWith("loss");
}
