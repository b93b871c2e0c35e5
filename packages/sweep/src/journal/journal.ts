/** sweep.json: the sweep's journal, one record per trial. */
export type TrialState = "pending" | "queued" | "running" | "done" | "failed" | "interrupted";
export const FINAL_STATES: readonly TrialState[] = ["done", "failed"];

export interface Attempt {
  n: number;
  /** `host:pid` of the runner (embedded sweep or queue worker). */
  worker: string;
  /** The trial's own process (aflora train) on the worker's machine. */
  pid?: number;
  startedAt: string;
  endedAt?: string;
  elapsedMs?: number;
  /** The checkpoint step this attempt resumed from (absent: a fresh start). */
  resumedFromStep?: number;
  exitCode?: number | null;
  signal?: string | null;
  outcome?: "done" | "failed" | "interrupted";
}

export interface Progress {
  step: number;
  totalSteps?: number;
  loss?: number;
  /** Latest evaluation: metric name → value. */
  eval?: Record<string, number>;
  at: string;
}

export interface TrialRecord {
  id: string;
  /** `train`: a run config trained with `aflora train`; `command`: any aflora command line (repro suites). */
  kind: "train" | "command";
  /** What distinguishes it, e.g. `method=lora training.seed=2`, or the suite's name. */
  label: string;
  overrides?: Record<string, unknown>;
  /** train: the trial's run config file; command: unused. */
  configFile?: string;
  /** command: the aflora arguments, e.g. ["repro", "encoder", "--out", "…"]. */
  args?: string[];
  state: TrialState;
  attempts: Attempt[];
  /** The trial's run folder once it has one. */
  runDir: string | null;
  progress?: Progress;
  error?: { message: string; logTail: string[] };
  /** Sum of the attempts' wall times. */
  elapsedMs: number;
  finishedAt?: string;
}

export interface Journal {
  version: 1;
  name: string;
  description?: string;
  file: string;
  dir: string;
  cwd: string;
  mode: "embedded" | "queue";
  /** The queue's URL with credentials redacted (queue mode). */
  queue?: string;
  settings: { threadsPerTrial: number; retries: number; plots: boolean; parallel?: number };
  createdAt: string;
  updatedAt: string;
  trials: TrialRecord[];
}

export function labelOf(overrides: Record<string, unknown>): string {
  const parts = Object.entries(overrides).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return parts.join(" ") || "base";
}
