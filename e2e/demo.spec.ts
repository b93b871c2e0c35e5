import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aflora, events, onlyRun, readJson, scratch } from "./helpers.js";

/** The demo with fewer messages and shorter sequences, so the suite stays fast; everything else is the demo's. */
const SHORT_DEMO = ["train", "--set", "data.maxExamples=240", "--batch-size", "16", "--max-seq-length", "32"];

describe("the demo (`aflora train` with no config)", () => {
  const dirs = [scratch("demo-a"), scratch("demo-b")];
  const runs = dirs.map((cwd) => ({ cwd, result: aflora(SHORT_DEMO, { cwd }) }));

  it("trains AFLoRA on SpamAssassin, says the encoder is randomly initialised, and prints where the run folder and report are", () => {
    const { cwd, result } = runs[0]!;
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain("RANDOMLY INITIALISED");
    expect(result.stderr).toContain("--model microsoft/deberta-v3-base");
    const run = onlyRun(cwd);
    expect(result.stdout).toContain(`Run folder: runs/${run.split("/").pop()}`);
    expect(result.stdout).toContain(`Report:     runs/${run.split("/").pop()}/report.md`);
  });

  it("fills the run folder: config, events, metrics, checkpoints, PEFT adapter, report and plots", () => {
    const run = onlyRun(runs[0]!.cwd);
    const config = readJson(join(run, "config.json"));
    expect(config).toMatchObject({
      model: { name: "encoder", path: "demo", tokenizerMode: "hf-fast" },
      adapter: { name: "aflora", r: 4, dInit: 0.1, bInit: 0, trainablePm: "ffn" },
      scorer: { name: "aflora", beta1: 0.85, beta2: 0.95, deltaT: 10 },
      schedule: { name: "cubic", initialWarmupEpochs: 1 },
      data: { name: "spam-assassin", maxExamples: 240 },
      training: { batchSize: 16, maxSeqLength: 32, seed: 42 },
    });
    const ev = events(run);
    const types = new Set(ev.map((e) => e.type));
    for (const t of [
      "run:start",
      "epoch:start",
      "step:end",
      "params:frozen",
      "eval:end",
      "checkpoint:saved",
      "epoch:end",
      "run:end",
    ])
      expect(types, t).toContain(t);
    expect(ev[0]!.type).toBe("run:start");
    expect(ev.at(-1)!.type).toBe("run:end");
    // The default log level keeps per-step detail (step:start, step:gradients) out of events.jsonl.
    expect(ev.some((e) => e.type === "step:gradients" || e.type === "step:start")).toBe(false);
    const evals = ev.filter((e) => e.type === "eval:end");
    expect(readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n")).toHaveLength(evals.length);
    expect(existsSync(join(run, "checkpoints", "latest"))).toBe(true);
    expect(readdirSync(join(run, "adapter")).sort()).toEqual(["adapter_config.json", "adapter_model.safetensors"]);
    expect(readJson(join(run, "adapter", "adapter_config.json"))).toMatchObject({ r: 4, task_type: "SEQ_CLS" });
    for (const stem of ["loss", "metrics", "trainable-parameters", "freezing-heatmap"]) {
      expect(readFileSync(join(run, "plots", `${stem}.svg`), "utf8")).toMatch(/^<svg/);
      expect(
        readFileSync(join(run, "plots", `${stem}.png`))
          .subarray(1, 4)
          .toString(),
      ).toBe("PNG");
    }
    const report = readJson(join(run, "report.json"));
    expect(report.status).toBe("completed");
    expect(report.backend).toBe("wasm");
    expect(report.steps.done).toBe(report.steps.total);
    // AFLoRA: the trainable count (classifier excluded) falls as the cubic schedule freezes A/B; all are frozen by the end.
    expect(report.trainable.end).toBeLessThan(report.trainable.start);
    expect(report.trainable.stepAveraged).toBeLessThan(report.trainable.start);
    expect(report.trainable.stepAveraged).toBeGreaterThan(report.trainable.end);
    expect(report.frozen.length).toBe(16); // 4 layers × {intermediate, output} × {A, B}
    expect(report.best.metric).toBe("f1");
    expect(report.flops.total).toBeGreaterThan(0);
    expect(report.flops.total).toBe(report.flops.perStep * report.steps.done);
    const md = readFileSync(join(run, "report.md"), "utf8");
    expect(md).toContain("step-averaged");
    expect(md).toContain("![freezing-heatmap](plots/freezing-heatmap.svg)");
  });

  it("on the default backend (native, with the BLAS npm test provisions) gives wasm's losses to float32 noise", () => {
    const cwd = scratch("demo-native");
    const result = aflora(SHORT_DEMO, { cwd, env: { AFLORA_BACKEND: "auto" } });
    expect(result.status, result.stderr).toBe(0);
    const run = onlyRun(cwd);
    expect(readJson(join(run, "config.json")).compute.backend).toBe("native");
    const native = readJson(join(run, "report.json"));
    const wasm = readJson(join(onlyRun(runs[0]!.cwd), "report.json"));
    expect(native.loss.map((l: { step: number }) => l.step)).toEqual(wasm.loss.map((l: { step: number }) => l.step));
    // Measured: at most 1.2e-7 relative over the demo's 36 steps (summation order of sgemm and the fused kernels).
    native.loss.forEach((l: { loss: number }, i: number) =>
      expect(Math.abs(l.loss - wasm.loss[i].loss)).toBeLessThanOrEqual(1e-5 * Math.abs(wasm.loss[i].loss)),
    );
    expect(native.frozen).toEqual(wasm.frozen);
  });

  it("gives the same numbers for the same seed, in a separate folder", () => {
    expect(runs[1]!.result.status, runs[1]!.result.stderr).toBe(0);
    const [a, b] = runs.map((r) => readJson(join(onlyRun(r.cwd), "report.json")));
    expect(onlyRun(runs[0]!.cwd)).not.toBe(onlyRun(runs[1]!.cwd));
    expect(b.loss).toEqual(a.loss);
    expect(b.evaluations).toEqual(a.evaluations);
    expect(b.frozen).toEqual(a.frozen);
  });
});
