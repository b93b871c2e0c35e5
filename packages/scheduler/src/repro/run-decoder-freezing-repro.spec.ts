import { PluginRegistry } from "@aflora/core";
import { register as registerScorers } from "@aflora/scorer";
import { register as registerSchedules } from "../register.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useCpu } from "../../test/harness.js";
import { formatReproResults } from "./print.js";
import { runDecoderFreezingRepro } from "./run-decoder-freezing-repro.js";
import type { ReproResults } from "./run-freezing-repro.js";

const dir = fileURLToPath(new URL("../../../../fixtures/aflora-reference-decoder/", import.meta.url));
const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { scenarios: { scenario: string }[] };
let results: ReproResults;
let tensorsBefore = 0;
const scratch = mkdtempSync(join(tmpdir(), "aflora-decoder-repro-"));

beforeAll(async () => {
  await useCpu();
  tensorsBefore = tf.memory().numTensors;
  results = await runDecoderFreezingRepro(dir, plugins);
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const byName = (name: string) => results.scenarios.find((s) => s.scenario === name)!;

const plugins = registerSchedules(registerScorers(new PluginRegistry()));

describe("runDecoderFreezingRepro on the authors' decoder-variant traces", () => {
  it("replays every scenario of index.json, without leaking tensors", () => {
    expect(results.scenarios.map((s) => s.scenario).sort()).toEqual(index.scenarios.map((s) => s.scenario).sort());
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  describe.each(index.scenarios.map((s) => s.scenario))("%s", (name) => {
    it("passes: thresholds, k and mask thresholds exact, pool extremes bit-exact, means within 1e-5, same freezes and warnings", () => {
      const r = byName(name);
      expect(r.ok, r.message).toBe(true);
      expect(r.stepsReplayed).toBeGreaterThan(0);
    });
  });

  it("reports the reference's average trainable parameters and freezes (FORMAT.md §8)", () => {
    expect(byName("commonsense_defaults").avgTrainParams).toBeCloseTo(305.33, 2);
    expect(byName("commonsense_defaults").freezes).toBe(20);
    expect(byName("short_run_all_frozen").avgTrainParams).toBe(174.8);
    expect(byName("beta2_fallback_partial_window").avgTrainParams).toBeNull();
  });

  it("goes on where the reference crashes, and says so", () => {
    expect(byName("kth_k_zero_first_ramp_mask").message).toMatch(/RuntimeError at step 40 handled as documented/);
    expect(byName("ramp_zero_division").message).toMatch(/ZeroDivisionError at step 63 handled as documented/);
    expect(byName("beta2_one_official_keyerror").message).toMatch(/KeyError at step 10 handled as documented/);
  });

  it("fails a trace that does not match, naming the step and the field", async () => {
    const s = JSON.parse(readFileSync(join(dir, "commonsense_defaults.json"), "utf8"));
    s.steps[40].expected.kth.k = 3;
    writeFileSync(join(scratch, "tampered.json"), JSON.stringify(s));
    const r = await runDecoderFreezingRepro(scratch, plugins);
    expect(r.ok).toBe(false);
    expect(r.scenarios[0]!.message).toBe("step 40: kth.k: expected 3, got 2");
    expect(formatReproResults(r)).toMatch(/^FAIL {2}commonsense_defaults/);
  });

  it("names the file and field of a malformed scenario", async () => {
    const s = JSON.parse(readFileSync(join(dir, "tiny_total_no_ramp_mask.json"), "utf8"));
    s.steps[2].grads = [[1, 2]];
    writeFileSync(join(scratch, "tampered.json"), JSON.stringify(s));
    const r = await runDecoderFreezingRepro(scratch, plugins);
    expect(r.scenarios[0]!.message).toMatch(
      /tampered\.json: steps\[2\]\.grads: expected an array aligned with matrices/,
    );
  });

  it("refuses a folder without decoder scenarios", async () => {
    rmSync(join(scratch, "tampered.json"));
    await expect(runDecoderFreezingRepro(scratch, plugins)).rejects.toThrow(/no decoder scenario files/);
  });
});
