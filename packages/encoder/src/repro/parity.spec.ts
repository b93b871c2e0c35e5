import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { fileURLToPath } from "node:url";
import { installFastGradients, uninstallFastGradients } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { formatParityResult, runEncoderParity } from "./parity.js";

const fixtures = fileURLToPath(new URL("../../../../fixtures/hf-parity", import.meta.url));

describe.each(["cpu", "wasm"])("Hugging Face parity on %s", (backend) => {
  it("passes all six fixtures: logits, loss, pooled output, hidden states, gradients, derived tables", async () => {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const results = await runEncoderParity(fixtures, { backend });
    for (const r of results) console.log(formatParityResult(r));
    expect(tf.memory().numTensors).toBe(before);
    expect(results.map((r) => r.fixture)).toEqual([
      "bert-tiny-cls3",
      "bert-tiny-stsb-regression",
      "deberta-v2-tiny-c2p-clamp",
      "deberta-v3-tiny-cls3",
      "deberta-v3-tiny-fullspan",
      "roberta-tiny-cls2",
    ]);
    for (const r of results) {
      expect(r.error, r.fixture).toBeUndefined();
      expect(
        r.checks.filter((c) => !c.pass),
        r.fixture,
      ).toEqual([]);
      expect(r.checks.some((c) => c.quantity.startsWith("grad "))).toBe(true);
    }
  });
});

describe("parity with per-layer recomputation", () => {
  it("gives the fixtures' gradients on wasm when the backward recomputes layer by layer, with core's fast matmul gradients", async () => {
    installFastGradients();
    let results;
    try {
      results = await runEncoderParity(fixtures, {
        backend: "wasm",
        only: ["deberta-v3-tiny-cls3", "deberta-v2-tiny-c2p-clamp", "bert-tiny-cls3"],
        recompute: true,
      });
    } finally {
      uninstallFastGradients();
    }
    for (const r of results) {
      expect(r.error, r.fixture).toBeUndefined();
      expect(
        r.checks.filter((c) => !c.pass),
        r.fixture,
      ).toEqual([]);
    }
    expect(results).toHaveLength(3);
  });
});

describe("runEncoderParity on a broken port", () => {
  it("fails a fixture whose config asks for the tanh GELU instead of the exact one, and prints FAIL", async () => {
    const { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { printParityResults } = await import("./parity.js");
    await tf.setBackend("cpu");
    const dir = mkdtempSync(join(tmpdir(), "aflora-parity-"));
    try {
      cpSync(join(fixtures, "bert-tiny-cls3"), join(dir, "bert-tiny-cls3"), { recursive: true });
      const configPath = join(dir, "bert-tiny-cls3", "config.json");
      const config = JSON.parse(readFileSync(configPath, "utf8"));
      writeFileSync(configPath, JSON.stringify({ ...config, hidden_act: "gelu_new" }));
      const results = await runEncoderParity(dir);
      expect(results).toHaveLength(1);
      expect(results[0]!.pass).toBe(false);
      expect(results[0]!.worst!.error).toBeGreaterThan(results[0]!.worst!.tolerance);
      expect(results[0]!.checks.find((c) => c.quantity === "last_hidden_state")!.error).toBeGreaterThan(1e-4);
      const lines: string[] = [];
      expect(printParityResults(results, (l) => lines.push(l))).toBe(false);
      expect(lines[0]).toMatch(/^FAIL bert-tiny-cls3 \[cpu\] \d+ checks, largest error \S+ \(/);
      expect(lines[1]).toBe("1 of 1 fixtures FAIL");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
