import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aflora, scratch } from "./helpers.js";

describe("aflora --help", () => {
  it("lists every command, and each command has its own help", () => {
    const top = aflora(["--help"]);
    expect(top.status).toBe(0);
    for (const c of [
      "train",
      "eval",
      "generate",
      "export",
      "dashboard",
      "sweep",
      "worker",
      "report",
      "params",
      "plugins",
      "config",
      "repro",
      "bench",
    ])
      expect(top.stdout).toContain(c);
    const expectations: Record<string, string[]> = {
      train: [
        "--preset <name>",
        "--resume <run>",
        "--method <name>",
        "--adapter <value>",
        "--plugin <package-or-path>",
        "--scorer <value>",
        "--schedule <value>",
        "glue/rte",
      ],
      eval: ["--run <run>", "--data <spec>"],
      report: ["<runs...>", "--paper"],
      params: ["--model-config <file>", "--method <method>", "--trainable-pm <which>"],
      repro: ["<suite>", "--fixtures <dir>", "encoder", "freezing"],
      bench: ["[args...]"],
    };
    for (const [cmd, needles] of Object.entries(expectations)) {
      const r = aflora([cmd, "--help"]);
      expect(r.status, cmd).toBe(0);
      for (const n of needles) expect(r.stdout, `${cmd} --help`).toContain(n);
    }
  });
});

describe("a bad config", () => {
  it("exits with status 2 and one message naming the file, the field, the allowed values and the bad value", () => {
    const dir = scratch("badconfig");
    const file = join(dir, "ablation.yaml");
    writeFileSync(file, ["preset: demo", "schedule:", "  name: cubik", ""].join("\n"));
    const r = aflora(["train", "--config", file], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `aflora: invalid config\n${file}: schedule.name: expected one of at-epoch, cubic, from-start, linear, never, quadratic-fraction (got "cubik")\n`,
    );
    expect(r.stdout).toBe("");
  });

  it("rejects an unknown method flag the same way, and writes no run folder", () => {
    const dir = scratch("badflag");
    const r = aflora(["train", "--method", "qlora"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('config: adapter.name: expected one of aflora, elora, full, lora (got "qlora")');
    expect(aflora(["report", join(dir, "runs", "x")], { cwd: dir }).status).toBe(1);
  });
});

describe("aflora params", () => {
  it("counts the paper's AFLoRA r=4 parameters on DeBERTaV3-base: 451,872 at the start, 83,232 once A/B are frozen", () => {
    const dir = scratch("params");
    const cfg = join(dir, "config.json");
    writeFileSync(
      cfg,
      JSON.stringify({
        model_type: "deberta-v2",
        vocab_size: 128100,
        hidden_size: 768,
        num_hidden_layers: 12,
        num_attention_heads: 12,
        intermediate_size: 3072,
        max_position_embeddings: 512,
        type_vocab_size: 0,
        relative_attention: true,
        position_buckets: 256,
        max_relative_positions: -1,
        position_biased_input: false,
        pos_att_type: ["p2c", "c2p"],
        norm_rel_ebd: "layer_norm",
        share_att_key: true,
        pooler_hidden_size: 768,
        num_labels: 2,
      }),
    );
    const r = aflora(["params", "--model-config", cfg, "--method", "aflora", "--json"]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.trainableWithoutHead).toBe(451_872);
    expect(report.adapter.trainableAfterFreezing).toBe(83_232);
    const lora = JSON.parse(aflora(["params", "--model-config", cfg, "--method", "lora", "--json"]).stdout);
    expect(lora.trainableWithoutHead).toBe(1_327_104);
  });
});

describe("a model that cannot be loaded", () => {
  it("fails with one message naming the model, and leaves no run folder behind", () => {
    const dir = scratch("nomodel");
    const r = aflora(["train", "--model", "./no-such-model-folder", "--quiet"], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`aflora: invalid input: model.path: no such folder: ${join(dir, "no-such-model-folder")}\n`);
    expect(readdirSync(join(dir, "runs"))).toEqual([]);
  });
});
