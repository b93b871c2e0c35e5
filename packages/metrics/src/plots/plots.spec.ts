import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { matrixPosition } from "./matrix-position.js";
import { buildRunReport } from "../report/run-report.js";
import { writeRunPlots } from "./write-plots.js";
import type { EventRecord } from "../report/event-json.js";

describe("matrixPosition", () => {
  it("reads DeBERTa and BERT names into layer × module × matrix", () => {
    expect(matrixPosition("deberta.encoder.layer.11.attention.self.query_proj.lora_A.weight")).toEqual({
      layer: 11,
      module: "q",
      matrix: "A",
    });
    expect(matrixPosition("bert.encoder.layer.0.attention.self.value.lora_B.weight")).toEqual({
      layer: 0,
      module: "v",
      matrix: "B",
    });
    expect(matrixPosition("deberta.encoder.layer.2.attention.output.dense.lora_B.weight")).toEqual({
      layer: 2,
      module: "o",
      matrix: "B",
    });
    expect(matrixPosition("deberta.encoder.layer.2.intermediate.dense.lora_A.weight")).toEqual({
      layer: 2,
      module: "inter",
      matrix: "A",
    });
    expect(matrixPosition("deberta.encoder.layer.2.output.dense.lora_A.weight")).toEqual({
      layer: 2,
      module: "out",
      matrix: "A",
    });
    expect(matrixPosition("deberta.encoder.layer.2.output.dense.lora_d")).toBeNull();
    expect(matrixPosition("classifier.weight")).toBeNull();
  });
});

describe("writeRunPlots", () => {
  it("renders the four plots as SVG and PNG; the heatmap draws one cell per matrix", async () => {
    const names = [0, 1].flatMap((l) =>
      [
        "attention.self.query_proj",
        "attention.self.key_proj",
        "attention.self.value_proj",
        "attention.output.dense",
        "intermediate.dense",
        "output.dense",
      ].flatMap((m) => ["A", "B"].map((ab) => `deberta.encoder.layer.${l}.${m}.lora_${ab}.weight`)),
    );
    const ffn = names.filter(
      (n) => n.includes("intermediate") || (n.includes(".output.dense") && !n.includes("attention")),
    );
    const counts = { total: 10, trainable: 5, trainableWithoutHead: 4, byGroup: {} };
    const events = [
      {
        type: "run:start",
        time: 0,
        runId: "p",
        totalSteps: 3,
        stepsPerEpoch: 3,
        epochs: 1,
        backend: "cpu",
        startStep: 0,
        trainable: counts,
      },
      ...[0, 1, 2].map((s) => ({
        type: "step:end",
        time: s + 1,
        step: s,
        epoch: 0,
        loss: 1 / (s + 1),
        learningRates: {},
        gradNorm: 0,
        trainable: counts,
      })),
      { type: "params:frozen", time: 5, step: 1, names: ffn.slice(0, 3), reason: "aflora", trainable: counts },
      { type: "eval:end", time: 6, step: 3, epoch: 0, metrics: { accuracy: 0.5, f1: 0.4 } },
    ] as EventRecord[];
    const parameters = names.map((name) => ({ name, group: "adapter-matrix", size: 8, trainable: ffn.includes(name) }));
    const dir = mkdtempSync(join(tmpdir(), "aflora-plots-"));
    try {
      const written = await writeRunPlots(buildRunReport(events, { parameters }), dir);
      expect(Object.keys(written).sort()).toEqual(["freezing-heatmap", "loss", "metrics", "trainable-parameters"]);
      const heat = readFileSync(join(dir, "freezing-heatmap.svg"), "utf8");
      expect(heat.startsWith("<svg")).toBe(true);
      // 24 matrices: 21 grey cells, 3 coloured cells; each drawn as one path in a rect mark group.
      const cells = heat.match(/<path[^>]*aria-roledescription="rect mark"[^>]*>/g) ?? [];
      expect(cells.length).toBe(24);
      expect(cells.filter((c) => c.includes('fill="#dddddd"')).length).toBe(21);
      expect(cells.filter((c) => !c.includes(`fill="#dddddd"`) && /step: 1\b/.test(c)).length).toBe(3);
      expect(heat).toContain("frozen at step");
      // The loss plot has a legend naming both lines.
      const loss = readFileSync(join(dir, "loss.svg"), "utf8");
      expect(loss).toContain('aria-roledescription="legend"');
      expect(loss).toContain("loss per step");
      expect(loss).toContain("moving average (21 steps)");
      const png = readFileSync(join(dir, "loss.png"));
      expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
