import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readEventFile, scalarSeries } from "@aflora/tensorboard";
import { beforeAll, describe, expect, it } from "vitest";
import { AFLORA, aflora, onlyRun, readJson, REPO, scratch } from "./helpers.js";

// The commands besides `train`, against the built CLI (issues 13, 16, 17).
const SMALL = ["--set", "data.maxExamples=64", "--batch-size", "16", "--max-seq-length", "32"];
const LLAMA = join(REPO, "fixtures/hf-parity-decoder/llama-tiny-mha");
const DEMO_TOKENIZER = join(REPO, "packages/encoder/assets/demo-encoder");

/** The tensor names and shapes of a safetensors file, from its JSON header. */
function safetensorsShapes(file: string): Record<string, number[]> {
  const bytes = readFileSync(file);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString("utf8")) as Record<
    string,
    { shape: number[] }
  >;
  delete header.__metadata__;
  return Object.fromEntries(Object.entries(header).map(([k, v]) => [k, v.shape]));
}

describe("aflora export", () => {
  let cwd: string;
  let run: string;
  beforeAll(() => {
    cwd = scratch("export");
    expect(aflora(["train", ...SMALL, "--max-steps", "2", "--quiet", "--no-plots"], { cwd }).status).toBe(0);
    run = onlyRun(cwd);
  });

  it("--format peft-lora writes PEFT's layout: peft_type LORA, target_modules, r, lora_alpha, lora_A [r,in]", () => {
    const r = aflora(["export", run, "--format", "peft-lora"], { cwd });
    expect(r.status, r.stderr).toBe(0);
    const dir = join(run, "export-peft-lora");
    const cfg = readJson(join(dir, "adapter_config.json"));
    expect(cfg).toMatchObject({ peft_type: "LORA", task_type: "SEQ_CLS", r: 4, lora_alpha: 4 });
    // The demo encoder: 4 layers, hidden 64, intermediate 256; AFLoRA adapts all six projections.
    expect(cfg.target_modules).toHaveLength(24);
    expect(cfg.target_modules).toContain("deberta.encoder.layer.0.attention.self.query_proj");
    const shapes = safetensorsShapes(join(dir, "adapter_model.safetensors"));
    const m = "base_model.model.deberta.encoder.layer.0";
    expect(shapes[`${m}.attention.self.query_proj.lora_A.weight`]).toEqual([4, 64]);
    expect(shapes[`${m}.attention.self.query_proj.lora_B.weight`]).toEqual([64, 4]);
    expect(shapes[`${m}.intermediate.dense.lora_A.weight`]).toEqual([4, 64]);
    expect(shapes[`${m}.intermediate.dense.lora_B.weight`]).toEqual([256, 4]);
    expect(shapes[`${m}.output.dense.lora_A.weight`]).toEqual([4, 256]);
    expect(shapes["base_model.model.classifier.weight"]).toEqual([2, 64]);
    // λ is merged in: no AFLoRA vectors are left.
    expect(Object.keys(shapes).filter((k) => k.includes("lora_d"))).toEqual([]);
    expect(Object.keys(shapes).filter((k) => k.includes("lora_A"))).toHaveLength(24);
  });

  it("--format peft-aflora keeps the λ vectors; an unknown format exits 2", () => {
    expect(aflora(["export", run, "--format", "peft-aflora"], { cwd }).status).toBe(0);
    const shapes = safetensorsShapes(join(run, "export-peft-aflora", "adapter_model.safetensors"));
    expect(shapes["base_model.model.deberta.encoder.layer.0.output.dense.lora_d"]).toEqual([4]);
    expect(shapes["base_model.model.deberta.encoder.layer.0.output.dense.lora_db"]).toEqual([64]);
    const bad = aflora(["export", run, "--format", "onnx"], { cwd });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--format: expected one of peft-lora, merged, peft-aflora (got "onnx")');
  });

  it("--format merged writes a model folder that aflora eval --model loads, with the adapted model's metrics", () => {
    expect(aflora(["export", run, "--format", "merged"], { cwd }).status).toBe(0);
    const dir = join(run, "export-merged");
    // A whole Hugging Face folder: weights, config and the tokenizer it was trained with.
    expect(readdirSync(dir).sort()).toEqual([
      "config.json",
      "model.safetensors",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    const shapes = safetensorsShapes(join(dir, "model.safetensors"));
    expect(shapes["deberta.encoder.layer.0.attention.self.query_proj.weight"]).toEqual([64, 64]);
    expect(Object.keys(shapes).filter((k) => k.includes("lora"))).toEqual([]);
    const adapted = aflora(["eval", "--run", run], { cwd });
    const merged = aflora(["eval", "--model", dir, ...SMALL], { cwd });
    expect(merged.status, merged.stderr).toBe(0);
    const table = (s: string) => s.slice(s.indexOf("| metric"));
    expect(table(merged.stdout)).toBe(table(adapted.stdout));
  });
});

describe("hub models", () => {
  it("--revision picks a snapshot from a cache laid out as huggingface_hub writes it (HF_HUB_CACHE, offline)", () => {
    const cwd = scratch("hub");
    // A "downloaded" model: the merged export of a short run, with the demo encoder's tokenizer.
    expect(aflora(["train", ...SMALL, "--max-steps", "1", "--quiet", "--no-plots"], { cwd }).status).toBe(0);
    const run = onlyRun(cwd);
    expect(aflora(["export", run, "--format", "merged"], { cwd }).status).toBe(0);
    const files: Record<string, string> = {
      "config.json": join(run, "export-merged", "config.json"),
      "model.safetensors": join(run, "export-merged", "model.safetensors"),
      "tokenizer.json": join(DEMO_TOKENIZER, "tokenizer.json"),
      "tokenizer_config.json": join(DEMO_TOKENIZER, "tokenizer_config.json"),
    };
    const cache = join(cwd, "hf-cache");
    const repo = join(cache, "models--aflora-test--tiny-spam");
    const commit = "0123456789abcdef0123456789abcdef01234567";
    for (const d of ["blobs", "refs", join("snapshots", commit)]) mkdirSync(join(repo, d), { recursive: true });
    writeFileSync(join(repo, "refs", "v1.0"), commit);
    for (const [name, from] of Object.entries(files)) {
      const blob = createHash("sha256").update(readFileSync(from)).digest("hex");
      copyFileSync(from, join(repo, "blobs", blob));
      symlinkSync(`../../blobs/${blob}`, join(repo, "snapshots", commit, name));
    }
    const env = { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: "1" };
    const args = ["train", "--model", "aflora-test/tiny-spam", ...SMALL, "--max-steps", "1", "--quiet", "--no-plots"];
    const out = join(cwd, "hub-runs");
    const r = aflora([...args, "--revision", "v1.0", "--output", out], { cwd, env });
    expect(r.status, r.stderr).toBe(0);
    const hubRun = join(out, readdirSync(out)[0]!);
    expect(readJson(join(hubRun, "config.json")).model).toMatchObject({
      path: "aflora-test/tiny-spam",
      revision: "v1.0",
    });
    const missing = aflora([...args, "--revision", "v2.0"], { cwd, env });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("(revision v2.0) is not on this machine and offline mode is on");
  });
});

describe("decoder commands", () => {
  it("aflora generate prints one JSON line per prompt", () => {
    const r = aflora([
      "generate",
      "--model",
      LLAMA,
      "--prompt",
      "Hello",
      "--prompt",
      "1 + 1 =",
      "--max-new-tokens",
      "4",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { prompt: string; tokens: number[] });
    expect(lines.map((l) => l.prompt)).toEqual(["Hello", "1 + 1 ="]);
    for (const l of lines) expect(l.tokens.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.tokens.length).toBeLessThanOrEqual(4);
  });

  it("aflora eval --task gsm8k writes predictions-gsm8k.jsonl and prints the accuracy", () => {
    const cwd = scratch("gsm8k");
    const problems = [
      { instruction: "Sam has 2 apples and buys 3 more. How many?", input: "", output: "5", answer: "5" },
      { instruction: "What is 1,000 + 1?", input: "", output: "1001", answer: "1001" },
    ];
    writeFileSync(join(cwd, "gsm8k.json"), JSON.stringify(problems));
    const args = ["eval", "--task", "gsm8k", "--data", "gsm8k.json", "--model", LLAMA, "--out", "out"];
    const r = aflora([...args, "--max-new-tokens", "4"], { cwd });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^gsm8k: accuracy \d\.\d{4} \(\d\/2\); predictions: out\/predictions-gsm8k\.jsonl\n$/);
    const preds = readFileSync(join(cwd, "out", "predictions-gsm8k.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(preds.map((l) => JSON.parse(l).answer)).toEqual(["5", "1001"]);
    for (const l of preds) expect(Object.keys(JSON.parse(l))).toEqual(expect.arrayContaining(["pred", "flag"]));
    expect(aflora([...args, "--max-new-tokens", "0"], { cwd }).status).toBe(2);
  });
});

describe("aflora train --report-to tensorboard", () => {
  it("writes runs/events.out.tfevents.* whose records decode, with train/loss scalars", () => {
    const cwd = scratch("tb");
    const r = aflora(["train", ...SMALL, "--max-steps", "3", "--report-to", "tensorboard", "--quiet", "--no-plots"], {
      cwd,
    });
    expect(r.status, r.stderr).toBe(0);
    const dir = join(onlyRun(cwd), "runs");
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^events\.out\.tfevents\.\d+\./);
    const ev = readEventFile(join(dir, files[0]!));
    expect(ev[0]!.fileVersion).toBe("brain.Event:2");
    const loss = scalarSeries(ev).get("train/loss")!;
    expect(loss.map((p) => p.step)).toEqual([1, 2, 3]);
  });
});

describe("aflora dashboard", () => {
  it("--port 0 serves the run list on 127.0.0.1 and exits on SIGTERM, leaving no process", async () => {
    const cwd = scratch("dash");
    expect(aflora(["train", ...SMALL, "--max-steps", "1", "--quiet", "--no-plots"], { cwd }).status).toBe(0);
    const child = spawn(process.execPath, [AFLORA, "dashboard", "runs", "--port", "0"], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on("exit", () => reject(new Error(`dashboard exited: ${out}`)));
      });
      expect(url).not.toMatch(/:0$/);
      const res = await fetch(`${url}/api/runs`);
      expect(res.status).toBe(200);
      const body = JSON.stringify(await res.json());
      expect(body).toContain(readdirSync(join(cwd, "runs"))[0]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});

describe("plugins, config schema, worker", () => {
  it("aflora plugins --json lists kinds, names and options; aflora config schema is a JSON Schema", () => {
    const plugins = JSON.parse(aflora(["plugins", "--json"]).stdout) as {
      kind: string;
      name: string;
      options: { name: string; default?: unknown }[];
    }[];
    const kinds = new Set(plugins.map((p) => p.kind));
    for (const k of ["model", "adapter", "scorer", "schedule", "task", "optimizer", "reporter"])
      expect(kinds).toContain(k);
    const aflora_ = plugins.find((p) => p.kind === "adapter" && p.name === "aflora")!;
    expect(aflora_.options.find((o) => o.name === "r")!.default).toBe(4);
    expect(plugins.some((p) => p.kind === "optimizer" && p.name === "adamw_hf")).toBe(true);
    const schema = JSON.parse(aflora(["config", "schema"]).stdout);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["model", "adapter", "training"]));
    expect(JSON.stringify(schema.properties.training)).toContain("lrSchedulerType");
  });

  it("aflora worker with an unreachable queue fails with one line naming the URL, exit 1", () => {
    const r = aflora(["worker", "--queue", "redis://127.0.0.1:1"], { timeoutMs: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^aflora: cannot use the queue at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/),
    ]);
  });

  it("a subcommand's usage error is one line and exit 2", () => {
    const r = aflora(["export", "--format", "peft-lora"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("run");
  });
});
