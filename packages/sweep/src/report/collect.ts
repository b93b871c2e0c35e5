import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PAPER_TASK_COLUMNS, glueTaskKey } from "@aflora/metrics";
import type { Journal, TrialRecord, TrialState } from "../journal/journal.js";

/** One trial as the report sees it. */
export interface TrialResult {
  id: string;
  state: TrialState;
  /** The table row: method plus every sweep choice other than seed and task. */
  row: string;
  /** The table column: the task. */
  task: string;
  seed: number | null;
  /** The task's GLUE metric (the paper's column; ×100), or the selection metric for other tasks. */
  score: number | null;
  metric: string | null;
  trainableAvg: number | null;
  elapsedMs: number;
  runDir: string | null;
  error?: string;
}

const METHOD_LABELS: Record<string, string> = { aflora: "AFLoRA", lora: "LoRA", elora: "ELoRA", full: "Full FT" };
/** Sweep choices that are the table's columns and seeds, not its rows. */
const NOT_ROW = /^(training\.seed|preset|data(\..*)?|method|adapter\.name|name|output)$/;

/** The method of a run config: its adapter plugin's name (`method` in older configs). */
export function methodOf(config: Obj): string {
  return String(obj(config.adapter).name ?? config.method ?? "aflora");
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" ? (v as Obj) : {});

function readJson(path: string): Obj | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Obj;
  } catch {
    return null;
  }
}

/** `glue/rte` → `rte`; other tasks keep their name. */
export function taskOfConfig(config: Obj): string {
  const name = String(obj(config.data).name ?? config.data ?? "task");
  return glueTaskKey(name) ?? name;
}

/**
 * Sweep paths that tell trials of one method apart. A grid key with one value is no distinction,
 * nor is a setting that comes with the method (LoRA's r = 8 in every LoRA trial).
 */
export function varyingPaths(trials: TrialRecord[], methodOf: (t: TrialRecord) => string): Set<string> {
  const out = new Set<string>();
  const methods = new Set(trials.map(methodOf));
  for (const m of methods) {
    const mine = trials.filter((t) => methodOf(t) === m);
    const keys = new Set(mine.flatMap((t) => Object.keys(t.overrides ?? {})));
    for (const k of keys) {
      const values = new Set(mine.map((t) => (k in (t.overrides ?? {}) ? JSON.stringify(t.overrides![k]) : "<base>")));
      if (values.size > 1) out.add(k);
    }
  }
  return out;
}

export function rowOf(t: TrialRecord, config: Obj, varying: Set<string>): string {
  const method = methodOf(config);
  const extra = Object.entries(t.overrides ?? {})
    .filter(([k]) => !NOT_ROW.test(k) && varying.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  const label = METHOD_LABELS[method] ?? method;
  return extra.length ? `${label} (${extra.join(", ")})` : label;
}

/** The score the paper's table shows for a task: its GLUE metric(s) ×100 at the best evaluation. */
export function taskScore(task: string, best: Obj | undefined): { score: number | null; metric: string | null } {
  if (!best) return { score: null, metric: null };
  const metrics = obj(best.metrics) as Record<string, number>;
  const glue = glueTaskKey(task);
  if (glue) {
    const names = PAPER_TASK_COLUMNS[glue].metrics;
    const values = names.map((n) => metrics[n]).filter((v): v is number => typeof v === "number");
    if (values.length === names.length)
      return { score: (100 * values.reduce((a, b) => a + b, 0)) / values.length, metric: names.join("/") };
  }
  const value = best.value;
  return typeof value === "number"
    ? { score: 100 * value, metric: String(best.metric ?? "metric") }
    : { score: null, metric: null };
}

/** Reads every trial of a journal with its run folder's report.json. */
export function collectResults(j: Journal): TrialResult[] {
  const trials = j.trials.filter((t) => t.kind === "train");
  const configs = new Map(trials.map((t) => [t.id, (t.configFile && readJson(t.configFile)) || {}]));
  const varying = varyingPaths(trials, (t) => methodOf(configs.get(t.id)!));
  return trials.map((t) => {
    const config = configs.get(t.id)!;
    const report = t.runDir ? readJson(join(t.runDir, "report.json")) : null;
    const seed = obj(config.training).seed;
    const task = taskOfConfig(config);
    const { score, metric } =
      t.state === "done" ? taskScore(task, report?.best as Obj | undefined) : { score: null, metric: null };
    const trainable = obj(report?.trainable).stepAveraged;
    return {
      id: t.id,
      state: t.state,
      row: rowOf(t, config, varying),
      task,
      seed: typeof seed === "number" ? seed : null,
      score,
      metric,
      trainableAvg: t.state === "done" && typeof trainable === "number" ? trainable : null,
      elapsedMs: t.elapsedMs,
      runDir: t.runDir,
      ...(t.error ? { error: t.error.message } : {}),
    };
  });
}
