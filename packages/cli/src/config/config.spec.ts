import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPluginRegistry } from "../integrations/plugins.js";
import { resolveConfig } from "./resolve-config.js";
import { ConfigError } from "./config-error.js";

/** The registry the CLI builds: every package's adapters, tasks, scorers and schedules. */
const registry = () => createPluginRegistry();

const dir = mkdtempSync(join(tmpdir(), "aflora-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("resolveConfig", () => {
  it("with no file and no preset is the demo: AFLoRA, SpamAssassin, the shipped tiny encoder", () => {
    const c = resolveConfig({}, registry());
    expect(c).toMatchObject({ model: "demo", method: "aflora", data: { name: "spam-assassin", maxExamples: 2000 }, scorer: { name: "aflora" }, schedule: { name: "cubic" }, backend: "auto", output: "runs" });
  });

  it("names the field, the allowed values and the bad value for an unknown schedule", () => {
    const p = file("bad-schedule.yaml", "model: demo\nmethod: aflora\ndata: spam-assassin\nschedule:\n  name: cubik\ntraining: { epochs: 1, batchSize: 2, lr: 0.1, classifierLr: 0.1, weightDecay: 0, classifierWeightDecay: 0, warmupRatio: 0, maxGradNorm: 1, gradientAccumulation: 1, maxSeqLength: 8, seed: 1, evalEvery: epoch }\n");
    expect(errorOf(() => resolveConfig({ config: p }, registry()))).toBe(`${p}: schedule.name: expected one of at-epoch, cubic, from-start, linear, never (got "cubik")`);
  });

  it("names the field and the allowed values for a bad method, and lists allowed fields for an unknown one", () => {
    expect(errorOf(() => resolveConfig({ flags: { method: "qlora" } }, registry()))).toBe(`config: method: expected one of aflora, lora, elora, full (got "qlora")`);
    const p = file("typo.json", JSON.stringify({ epochs: 1, model: "demo", method: "lora", data: "spam-assassin" }));
    expect(errorOf(() => resolveConfig({ config: p, preset: "demo" }, registry()))).toMatch(/^.*typo\.json: epochs: unknown field; allowed fields: model, tokenizer, method, adapter, scorer, schedule, data, training, backend, output, name, imports, plugins$/);
  });

  it("reports a bad number with its path and value, and plugin option errors under the plugin's field", () => {
    expect(errorOf(() => resolveConfig({ flags: { set: ["training.lr=-1"] } }, registry()))).toBe("config: training.lr: expected >0 (got -1)");
    expect(errorOf(() => resolveConfig({ flags: { set: ["scorer.beta3=1"] } }, registry()))).toBe("config: scorer.beta3: unknown option (known options: beta1, beta2, deltaT, window)");
    expect(errorOf(() => resolveConfig({ flags: { r: "0" } }, registry()))).toBe("config: adapter.r: expected a positive integer, got 0");
    expect(errorOf(() => resolveConfig({ flags: { epochs: "many" } }, registry()))).toBe('--epochs: expected a number (got "many")');
  });

  it("checks the data section against the registered tasks and their options", () => {
    expect(errorOf(() => resolveConfig({ flags: { data: "glue:wnlii" } }, registry()))).toMatch(/^config: data.name: expected one of csv, glue\/cola, .*spam-assassin \(got "glue\/wnlii"\)$/);
    expect(errorOf(() => resolveConfig({ flags: { set: ["data.devFraction=2"] } }, registry()))).toBe("config: data.devFraction: expected a number between 0 and 1, got 2");
    expect(errorOf(() => resolveConfig({ flags: { data: "some/folder" } }, registry()))).toMatch(/^--data: a GLUE folder needs the task/);
  });

  it("names the file and line of a YAML syntax error", () => {
    const p = file("broken.yaml", "model: demo\ntraining:\n  epochs: [1\n");
    expect(errorOf(() => resolveConfig({ config: p }, registry()))).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: invalid YAML`));
  });

  it("lets flags override the config file, which overrides the preset", () => {
    const p = file("over.yaml", "training:\n  epochs: 3\n  lr: 0.5\n");
    const c = resolveConfig({ preset: "glue/rte", config: p, flags: { lr: "2e-3", data: "fixtures/glue-tiny", model: "models/deberta" } }, registry());
    expect(c.training).toMatchObject({ epochs: 3, lr: 0.002, classifierLr: 0.04, batchSize: 64 });
    expect(c.data).toEqual({ name: "glue/rte", dataDir: "fixtures/glue-tiny" });
    expect(c.model).toBe("models/deberta");
  });

  it("drops AFLoRA's freezing sections for the baselines and replaces a plugin section whose name changes", () => {
    const lora = resolveConfig({ preset: "glue/rte", flags: { method: "lora" } }, registry());
    expect(lora.scorer).toBeUndefined();
    expect(lora.schedule).toBeUndefined();
    const abl = resolveConfig({ preset: "glue/rte", flags: { scorer: "sensitivity", schedule: "linear" } }, registry());
    expect(abl.scorer).toEqual({ name: "sensitivity" });
    expect(abl.schedule).toEqual({ name: "linear" });
  });

  it("lets a config file name its base preset", () => {
    const p = file("ablation.yaml", "preset: glue/cola\nscorer: { name: sensitivity }\n");
    const c = resolveConfig({ config: p }, registry());
    expect(c.training.classifierLr).toBe(0.04);
    expect(c.scorer).toEqual({ name: "sensitivity" });
    expect(c.schedule).toEqual({ name: "cubic", initialWarmupEpochs: 1, finalWarmupEpochs: 14 });
  });

  it("rejects an unknown preset by listing the known ones", () => {
    expect(errorOf(() => resolveConfig({ preset: "glue/wnli" }, registry()))).toMatch(/^--preset: expected one of demo, glue\/cola, .*glue\/wnli"\)$/);
  });
});
