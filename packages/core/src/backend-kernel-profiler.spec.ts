import "reflect-metadata";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Subject } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKernelProfiler } from "./backend-kernel-profiler.js";
import type { TrainerEvent } from "./events.js";

let dir: string;
beforeAll(async () => {
  await tf.setBackend("cpu");
  dir = mkdtempSync(join(tmpdir(), "aflora-profile-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One "step": 2 matmuls, 1 add, 1 sum. */
function step(): void {
  tf.tidy(() => {
    const a = tf.ones([64, 64]);
    tf.sum(tf.add(tf.matMul(a, a), tf.matMul(a, a)));
  });
}

describe("createKernelProfiler", () => {
  it("records the kernels of the steps after `skip`, per step, then restores the kernels", () => {
    const stock = tf.getKernel(tf.BatchMatMul, "cpu")!.kernelFunc;
    const p = createKernelProfiler({ steps: 2, skip: 1 });
    for (let i = 0; i < 4; i++) {
      p.stepStart();
      step();
      p.stepEnd();
    }
    expect(p.done).toBe(true);
    expect(tf.getKernel(tf.BatchMatMul, "cpu")!.kernelFunc).toBe(stock);
    const profile = p.profile();
    expect(profile.steps).toBe(2);
    const row = (k: string) => profile.rows.find((r) => r.kernel === k);
    expect(row(tf.BatchMatMul)?.calls).toBe(2);
    expect(row(tf.Add)?.calls).toBe(1);
    expect(row(tf.Sum)?.calls).toBe(1);
    expect(profile.rows.reduce((s, r) => s + r.msPerStep, 0) + profile.outsideKernelsMsPerStep).toBeCloseTo(
      profile.stepMs,
      6,
    );
    for (const r of profile.rows) expect(r.share).toBeGreaterThanOrEqual(0);
  });

  it("follows a trainer's step events and writes kernel-profile.md and .json atomically", () => {
    const events = new Subject<TrainerEvent>();
    const p = createKernelProfiler({ steps: 1, skip: 0, clock: "cpu" });
    const sub = p.attach(events, dir);
    events.next({ type: "step:start", step: 0, epoch: 0 });
    step();
    events.next({ type: "step:end", step: 0, epoch: 0, loss: 1, learningRates: {}, gradNorm: 0 } as TrainerEvent);
    sub.unsubscribe();
    const json = JSON.parse(readFileSync(join(dir, "kernel-profile.json"), "utf8"));
    expect(json.clock).toBe("cpu");
    expect(json.rows.find((r: { kernel: string }) => r.kernel === tf.BatchMatMul).calls).toBe(2);
    const md = readFileSync(join(dir, "kernel-profile.md"), "utf8");
    expect(md).toMatch(/^# Kernel profile \(cpu, 1 step, [\d.]+ ms CPU per step\)/);
    expect(md).toMatch(/\| BatchMatMul \| 2 \| [\d.]+ \| [\d.]+ % \|/);
  });

  it("rejects bad step counts", () => {
    expect(() => createKernelProfiler({ steps: 0 })).toThrow(/steps must be a positive integer, got 0/);
  });
});

describe("the kernel-profiler plugin", () => {
  it("is created from a config section and writes the table into the run folder", async () => {
    const { PluginRegistry } = await import("./plugin-registry.js");
    const { registerKernelProfiler } = await import("./backend-kernel-profiler-plugin.js");
    const { container } = await import("tsyringe");
    const registry = new PluginRegistry();
    registerKernelProfiler(registry);
    const plugin = registry.create<import("./trainer-plugin.js").TrainerPlugin>(
      "plugin",
      { name: "kernel-profiler", steps: 1, skip: 0 },
      container,
    );
    const runDir = mkdtempSync(join(tmpdir(), "aflora-profile-run-"));
    const events = new Subject<TrainerEvent>();
    const run = { runId: "r", totalSteps: 1, stepsPerEpoch: 1, epochs: 1, seed: 0, outputDir: runDir };
    const detach = plugin.attach({ events, run, params: null as never, control: null as never });
    events.next({ type: "step:start", step: 0, epoch: 0 });
    step();
    events.next({ type: "step:end", step: 0, epoch: 0, loss: 1, learningRates: {}, gradNorm: 0 } as TrainerEvent);
    if (detach) detach();
    expect(readFileSync(join(runDir, "kernel-profile.md"), "utf8")).toMatch(/\| BatchMatMul \| 2 \|/);
    rmSync(runDir, { recursive: true, force: true });
    expect(() => registry.create("plugin", { name: "kernel-profiler", steps: 0 }, container)).toThrow(/steps/);
    expect(() => registry.create("plugin", { name: "kernel-profiler", every: 3 }, container)).toThrow(
      /every: unknown option/,
    );
  });
});
