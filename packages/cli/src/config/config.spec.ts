import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPluginRegistry } from "../integrations/plugins.js";
import { resolveConfig } from "./resolve-config.js";
import { ConfigError } from "./config-error.js";

/** The registry the CLI builds: every default package's plugins. */
const registry = () => createPluginRegistry();

const dir = mkdtempSync(join(tmpdir(), "aflora-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const errorOf = async (f: () => Promise<unknown>): Promise<string> => {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("resolveConfig", () => {
  it("with no file and no preset is the demo, every default recorded: AFLoRA, SpamAssassin, the shipped tiny encoder", async () => {
    const c = await resolveConfig({}, registry());
    expect(c).toMatchObject({
      model: { name: "encoder", path: "demo" },
      adapter: { name: "aflora", r: 4, dInit: 0.1, bInit: 0, trainablePm: "ffn" },
      data: { name: "spam-assassin", maxExamples: 2000 },
      scorer: { name: "aflora", beta1: 0.85, beta2: 0.95, deltaT: 10 },
      schedule: { name: "cubic", initialThreshold: 1, finalThreshold: 0 },
      backend: "auto",
      output: "runs",
    });
    expect(c.training.optim).toBe("adamw_torch");
  });

  it("names the field, the allowed values and the bad value for an unknown schedule", async () => {
    const p = file(
      "bad-schedule.yaml",
      "model: demo\nadapter: { name: aflora }\ndata: spam-assassin\nschedule:\n  name: cubik\n",
    );
    expect(await errorOf(() => resolveConfig({ config: p }, registry()))).toBe(
      `${p}: schedule.name: expected one of at-epoch, cubic, from-start, linear, never, quadratic-fraction (got "cubik")`,
    );
  });

  it("names the field and the allowed values for a bad method, and names an unknown top-level field", async () => {
    expect(await errorOf(() => resolveConfig({ flags: { method: "qlora" } }, registry()))).toBe(
      `config: adapter.name: expected one of aflora, elora, full, lora (got "qlora")`,
    );
    const p = file(
      "typo.json",
      JSON.stringify({ epochs: 1, model: "demo", adapter: { name: "lora" }, data: "spam-assassin" }),
    );
    expect(await errorOf(() => resolveConfig({ config: p, preset: "demo" }, registry()))).toMatch(
      /typo\.json: epochs: unknown option/,
    );
  });

  it("reports a bad number with its path and value, and plugin option errors under the plugin's field", async () => {
    expect(await errorOf(() => resolveConfig({ flags: { set: ["training.lr=-1"] } }, registry()))).toBe(
      "config: training.lr: Too small: expected number to be >=0, got -1",
    );
    expect(await errorOf(() => resolveConfig({ flags: { set: ["scorer.beta3=1"] } }, registry()))).toBe(
      "config: scorer.beta3: unknown option (known options: beta1, beta2, deltaT, window)",
    );
    expect(await errorOf(() => resolveConfig({ flags: { set: ["adapter.r=0"] } }, registry()))).toBe(
      "config: adapter.r: Too small: expected number to be >0, got 0",
    );
    expect(await errorOf(() => resolveConfig({ flags: { epochs: "many" } }, registry()))).toBe(
      '--epochs: expected a number (got "many")',
    );
  });

  it("checks the data section against the registered tasks and their options", async () => {
    expect(await errorOf(() => resolveConfig({ flags: { data: "glue:wnlii" } }, registry()))).toMatch(
      /^config: data.name: expected one of arithmetic-demo, csv, glue\/cola, .*spam-assassin \(got "glue\/wnlii"\)$/,
    );
    expect(await errorOf(() => resolveConfig({ flags: { set: ["data.devFraction=2"] } }, registry()))).toBe(
      "config: data.devFraction: Too big: expected number to be <1, got 2",
    );
    expect(await errorOf(() => resolveConfig({ flags: { data: "some/folder" } }, registry()))).toMatch(
      /^--data: a GLUE folder needs the task/,
    );
  });

  it("names the file and line of a YAML syntax error", async () => {
    const p = file("broken.yaml", "model: demo\ntraining:\n  epochs: [1\n");
    expect(await errorOf(() => resolveConfig({ config: p }, registry()))).toMatch(
      new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: invalid YAML`),
    );
  });

  it("lets flags override the config file, which overrides the preset; paths resolve against their own layer", async () => {
    const data = join(dir, "glue-tiny");
    mkdirSync(data, { recursive: true });
    const p = file(
      "over.yaml",
      "training:\n  epochs: 3\n  lr: 0.5\ndata: { name: glue/rte, dataDir: ./glue-tiny }\noutput: ./out\n",
    );
    const c = await resolveConfig(
      { preset: "glue/rte", config: p, flags: { lr: "2e-3", model: "org/model" } },
      registry(),
    );
    expect(c.training).toMatchObject({ epochs: 3, lr: 0.002, classifierLr: 0.04, batchSize: 64 });
    expect(c.data).toEqual({ name: "glue/rte", dataDir: data });
    expect(c.output).toBe(join(dir, "out"));
    expect(c.model).toEqual({ name: "encoder", path: "org/model", tokenizerMode: "hf-fast", recompute: "auto" });
  });

  it("a missing data file is one error naming the field and the resolved path", async () => {
    const p = file(
      "missing.yaml",
      "data: { name: csv, train: ./nope.csv, validation: ./nope.csv, textFields: [t], labelField: y, labels: [a, b] }\n",
    );
    expect(await errorOf(() => resolveConfig({ config: p, preset: "demo" }, registry()))).toContain(
      `${p}: data.train: no such file or folder: ${join(dir, "nope.csv")}`,
    );
  });

  it("drops AFLoRA's freezing sections for the baselines and replaces a plugin section whose name changes", async () => {
    const lora = await resolveConfig({ preset: "glue/rte", flags: { method: "lora" } }, registry());
    expect(lora.adapter).toMatchObject({ name: "lora", r: 8, alpha: 8 });
    expect(lora.scorer).toBeUndefined();
    expect(lora.schedule).toBeUndefined();
    const abl = await resolveConfig(
      { preset: "glue/rte", flags: { scorer: "sensitivity", schedule: "linear" } },
      registry(),
    );
    expect(abl.scorer).toMatchObject({ name: "sensitivity", beta1: 0.85 });
    expect(abl.schedule).toMatchObject({ name: "linear", initialWarmupEpochs: 1 });
  });

  it("lets a config file name its base preset", async () => {
    const p = file("ablation.yaml", "preset: glue/cola\nscorer: { name: sensitivity }\n");
    const c = await resolveConfig({ config: p }, registry());
    expect(c.training.classifierLr).toBe(0.04);
    expect(c.scorer).toMatchObject({ name: "sensitivity" });
    expect(c.schedule).toMatchObject({ name: "cubic", initialWarmupEpochs: 1, finalWarmupEpochs: 14 });
  });

  it("rejects an unknown preset by listing the known ones", async () => {
    expect(await errorOf(() => resolveConfig({ preset: "glue/wnli" }, registry()))).toMatch(
      /^--preset: expected one of demo, glue\/cola, .*glue\/wnli"\)$/,
    );
  });
});

describe("report_to", () => {
  it("is accepted as HF TrainingArguments spell it, as an alias of reportTo", async () => {
    const p = file("report-to.yaml", 'preset: demo\nreport_to: ["tensorboard"]\n');
    expect((await resolveConfig({ config: p }, registry())).reportTo).toEqual([
      { name: "tensorboard", logDir: "runs", heatmap: true },
    ]);
    const both = file("both.yaml", 'preset: demo\nreport_to: ["tensorboard"]\nreportTo: ["tensorboard"]\n');
    expect(await errorOf(() => resolveConfig({ config: both }, registry()))).toBe(
      `${both}: report_to: given together with reportTo; give one`,
    );
  });
});
