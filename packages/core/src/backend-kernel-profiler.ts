import * as tf from "@tensorflow/tfjs-core";
import { join } from "node:path";
import type { Observable } from "rxjs";
import type { TrainerEvent } from "./events.js";
import { writeFileAtomicSync } from "./io/atomic.js";

export interface KernelProfilerOptions {
  /** Steps to record (the first N after `skip`). Default 5. */
  steps?: number;
  /** Steps to let pass first (warm-up: first-step allocations, XNNPACK packing). Default 1. */
  skip?: number;
  /** The TensorFlow.js backend whose kernels are timed. Default: the current one. */
  backend?: string;
  /**
   * "wall" (default): elapsed time. "cpu": this process's CPU time (all threads; robust when other
   * processes share the cores, and it counts a threaded BLAS's helper threads too).
   */
  clock?: "wall" | "cpu";
}

export interface KernelProfileRow {
  kernel: string;
  calls: number;
  totalMs: number;
  msPerStep: number;
  /** Fraction of the recorded steps' wall time spent in this kernel (exclusive of nested kernels). */
  share: number;
}

export interface KernelProfile {
  backend: string;
  clock: "wall" | "cpu";
  steps: number;
  stepMs: number;
  /** Per step: wall time not inside any kernel (JS, tape bookkeeping, the optimizer's glue). */
  outsideKernelsMsPerStep: number;
  rows: KernelProfileRow[];
}

export interface KernelProfiler {
  /** Call at the start of each training step (or subscribe with `attach`). */
  stepStart(): void;
  stepEnd(): void;
  /** True once the requested steps are recorded (the kernels are restored then). */
  readonly done: boolean;
  profile(): KernelProfile;
  /** Writes kernel-profile.md and kernel-profile.json into `dir` (atomically); returns their paths. */
  write(dir: string): { markdown: string; json: string };
  /** Times the steps from a trainer's event stream; writes into `dir` when done or at run end. */
  attach(events: Observable<TrainerEvent>, dir: string): { unsubscribe(): void };
  /** Restores the kernels (idempotent). */
  dispose(): void;
}

const WRAPPED = Symbol.for("aflora.kernelProfiler");
type Marked = tf.KernelConfig & { [WRAPPED]?: tf.KernelConfig };

/**
 * Records the wall time of every kernel of one backend over the first `steps` training steps (after
 * `skip`), by wrapping the registered kernels (both wasm and native kernels run synchronously, so
 * wall time is the kernel's time). Time in nested kernels (a kernel calling another's registered
 * function) counts once, to the outer kernel. The wrappers are removed when done or disposed.
 */
export function createKernelProfiler(options: KernelProfilerOptions = {}): KernelProfiler {
  const steps = options.steps ?? 5;
  const skip = options.skip ?? 1;
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`kernel profiler: steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(skip) || skip < 0)
    throw new Error(`kernel profiler: skip must be a non-negative integer, got ${skip}`);
  const backend = options.backend ?? tf.getBackend();
  const clock = options.clock ?? "wall";
  const now =
    clock === "cpu"
      ? () => {
          const u = process.cpuUsage();
          return (u.user + u.system) / 1000;
        }
      : () => performance.now();
  const totals = new Map<string, { calls: number; ms: number }>();
  let seen = 0;
  let recorded = 0;
  let recording = false;
  let depth = 0;
  let stepT0 = 0;
  let stepMs = 0;
  let installed = false;

  const install = () => {
    for (const config of tf.getKernelsForBackend(backend) as Marked[]) {
      if (config[WRAPPED]) continue;
      const run = config.kernelFunc;
      const name = config.kernelName;
      const wrapped: Marked = {
        ...config,
        [WRAPPED]: config,
        kernelFunc: (args) => {
          if (!recording || depth > 0) return run(args);
          depth++;
          const t0 = now();
          try {
            return run(args);
          } finally {
            const dt = now() - t0;
            depth--;
            const t = totals.get(name) ?? { calls: 0, ms: 0 };
            t.calls++;
            t.ms += dt;
            totals.set(name, t);
          }
        },
      };
      tf.unregisterKernel(name, backend);
      tf.registerKernel(wrapped);
    }
    installed = true;
  };

  const dispose = () => {
    if (!installed) return;
    for (const config of tf.getKernelsForBackend(backend) as Marked[]) {
      const original = config[WRAPPED];
      if (!original) continue;
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(original);
    }
    installed = false;
    recording = false;
  };

  const profile = (): KernelProfile => {
    const n = Math.max(recorded, 1);
    const wall = Math.max(stepMs, 1e-9);
    const rows = [...totals.entries()]
      .map(([kernel, t]) => ({ kernel, calls: t.calls / n, totalMs: t.ms, msPerStep: t.ms / n, share: t.ms / wall }))
      .sort((a, b) => b.totalMs - a.totalMs);
    const inKernels = rows.reduce((s, r) => s + r.totalMs, 0);
    return {
      backend,
      clock,
      steps: recorded,
      stepMs: stepMs / n,
      outsideKernelsMsPerStep: (stepMs - inKernels) / n,
      rows,
    };
  };

  const write = (dir: string) => {
    const p = profile();
    const markdown = join(dir, "kernel-profile.md");
    const json = join(dir, "kernel-profile.json");
    writeFileAtomicSync(json, `${JSON.stringify(p, null, 2)}\n`);
    writeFileAtomicSync(markdown, renderKernelProfile(p));
    return { markdown, json };
  };

  const self: KernelProfiler = {
    get done() {
      return recorded >= steps;
    },
    stepStart() {
      if (recorded >= steps) return;
      if (!installed) install();
      seen++;
      if (seen <= skip) return;
      recording = true;
      stepT0 = now();
    },
    stepEnd() {
      if (!recording) return;
      stepMs += now() - stepT0;
      recording = false;
      recorded++;
      if (recorded >= steps) dispose();
    },
    profile,
    write,
    attach(events, dir) {
      let written = false;
      const flush = () => {
        if (written || recorded === 0) return;
        written = true;
        write(dir);
      };
      const sub = events.subscribe((e) => {
        if (e.type === "step:start") self.stepStart();
        else if (e.type === "step:end") {
          self.stepEnd();
          if (self.done) flush();
        } else if (e.type === "run:end" || e.type === "run:error") {
          dispose();
          flush();
        }
      });
      return {
        unsubscribe() {
          sub.unsubscribe();
          dispose();
        },
      };
    },
    dispose,
  };
  return self;
}

/** A markdown table of a kernel profile, largest share first. */
export function renderKernelProfile(p: KernelProfile): string {
  const f = (x: number, d = 1) => x.toFixed(d);
  const lines = [
    `# Kernel profile (${p.backend}, ${p.steps} step${p.steps === 1 ? "" : "s"}, ${f(p.stepMs)} ms ${p.clock === "cpu" ? "CPU" : "wall"} per step)`,
    "",
    "| kernel | calls / step | ms / step | share of step |",
    "|---|---:|---:|---:|",
    ...p.rows.map((r) => `| ${r.kernel} | ${f(r.calls, 0)} | ${f(r.msPerStep)} | ${f(100 * r.share)} % |`),
    `| (outside kernels) | | ${f(p.outsideKernelsMsPerStep)} | ${f((100 * p.outsideKernelsMsPerStep) / Math.max(p.stepMs, 1e-9))} % |`,
    "",
  ];
  return lines.join("\n");
}
