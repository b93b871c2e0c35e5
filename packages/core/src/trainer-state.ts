import { existsSync, readFileSync } from "node:fs";

/** Hugging Face's file name, in each checkpoint folder and in the run's output folder. */
export const TRAINER_STATE_FILE = "trainer_state.json";

/** One `log_history` entry: a training log, an evaluation (`eval_<metric>`) or the final summary. */
export type LogHistoryEntry = Record<string, number>;

/**
 * `trainer_state.json` with Hugging Face's `TrainerState` field names, so tools that read HF
 * runs read aflora's. Fields aflora has no notion of keep HF's values for a single process.
 */
export interface TrainerStateJson {
  best_metric: number | null;
  best_model_checkpoint: string | null;
  epoch: number;
  eval_steps: number | null;
  global_step: number;
  is_hyper_param_search: false;
  is_local_process_zero: true;
  is_world_process_zero: true;
  log_history: LogHistoryEntry[];
  logging_steps: number;
  max_steps: number;
  num_train_epochs: number;
  save_steps: number | null;
  total_flos: number;
  train_batch_size: number | null;
  trial_name: null;
  trial_params: null;
}

export interface TrainerStateFacts {
  loggingSteps: number;
  evalSteps: number | null;
  saveSteps: number | null;
  maxSteps: number;
  epochs: number;
  stepsPerEpoch: number;
}

/**
 * Collects `log_history` the way HF's Trainer does: every `logging_steps` optimizer steps the
 * mean loss since the previous log (rounded to 4 decimals), the gradient norm and the learning
 * rate (HF logs the scheduler's `get_last_lr()` after its step: the rate of the next step);
 * every evaluation as `eval_<metric>`; at the end `train_runtime`, `train_steps_per_second` and
 * `train_loss`. As in HF, the loss average restarts after a resume.
 */
export class TrainerStateLog {
  history: LogHistoryEntry[] = [];
  bestModelCheckpoint: string | null = null;
  private lossSum = 0;
  private lossSteps = 0;
  private totalLoss = 0;
  private totalSteps = 0;

  constructor(private readonly facts: TrainerStateFacts) {}

  epochAt(step: number): number {
    return step / this.facts.stepsPerEpoch;
  }

  /** After optimizer step `step` (0-based) with its loss; logs when `step + 1` is a logging step. */
  onStep(step: number, loss: number, gradNorm: number, nextLearningRate: number): void {
    this.lossSum += loss;
    this.lossSteps += 1;
    this.totalLoss += loss;
    this.totalSteps += 1;
    const globalStep = step + 1;
    if (globalStep % this.facts.loggingSteps !== 0) return;
    this.history.push({
      loss: Math.round((this.lossSum / this.lossSteps) * 1e4) / 1e4,
      grad_norm: gradNorm,
      learning_rate: nextLearningRate,
      epoch: this.epochAt(globalStep),
      step: globalStep,
    });
    this.lossSum = 0;
    this.lossSteps = 0;
  }

  onEval(globalStep: number, metrics: Record<string, number>): void {
    const entry: LogHistoryEntry = {};
    for (const [k, v] of Object.entries(metrics)) entry[k.startsWith("eval_") ? k : `eval_${k}`] = v;
    this.history.push({ ...entry, epoch: this.epochAt(globalStep), step: globalStep });
  }

  onEnd(globalStep: number, wallTimeMs: number): void {
    const seconds = wallTimeMs / 1000;
    this.history.push({
      train_runtime: Math.round(seconds * 1e4) / 1e4,
      train_steps_per_second: seconds > 0 ? Math.round((this.totalSteps / seconds) * 1e3) / 1e3 : 0,
      total_flos: 0,
      train_loss: this.totalSteps > 0 ? this.totalLoss / this.totalSteps : 0,
      epoch: this.epochAt(globalStep),
      step: globalStep,
    });
  }

  /** Continues a resumed run's history: entries up to its step. */
  restore(saved: TrainerStateJson | null, step: number): void {
    if (!saved) return;
    this.history = saved.log_history.filter((e) => (e.step ?? 0) <= step && !("train_runtime" in e));
    this.bestModelCheckpoint = saved.best_model_checkpoint;
  }

  json(globalStep: number, best: { value: number } | null): TrainerStateJson {
    return {
      best_metric: best ? best.value : null,
      best_model_checkpoint: this.bestModelCheckpoint,
      epoch: this.epochAt(globalStep),
      eval_steps: this.facts.evalSteps,
      global_step: globalStep,
      is_hyper_param_search: false,
      is_local_process_zero: true,
      is_world_process_zero: true,
      log_history: this.history,
      logging_steps: this.facts.loggingSteps,
      max_steps: this.facts.maxSteps,
      num_train_epochs: this.facts.epochs,
      save_steps: this.facts.saveSteps,
      total_flos: 0,
      train_batch_size: null,
      trial_name: null,
      trial_params: null,
    };
  }
}

/** Reads a `trainer_state.json`, or null when the file does not exist; a bad file is an error naming it. */
export function readTrainerState(path: string): TrainerStateJson | null {
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const o = raw as Partial<TrainerStateJson> | null;
  if (!o || typeof o !== "object" || !Array.isArray(o.log_history) || !Number.isInteger(o.global_step)) {
    throw new Error(`${path}: expected an object with "log_history" (an array) and "global_step" (an integer)`);
  }
  return o as TrainerStateJson;
}
