import { GLUE_TASKS } from "@aflora/metrics";
import type { TrialResult } from "./collect.js";

export interface Cell {
  mean: number | null;
  /** Sample standard deviation (n − 1) over seeds; null below 2 seeds. */
  std: number | null;
  n: number;
  failed: number;
  /** Trials not finished yet (pending, queued, running, interrupted). */
  unfinished: number;
  scores: number[];
}

export interface Row {
  label: string;
  cells: Record<string, Cell>;
  /** Mean of the row's task means, when every task has one. */
  average: number | null;
  trainableAvg: number | null;
  /** Mean wall time of the row's finished trials (every attempt, start-up included). */
  timePerTrialMs: number | null;
  done: number;
  totalTimeMs: number;
}

export interface SweepTable {
  tasks: string[];
  /** The metric behind each task's column. */
  metrics: Record<string, string>;
  rows: Row[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function sampleStd(xs: number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs)!;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Tasks in the paper's column order, then any others by name. */
export function orderTasks(tasks: Iterable<string>): string[] {
  const set = new Set(tasks);
  const glue = (GLUE_TASKS as readonly string[]).filter((t) => set.has(t));
  return [...glue, ...[...set].filter((t) => !glue.includes(t)).sort()];
}

/** The paper-style table: a row per method/variant, a column per task, mean ± std over seeds. */
export function aggregate(results: TrialResult[]): SweepTable {
  const tasks = orderTasks(results.map((r) => r.task));
  const metrics: Record<string, string> = {};
  for (const r of results) if (r.metric && !metrics[r.task]) metrics[r.task] = r.metric;
  const labels = [...new Set(results.map((r) => r.row))];
  const rows = labels.map((label): Row => {
    const mine = results.filter((r) => r.row === label);
    const cells: Record<string, Cell> = {};
    for (const task of tasks) {
      const rs = mine.filter((r) => r.task === task);
      if (!rs.length) continue;
      const scores = rs.filter((r) => r.state === "done" && r.score !== null).map((r) => r.score!);
      cells[task] = {
        mean: mean(scores),
        std: sampleStd(scores),
        n: scores.length,
        failed: rs.filter((r) => r.state === "failed").length,
        unfinished: rs.filter((r) => r.state !== "done" && r.state !== "failed").length,
        scores,
      };
    }
    const taskMeans = tasks.map((t) => cells[t]?.mean ?? null);
    const done = mine.filter((r) => r.state === "done");
    const trainable = done.map((r) => r.trainableAvg).filter((v): v is number => v !== null);
    return {
      label,
      cells,
      average: taskMeans.every((m) => m !== null) ? mean(taskMeans as number[]) : null,
      trainableAvg: mean(trainable),
      timePerTrialMs: mean(done.map((r) => r.elapsedMs)),
      done: done.length,
      totalTimeMs: mine.reduce((s, r) => s + r.elapsedMs, 0),
    };
  });
  return { tasks, metrics, rows };
}
