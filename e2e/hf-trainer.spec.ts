import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { aflora, events, onlyRun, readJson, REPO, scratch, startAflora } from "./helpers.js";

// What a Hugging Face Trainer user expects of `aflora train` (issue 13), against the built CLI.
// Every run is the demo cut short: 64 examples (51 train, 13 validation), 4 steps per epoch.
const SMALL = ["--set", "data.maxExamples=64", "--batch-size", "16", "--max-seq-length", "32"];
const VERSION = readJson<{ version: string }>(join(REPO, "packages/cli/package.json")).version;

interface StepEvent {
  type: string;
  step: number;
  learningRates: Record<string, number>;
}
const lrAt = (run: string) =>
  (events(run).filter((e) => e.type === "step:end") as StepEvent[]).map((e) => e.learningRates.default!);

/** Trains in a fresh folder; returns the run folder and the command's result. */
function train(args: string[], env: Record<string, string> = {}) {
  const cwd = scratch("hf");
  const r = aflora(["train", ...SMALL, "--no-plots", ...args], { cwd, env });
  expect(r.status, r.stderr).toBe(0);
  return { cwd, run: onlyRun(cwd), ...r };
}

describe("exit codes and help", () => {
  it("a usage error prints one line naming the bad flag (no help) and exits 2; --version prints the version", () => {
    const r = aflora(["train", "--learning-rate", "1e-3"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("--learning-rate");
    expect(r.stderr).not.toContain("Usage:");
    const v = aflora(["--version"]);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(VERSION);
  });

  it("a config error exits 2 naming the flag", () => {
    const r = aflora(["train", "--lr", "fast"], { cwd: scratch("badlr") });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('aflora: invalid config\n--lr: expected a number (got "fast")\n');
  });

  it('a model path that does not exist says "no such folder" with the resolved path, exits 2, leaves no run', () => {
    const cwd = scratch("nomodel");
    const r = aflora(["train", "--model", "./no-such-model", "--quiet"], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`aflora: invalid input: model.path: no such folder: ${join(cwd, "no-such-model")}\n`);
    expect(existsSync(join(cwd, "runs")) ? readdirSync(join(cwd, "runs")) : []).toEqual([]);
  });
});

describe("a config file's paths", () => {
  /** A csv task in <dir>/exp/, its config naming data/ and out relative to exp/. */
  function csvExperiment(validation: string) {
    const dir = scratch("paths");
    mkdirSync(join(dir, "exp", "data"), { recursive: true });
    mkdirSync(join(dir, "elsewhere"));
    const words = ["good", "bad", "great", "awful"];
    for (const [file, n] of [
      ["train", 32],
      ["validation", 8],
    ] as const) {
      const rows = Array.from({ length: n }, (_, i) => `this is ${words[i % 4]} ${i},${i % 2 ? "neg" : "pos"}`);
      writeFileSync(join(dir, "exp", "data", `${file}.csv`), ["text,label", ...rows, ""].join("\n"));
    }
    const config = join(dir, "exp", "exp.yaml");
    writeFileSync(
      config,
      [
        "data: { name: csv, train: data/train.csv, validation: " + validation + ", textFields: [text],",
        "        labelField: label, labels: [neg, pos] }",
        "training: { batchSize: 16, maxSeqLength: 32, maxSteps: 2 }",
        "output: out",
        "",
      ].join("\n"),
    );
    return { dir, config };
  }

  it("resolve against the config file's folder, run from another folder; no demo banner for a config file", () => {
    const { dir, config } = csvExperiment("data/validation.csv");
    const r = aflora(["train", "-c", "../exp/exp.yaml", "--no-plots"], { cwd: join(dir, "elsewhere") });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("aflora demo");
    expect(readdirSync(join(dir, "elsewhere"))).toEqual([]);
    const run = join(dir, "exp", "out", readdirSync(join(dir, "exp", "out"))[0]!);
    expect(readJson(join(run, "config.json")).data.train).toBe(join(dir, "exp", "data", "train.csv"));
    expect(readJson(join(run, "report.json")).status).toBe("completed");
    expect(config).toContain("exp.yaml");
  });

  it("a missing file names the field and the resolved path, exit 2", () => {
    const { dir, config } = csvExperiment("data/missing.csv");
    const r = aflora(["train", "-c", config], { cwd: join(dir, "elsewhere") });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `aflora: invalid config\n${config}: data.validation: no such file or folder: ${join(dir, "exp", "data", "missing.csv")}\n`,
    );
  });
});

describe("one short run, looked at as an HF Trainer user would", () => {
  // 6 optimizer steps although 3 epochs (12 steps) are configured: max_steps wins.
  let base: ReturnType<typeof train>;
  beforeAll(() => {
    base = train(["--epochs", "3", "--max-steps", "6", "--warmup-ratio", "0"]);
  });

  it("a plain aflora train explains the demo in a banner", () => {
    expect(base.stderr).toContain("aflora demo: fine-tuning AFLoRA on the SpamAssassin corpus");
  });

  it("--max-steps sets the number of optimizer steps and the linear schedule's horizon, and the run completes", () => {
    const report = readJson(join(base.run, "report.json"));
    expect(report.steps).toEqual({ done: 6, total: 6, perEpoch: 4 });
    expect(report.status).toBe("completed");
    const state = readJson(join(base.run, "trainer_state.json"));
    expect(state.global_step).toBe(6);
    expect(state.max_steps).toBe(6);
    // HF's linear schedule without warm-up: lr · (T − s) / T at step s, so it reaches 0 at step T = max_steps.
    const lr = lrAt(base.run);
    expect(lr).toHaveLength(6);
    lr.forEach((v, s) => expect(v).toBeCloseTo((0.01 * (6 - s)) / 6, 12));
  });

  it("config.json records the resolved values: backend used, adapter/scorer/schedule options with defaults, versions", () => {
    const c = readJson(join(base.run, "config.json"));
    expect(c.backend).toBe("wasm");
    expect(c.compute.backend).toBe("wasm");
    expect(c.adapter).toMatchObject({ name: "aflora", r: 4, dInit: 0.1, bInit: 0, trainablePm: "ffn" });
    expect(c.scorer).toMatchObject({ name: "aflora", beta1: 0.85, beta2: 0.95, deltaT: 10 });
    expect(c.schedule).toMatchObject({ name: "cubic", initialWarmupEpochs: 1, finalWarmupEpochs: 1 });
    expect(c.training).toMatchObject({ maxSteps: 6, optim: "adamw_torch", lrSchedulerType: "linear" });
    expect(c.versions["@aflora/cli"]).toBe(VERSION);
    expect(c.versions["@tensorflow/tfjs-core"]).toMatch(/^4\.22\./);
  });

  it("events.jsonl stays under 1 KB per logged step by default", () => {
    const bytes = readFileSync(join(base.run, "events.jsonl")).length;
    expect(bytes / 6).toBeLessThan(1024);
    expect(events(base.run).some((e) => e.type === "step:gradients")).toBe(false);
  });

  it("the report counts epochs from 1, as the progress line does", () => {
    const report = readJson(join(base.run, "report.json"));
    // Evaluations at the end of epoch 1 (step 4) and at max_steps (step 6, in epoch 2).
    expect(report.evaluations.map((e: { step: number; epoch: number }) => [e.step, e.epoch])).toEqual([
      [4, 1],
      [6, 2],
    ]);
    expect(readFileSync(join(base.run, "report.md"), "utf8")).toMatch(/\| 4 \| 1 \|.*\n\| 6 \| 2 \|/);
    expect(base.stderr).toMatch(/step 4\/6 \| epoch 1\/2 .*eval/);
    expect(base.stderr).toMatch(/step 6\/6 \| epoch 2\/2 /);
  });

  it("trainer_state.json has HF's fields: log_history, best_metric, best_model_checkpoint, global_step", () => {
    const state = readJson(join(base.run, "trainer_state.json"));
    const evals = state.log_history.filter((h: Record<string, number>) => "eval_f1" in h);
    expect(evals.map((h: { step: number }) => h.step)).toEqual([4, 6]);
    // f1 is the demo's metric_for_best_model; HF keeps the first of equal values.
    const best = evals.reduce((a: Record<string, number>, b: Record<string, number>) =>
      b.eval_f1! > a.eval_f1! ? b : a,
    );
    expect(state.best_metric).toBe(best.eval_f1);
    expect(state.best_model_checkpoint).toBe(join(base.run, "checkpoints", `checkpoint-${best.step}`));
    expect(state.log_history.at(-1)).toMatchObject({ step: 6 });
    expect(state.log_history.at(-1).train_loss).toBeGreaterThan(0);
  });

  it("resuming the finished run re-runs no step and leaves the same report; --resume refuses config flags", () => {
    const before = readJson(join(base.run, "report.json"));
    const stepsBefore = events(base.run).filter((e) => e.type === "step:end").length;
    const r = aflora(["train", "--resume", base.run], { cwd: base.cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(events(base.run).filter((e) => e.type === "step:end")).toHaveLength(stepsBefore);
    const after = readJson(join(base.run, "report.json"));
    expect(after.steps).toEqual(before.steps);
    expect(after.evaluations).toEqual(before.evaluations);
    expect(after.status).toBe("completed");
    expect(r.stderr).toContain("step 6/6 | epoch 2/2");
    for (const [flags, named] of [
      [["--lr", "0.1"], "--lr"],
      [["--set", "training.seed=3"], "--set training.seed=3"],
      [["--preset", "demo"], "--preset"],
    ] as const) {
      const refused = aflora(["train", "--resume", base.run, ...flags], { cwd: base.cwd });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toBe(
        `aflora: invalid config\n--resume continues the run as configured; ${named} cannot change it\n`,
      );
    }
  });
});

describe("quiet and log level", () => {
  it("--quiet prints nothing for a successful run; --log-level debug adds per-step detail to events.jsonl", () => {
    const { run, stdout, stderr } = train(["--max-steps", "2", "--quiet", "--log-level", "debug"]);
    expect(stdout).toBe("");
    expect(stderr).toBe("");
    const ev = events(run);
    expect(ev.filter((e) => e.type === "step:gradients")).toHaveLength(2);
    expect(ev.find((e) => e.type === "step:gradients")!.variables.length).toBeGreaterThan(0);
    expect(readJson(join(run, "config.json")).training.logLevel).toBe("debug");
  });
});

describe("FLOPs from the shapes the run used", () => {
  it("doubling --max-seq-length more than doubles the matmul FLOPs per step (attention is quadratic)", () => {
    const at = (len: string) => {
      const { run } = train(["--max-steps", "1", "--max-seq-length", len, "--pad-to-max-length", "true"]);
      return readJson(join(run, "report.json")).flops as { perStep: number; total: number; note: string };
    };
    const f32 = at("32");
    const f64 = at("64");
    expect(f32.note).toContain("32 tokens");
    expect(f64.note).toContain("64 tokens");
    const ratio = f64.perStep / f32.perStep;
    expect(ratio).toBeGreaterThan(2);
    expect(ratio).toBeLessThan(4);
    expect(f32.total).toBe(f32.perStep);
  });
});

describe("HF Trainer options", () => {
  it("--optim adamw_hf is selectable and recorded (and --preset demo shows no demo banner)", () => {
    const { run, stderr } = train(["--preset", "demo", "--max-steps", "2", "--optim", "adamw_hf"]);
    expect(stderr).not.toContain("aflora demo");
    expect(readJson(join(run, "config.json")).training.optim).toBe("adamw_hf");
    expect(readJson(join(run, "report.json")).status).toBe("completed");
  });

  it("lr_scheduler_type cosine and constant follow HF's formulas", () => {
    const cosine = lrAt(train(["--max-steps", "4", "--warmup-ratio", "0", "--lr-scheduler-type", "cosine"]).run);
    cosine.forEach((v, s) => expect(v).toBeCloseTo(0.01 * 0.5 * (1 + Math.cos((Math.PI * s) / 4)), 12));
    const constant = lrAt(train(["--max-steps", "3", "--warmup-ratio", "0", "--lr-scheduler-type", "constant"]).run);
    expect(constant).toEqual([0.01, 0.01, 0.01]);
  });

  it("metric_for_best_model / greater_is_better pick the best checkpoint; save_total_limit keeps the newest plus the best", () => {
    const { run } = train([
      "--max-steps",
      "4",
      "--eval-every",
      "1",
      "--checkpoint-every",
      "1",
      "--save-total-limit",
      "1",
      "--metric-for-best-model",
      "accuracy",
      "--greater-is-better",
      "false",
      "--logging-steps",
      "1",
    ]);
    const state = readJson(join(run, "trainer_state.json"));
    const evals = state.log_history.filter((h: Record<string, number>) => "eval_accuracy" in h);
    expect(evals).toHaveLength(4);
    const best = evals.reduce((a: Record<string, number>, b: Record<string, number>) =>
      b.eval_accuracy! < a.eval_accuracy! ? b : a,
    );
    expect(state.best_metric).toBe(best.eval_accuracy);
    expect(state.best_model_checkpoint).toBe(join(run, "checkpoints", `checkpoint-${best.step}`));
    // logging_steps 1: a loss entry per step, with HF's names.
    const logs = state.log_history.filter((h: Record<string, number>) => "loss" in h);
    expect(logs.map((h: { step: number }) => h.step)).toEqual([1, 2, 3, 4]);
    expect(logs[0]).toHaveProperty("learning_rate");
    const kept = readdirSync(join(run, "checkpoints")).filter((d) => d.startsWith("checkpoint-"));
    expect(kept.sort()).toEqual([...new Set(["checkpoint-4", `checkpoint-${best.step}`])].sort());
  });

  it("early stopping: patience 1 with a constant, negligible LR stops after the second evaluation", () => {
    // training.lr must be > 0, so 1e-12 stands in for HF's learning_rate=0: the metrics cannot move.
    const { run } = train([
      "--max-steps",
      "10",
      "--eval-every",
      "1",
      "--lr",
      "1e-12",
      "--classifier-lr",
      "1e-12",
      "--lr-scheduler-type",
      "constant",
      "--early-stopping-patience",
      "1",
    ]);
    const report = readJson(join(run, "report.json"));
    expect(report.status).toBe("stopped early");
    expect(report.steps.done).toBe(2);
    expect(readJson(join(run, "trainer_state.json")).global_step).toBe(2);
  });

  it("the loss plot has a legend", () => {
    const cwd = scratch("plots");
    expect(aflora(["train", ...SMALL, "--max-steps", "2", "--quiet"], { cwd }).status).toBe(0);
    const svg = readFileSync(join(onlyRun(cwd), "plots", "loss.svg"), "utf8");
    expect(svg).toContain('aria-roledescription="legend"');
    expect(svg).toContain("moving average");
  });
});

describe("Ctrl-C twice", () => {
  it("the second SIGINT exits at once with 130, and the run resumes from its last checkpoint", async () => {
    const cwd = scratch("sigint2");
    const child = startAflora(["train", ...SMALL, "--max-steps", "12", "--checkpoint-every", "2"], cwd);
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    for (let i = 0; i < 1200 && !/"checkpoint:saved"/.test(tryRead(cwd)); i++)
      await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGINT");
    // Signals sent back to back merge into one: the second press comes once the first is being handled,
    // while the current step still runs.
    for (let i = 0; i < 200 && !stderr.includes("SIGINT: finishing"); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGINT");
    expect(await code).toBe(130);
    expect(stderr).toContain("SIGINT again: exiting now");
    const run = onlyRun(cwd);
    const r = aflora(["train", "--resume", run, "--quiet"], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(readJson(join(run, "report.json")).status).toBe("completed");
  });
});

/** events.jsonl of the only run under `cwd`, or "" while there is none yet. */
function tryRead(cwd: string): string {
  try {
    return readFileSync(join(onlyRun(cwd), "events.jsonl"), "utf8");
  } catch {
    return "";
  }
}
