import { PluginRegistry } from "@aflora/core";
import { register as registerScorers } from "@aflora/scorer";
import { register as registerSchedules } from "../register.js";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatReproResults } from "./print.js";
import { runFreezingRepro, type ReproResults } from "./run-freezing-repro.js";
import { FIXTURES } from "../../test/fixture-driver.js";
import { useCpu } from "../../test/harness.js";

const dir = fileURLToPath(FIXTURES);
const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { scenarios: { scenario: string }[] };
let results: ReproResults;
let tensorsBefore = 0;

beforeAll(async () => {
  await useCpu();
  tensorsBefore = tf.memory().numTensors;
  results = await runFreezingRepro(dir, plugins);
});

const plugins = registerSchedules(registerScorers(new PluginRegistry()));

describe("runFreezingRepro on the shared reference traces", () => {
  it("replays every scenario listed in index.json, without leaking tensors", () => {
    expect(results.scenarios.map((s) => s.scenario).sort()).toEqual(index.scenarios.map((s) => s.scenario).sort());
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  describe.each(index.scenarios.map((s) => s.scenario))("%s", (name) => {
    it("passes: thresholds and k exact, mask thresholds bit-exact, scores and means within 1e-5, same freezes, same average trainable params", () => {
      const r = results.scenarios.find((s) => s.scenario === name)!;
      expect(r.message).not.toMatch(/^step|^summary|^param_counts/);
      expect(r.ok, r.message).toBe(true);
      expect(r.stepsReplayed).toBeGreaterThan(0);
    });
  });

  it("reports the reference's average trainable parameters", () => {
    const mrpc = results.scenarios.find((s) => s.scenario === "mrpc_defaults")!;
    expect(mrpc.avgTrainParams).toBe(212.1);
    // Printed with two decimals, not as a raw float (288.0833333333333).
    expect(mrpc.message).toContain("avg trainable params 212.10");
    const cascade = results.scenarios.find((s) => s.scenario === "beta2_fallback_branch_cascade")!;
    expect(cascade.message).toContain("avg trainable params 288.08");
    expect(mrpc.freezes).toBe(12);
    expect(results.scenarios.find((s) => s.scenario === "final_threshold_survivors")!.avgTrainParams).toBeNull();
    expect(results.ok).toBe(true);
    expect(formatReproResults(results).split("\n")).toHaveLength(index.scenarios.length + 1);
  });

  it("treats the reference's crashes as checks of aflora's documented behaviour", () => {
    expect(results.scenarios.find((s) => s.scenario === "kth_k_zero_error")!.message).toMatch(
      /RuntimeError at step 10 handled as documented/,
    );
    expect(results.scenarios.find((s) => s.scenario === "beta2_one_official_keyerror")!.message).toMatch(
      /KeyError at step 20 handled as documented/,
    );
  });
});

describe("runFreezingRepro on altered traces", () => {
  const tmp = mkdtempSync(join(tmpdir(), "aflora-repro-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const load = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8"));

  it("fails with the first divergence when one mask threshold is off by one float32 ulp", async () => {
    const s = load("mrpc_defaults.json");
    const e = s.steps[30].expected;
    const bumped = new Float32Array([e.mask_threshold]);
    new Uint32Array(bumped.buffer)[0]! += 1;
    e.mask_threshold = bumped[0];
    e.returned[1] = bumped[0];
    const sub = join(tmp, "ulp");
    mkdirSync(sub);
    writeFileSync(join(sub, "mrpc_defaults.json"), JSON.stringify(s));
    const r = await runFreezingRepro(sub, plugins);
    expect(r.ok).toBe(false);
    expect(r.scenarios[0]!.message).toMatch(/^step 30: returned\[1\] \(mask_threshold\): expected /);
    expect(formatReproResults(r)).toMatch(/^FAIL {2}mrpc_defaults {2}step 30:/);
  });

  it("fails on a different freeze step and on a different average", async () => {
    const s = load("all_frozen_in_cubic_phase.json");
    s.summary.avg_train_params = 330.3;
    const sub = join(tmp, "avg");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "a.json"), JSON.stringify(s));
    const r = await runFreezingRepro(sub, plugins);
    expect(r.scenarios[0]!.message).toBe("summary.avg_train_params: expected 330.3, got 330.2");
  });

  it("names the file and field of a malformed scenario, and refuses a folder without scenarios", async () => {
    const s = load("kth_k_zero_error.json");
    delete s.config.deltaT;
    const sub = join(tmp, "bad");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "broken.json"), JSON.stringify(s));
    writeFileSync(join(sub, "index.json"), JSON.stringify({ format_version: 1, scenarios: [] }));
    const r = await runFreezingRepro(sub, plugins);
    expect(r.scenarios).toHaveLength(1);
    expect(r.scenarios[0]!.ok).toBe(false);
    expect(r.scenarios[0]!.message).toMatch(/broken\.json: config\.deltaT: expected a finite number$/);
    const empty = join(tmp, "empty");
    mkdirSync(empty, { recursive: true });
    await expect(runFreezingRepro(empty, plugins)).rejects.toThrow(/no scenario files/);
    await expect(runFreezingRepro(join(tmp, "missing"), plugins)).rejects.toThrow(/cannot read fixture folder/);
  });

  it("passes a beta2 = 2 trace by refusing it at config time, as documented", async () => {
    const s = load("beta2_one_official_keyerror.json");
    s.config.beta2 = 2;
    s.summary.error = { global_step: 20, type: "AttributeError", message: "'dict' object has no attribute 'sqrt'" };
    s.steps[20].expected.error = { type: "AttributeError", message: "'dict' object has no attribute 'sqrt'" };
    const sub = join(tmp, "beta2");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "b.json"), JSON.stringify(s));
    const r = await runFreezingRepro(sub, plugins);
    expect(r.ok).toBe(true);
    expect(r.scenarios[0]!.message).toMatch(/beta2 = 2 refused when the config is read/);
  });
});
