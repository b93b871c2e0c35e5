import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ParameterInfo, RunReport } from "@aflora/metrics";
import { JsonlTail } from "./jsonl-tail.js";
import { RunState, type RunStatus } from "./run-state.js";

// step:gradients lines list every trainable variable (kilobytes each) and nothing the page shows.
const SKIP = ['{"type":"step:gradients"'];

export interface RunSummary {
  id: string;
  runId: string;
  status: RunStatus;
  /** How a finished run ended: completed, stopped early, interrupted. */
  endStatus: string | null;
  error: string | null;
  method: string | null;
  task: string | null;
  model: string | null;
  step: number;
  totalSteps: number;
  frozen: number;
  best: { metric: string; value: number; step: number } | null;
  final: { step: number; metrics: Record<string, number> } | null;
  averageTrainable: number | null;
  wallTimeMs: number;
  startedAt: number | null;
  updatedAt: number | null;
  /** Malformed or half-written lines skipped so far. */
  skippedLines: number;
}

/** One run folder: its events.jsonl tailed incrementally, plus config.json, parameters.json and report.json. */
export class RunFolder {
  state = new RunState();
  /** Grows whenever new events were read (a live view sends an update when it changed). */
  version = 0;
  private readonly tail: JsonlTail;
  private config: Record<string, unknown> | null = null;
  private parameters: ParameterInfo[] | null = null;
  private report: { mtimeMs: number; value: RunReport | null } | null = null;

  constructor(
    readonly id: string,
    readonly dir: string,
  ) {
    this.tail = new JsonlTail(join(dir, "events.jsonl"), SKIP);
  }

  /** Reads what was appended since the last call; true when anything new arrived. */
  refresh(): boolean {
    const { records, reset } = this.tail.read();
    if (reset) this.state = new RunState();
    for (const r of records) this.state.apply(r);
    const changed = records.length > 0 || reset;
    if (changed) this.version++;
    return changed;
  }

  get skippedLines(): number {
    return this.tail.malformed;
  }

  runConfig(): Record<string, unknown> {
    this.config ??= readJson<Record<string, unknown>>(join(this.dir, "config.json")) ?? {};
    return this.config;
  }

  parameterInfo(): ParameterInfo[] {
    // Written once when the run starts; absent until then.
    if (this.parameters === null) {
      const p = readJson<ParameterInfo[]>(join(this.dir, "parameters.json"));
      if (p) this.parameters = p;
    }
    return this.parameters ?? [];
  }

  /** report.json, once it is at least as new as events.jsonl (the CLI writes it when the run ends). */
  finalReport(): RunReport | null {
    const path = join(this.dir, "report.json");
    if (!existsSync(path)) return null;
    const mtimeMs = statSync(path).mtimeMs;
    if (this.report?.mtimeMs !== mtimeMs) this.report = { mtimeMs, value: readJson<RunReport>(path) };
    const events = join(this.dir, "events.jsonl");
    if (existsSync(events) && statSync(events).mtimeMs > mtimeMs + 1000) return null;
    return this.report.value;
  }

  /**
   * The list line of a run that has ended, from report.json alone (events.jsonl is not read):
   * listing a hundred finished runs stays cheap. Null while the run is live or has no report.
   */
  endedSummary(): RunSummary | null {
    const report = this.finalReport();
    if (!report || report.status === "running") return null;
    if (report.status === "interrupted" && this.processAlive()) return null;
    const facts = configFacts(this.runConfig());
    const str = (v: unknown) => (typeof v === "string" ? v : null);
    const started = this.eventsBirth();
    return {
      id: this.id,
      runId: report.runId || this.id,
      status: report.status === "failed" ? "failed" : report.status === "interrupted" ? "interrupted" : "finished",
      endStatus: report.status === "failed" ? null : report.status,
      error: report.error,
      method: str(report.facts.method) ?? facts.method,
      task: str(report.facts.task) ?? facts.task,
      model: str(report.facts.model) ?? facts.model,
      step: report.steps.done,
      totalSteps: report.steps.total,
      frozen: report.frozen.length,
      best: report.best ? { metric: report.best.metric, value: report.best.value, step: report.best.step } : null,
      final: report.final ? { step: report.final.step, metrics: report.final.metrics } : null,
      averageTrainable: report.trainable.stepAveraged,
      wallTimeMs: report.wallTimeMs,
      startedAt: started,
      updatedAt: this.report?.mtimeMs ?? null,
      skippedLines: 0,
    };
  }

  private eventsBirth(): number | null {
    try {
      const st = statSync(join(this.dir, "events.jsonl"));
      return st.birthtimeMs || st.ctimeMs;
    } catch {
      return null;
    }
  }

  processAlive(): boolean {
    const lock = join(this.dir, ".lock");
    if (!existsSync(lock)) return false;
    const pid = Number(readFileSync(lock, "utf8"));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "EPERM";
    }
  }

  /**
   * The run's line in the list and the compare table. A finished run's numbers come from its
   * report.json, so the page shows exactly what the run folder says.
   */
  summary(): RunSummary {
    const s = this.state;
    const config = this.runConfig();
    const facts = configFacts(config);
    const report = this.finalReport();
    const last = s.evals.length ? s.evals[s.evals.length - 1]! : null;
    const summary: RunSummary = {
      id: this.id,
      runId: s.runId || this.id,
      status: s.status(this.processAlive()),
      endStatus: s.ended?.status ?? null,
      error: s.error,
      ...facts,
      step: s.series.steps.length ? s.series.steps[s.series.steps.length - 1]! + 1 : 0,
      totalSteps: s.totalSteps,
      frozen: s.frozen.size,
      best: s.best,
      final: last ? { step: last.step, metrics: last.metrics } : null,
      averageTrainable: s.averageTrainable,
      wallTimeMs: s.wallTimeMs,
      startedAt: s.firstTime,
      updatedAt: s.lastTime,
      skippedLines: this.skippedLines,
    };
    if (report && summary.status !== "running") {
      summary.best = report.best
        ? { metric: report.best.metric, value: report.best.value, step: report.best.step }
        : null;
      summary.final = report.final ? { step: report.final.step, metrics: report.final.metrics } : null;
      summary.averageTrainable = report.trainable.stepAveraged;
      summary.wallTimeMs = report.wallTimeMs;
      summary.step = report.steps.done;
      summary.frozen = report.frozen.length;
      if (typeof report.facts.task === "string") summary.task = report.facts.task;
      if (typeof report.facts.method === "string") summary.method = report.facts.method;
    }
    return summary;
  }
}

/**
 * Method, task and model from config.json: a name string (`method: "lora"`) or a plugin section
 * (`adapter: { name: "aflora" }`, `model: { name: "encoder", path: "demo" }`).
 */
export function configFacts(config: Record<string, unknown>): {
  method: string | null;
  task: string | null;
  model: string | null;
} {
  const name = (v: unknown, key = "name"): string | null =>
    typeof v === "string"
      ? v
      : v && typeof v === "object" && typeof (v as Record<string, unknown>)[key] === "string"
        ? ((v as Record<string, unknown>)[key] as string)
        : null;
  return {
    method: name(config.method) ?? name(config.adapter),
    task: name(config.data) ?? name(config.task),
    model: name(config.model, "path") ?? name(config.model),
  };
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}
