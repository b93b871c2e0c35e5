import { existsSync } from "node:fs";
import {
  composeRun,
  createKernelProfiler,
  describeBackend,
  latestCheckpoint,
  writeFileAtomicSync,
  type PluginRegistry,
  type RunConfig,
  type RunSummary,
} from "@aflora/core";
import { attachProgress, writeRunReport, type ParameterInfo, type RunReport } from "@aflora/metrics";
import { runPaths } from "../run/run-folder.js";
import { EventsLog } from "../run/events-log.js";
import { onInterrupt } from "../run/interrupt.js";
import { writeFlopShapes } from "../integrations/flops.js";
import { reportExtras } from "./report-extras.js";
import { packageVersions } from "../integrations/versions.js";

export interface TrainingOptions {
  runDir: string;
  runId: string;
  /** Continue from the run folder's latest checkpoint. */
  resume: boolean;
  registry: PluginRegistry;
  progress: boolean;
  plots: boolean;
  /** Write a per-kernel time table for this many steps (after one warm-up step). */
  profileSteps?: number | undefined;
  log: (line: string) => void;
  /** Warnings (a re-initialised head, a NaN metric): printed even when progress output is off. */
  warn?: (message: string) => void;
}

export interface TrainingResult {
  summary: RunSummary;
  report: RunReport;
  interrupted: boolean;
  backend: string;
}

/**
 * One training run into its run folder: the composition root builds the run from the config;
 * every event is logged to events.jsonl; the trained artifacts and the report come at the end.
 */
export async function runTraining(config: RunConfig, o: TrainingOptions): Promise<TrainingResult> {
  const paths = runPaths(o.runDir);
  const run = await composeRun(config, {
    registry: o.registry,
    runDir: o.runDir,
    runId: o.runId,
    resume: o.resume,
    log: o.log,
    warn: o.warn ?? ((m) => process.stderr.write(`warning: ${m}\n`)),
  });
  try {
    o.log(`backend: ${describeBackend(run.compute)}`);
    if (run.compute.hint) o.log(run.compute.hint);
    o.log(`model: ${run.loaded.origin}`);
    const stats = run.data.readStats ?? [];
    if (stats.length)
      o.log(
        `task: ${run.task.info.name} (${stats.map((s) => `${s.file}: ${s.rows} examples${s.skipped ? `, ${s.skipped} malformed rows skipped` : ""}`).join("; ")})`,
      );
    const { model } = run.loaded;
    if (!o.resume) {
      // The config as it ran: the backend actually used, every default filled in, the package versions.
      const { backend, blas, blasVendor, threads } = run.compute;
      writeFileAtomicSync(
        paths.config,
        JSON.stringify(
          { ...config, backend, threads, compute: { backend, blas, blasVendor, threads }, versions: packageVersions() },
          null,
          2,
        ) + "\n",
      );
      const parameters: ParameterInfo[] = model.params
        .list()
        .map((p) => ({ name: p.name, group: p.group, size: p.variable.size, trainable: p.trainable }));
      writeFileAtomicSync(paths.parameters, JSON.stringify(parameters) + "\n");
      writeFlopShapes(paths.dir, run.loaded, run.data, config);
    }
    const { trainer } = run;
    const log = new EventsLog(paths.events, paths.metrics, config.training.logLevel);
    const logSub = trainer.events.subscribe((e) => log.write(e));
    const frozenAtStart = () =>
      model.params.list({ group: "adapter-matrix" }).filter((p) => p.frozenAt !== undefined).length;
    const detachProgress = o.progress ? attachProgress(trainer.events, { frozenAtStart }) : () => {};
    const profiler = o.profileSteps ? createKernelProfiler({ steps: o.profileSteps }) : null;
    const profileSub = profiler?.attach(trainer.events, o.runDir);
    const interrupt = onInterrupt((s) => trainer.interrupt(s), o.log);
    let summary: RunSummary;
    try {
      summary = await run.run();
    } catch (e) {
      // A diverged run is reported as diverged (no adapter is saved: its weights are not finite).
      if ((e as Error).name === "TrainingDivergedError") {
        log.close();
        await writeRunReport(o.runDir, { ...(await reportExtras(o.runDir, false)), plots: false });
      }
      throw e;
    } finally {
      interrupt.dispose();
      profileSub?.unsubscribe();
      profiler?.dispose();
      detachProgress();
      logSub.unsubscribe();
      log.close();
    }
    const interrupted = summary.status === "interrupted";
    await run.adapter.save(o.runDir);
    const report = await writeRunReport(o.runDir, { ...(await reportExtras(o.runDir, interrupted)), plots: o.plots });
    return { summary, report, interrupted, backend: run.backend };
  } finally {
    run.dispose();
  }
}

export async function hasCheckpoint(runDir: string): Promise<boolean> {
  const dir = runPaths(runDir).checkpoints;
  return existsSync(dir) && (await latestCheckpoint(dir)) !== null;
}
