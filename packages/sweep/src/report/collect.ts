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
const NOT_ROW = /^(training\.seed|preset|data(\..*)?|method|name|output)$/;

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

/** Sweep paths whose value differs between trials (a grid key with one value is no distinction). */
export function varyingPaths(trials: TrialRecord[]): Set<string> {
  const values = new Map<string, Set<string>>();
  for (const t of trials) {
    for (const [k, v] of Object.entries(t.overrides ?? {})) {
      if (!values.has(k)) values.set(k, new Set());
      values.get(k)!.add(JSON.stringify(v));
    }
  }
  return new Set([...values].filter(([k, vs]) => vs.size > 1 || trials.some((t) => !(k in (t.overrides ?? {})))).map(([k]) => k));
}

export function rowOf(t: TrialRecord, config: Obj, varying: Set<string>): string {
  const method = String(config.method ?? "aflora");
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
    if (values.length === names.length) return { score: (100 * values.reduce((a, b) => a + b, 0)) / values.length, metric: names.join("/") };
  }
  const value = best.value;
  return typeof value === "number" ? { score: 100 * value, metric: String(best.metric ?? "metric") } : { score: null, metric: null };
}

/** Reads every trial of a journal with its run folder's report.json. */
export function collectResults(j: Journal): TrialResult[] {
  const trials = j.trials.filter((t) => t.kind === "train");
  const varying = varyingPaths(trials);
  return trials.map((t) => {
      const config = (t.configFile && readJson(t.configFile)) || {};
      const report = t.runDir ? readJson(join(t.runDir, "report.json")) : null;
      const seed = obj(config.training).seed;
      const task = taskOfConfig(config);
      const { score, metric } = t.state === "done" ? taskScore(task, report?.best as Obj | undefined) : { score: null, metric: null };
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
