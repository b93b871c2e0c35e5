import { mkdtempSync, copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { glueTaskData, locateGlueFiles } from "./glue-task-data.js";
import { GLUE_TASK_NAMES, GLUE_TASKS } from "./tasks/glue-tasks.js";
import { WhitespaceTokenizer } from "./testing/whitespace-tokenizer.js";

const ROOT = fileURLToPath(new URL("../../../fixtures/glue-tiny/", import.meta.url));
const tokenizer = new WhitespaceTokenizer();

describe("glueTaskData", () => {
  it("loads every GLUE task from the distribution folder with its label set and metrics", async () => {
    for (const name of GLUE_TASK_NAMES) {
      const data = glueTaskData({ task: name, dataDir: join(ROOT, "tsv") });
      const loaded = await data.load({ tokenizer, batchSize: 2, seed: 42, maxSeqLength: 32 });
      const t = GLUE_TASKS[name];
      expect(loaded.info.numLabels).toBe(t.labels ? t.labels.length : 1);
      expect(loaded.evaluator.splits.map((s) => s.metricSuffix)).toEqual(name === "mnli" ? ["", "_mm"] : [""]);
      const batch = [...loaded.train.epoch(0)][0]!;
      expect(batch.labels).toBeInstanceOf(name === "stsb" ? Float32Array : Int32Array);
      expect(loaded.readStats.every((s) => s.rows > 0)).toBe(true);
    }
  });

  it("QQP skips and counts its malformed row by default (as HF's processor); strict on request", async () => {
    const loaded = await glueTaskData({ task: "QQP", dataDir: join(ROOT, "tsv") }).load({
      tokenizer,
      batchSize: 8,
      seed: 1,
    });
    expect(loaded.readStats[0]).toMatchObject({ file: join(ROOT, "tsv/QQP/train.tsv"), rows: 4, skipped: 1 });
    await expect(
      glueTaskData({ task: "qqp", dataDir: join(ROOT, "tsv"), skipMalformed: false }).load({
        tokenizer,
        batchSize: 8,
        seed: 1,
      }),
    ).rejects.toThrow("QQP/train.tsv:line 4: expected 6 tab-separated columns, found 4");
  });

  it("finds both layouts from the root or the task folder", async () => {
    const t = GLUE_TASKS.mnli;
    expect(await locateGlueFiles(t, join(ROOT, "tsv"))).toEqual({
      format: "tsv",
      train: join(ROOT, "tsv/MNLI/train.tsv"),
      eval: [join(ROOT, "tsv/MNLI/dev_matched.tsv"), join(ROOT, "tsv/MNLI/dev_mismatched.tsv")],
    });
    expect((await locateGlueFiles(t, join(ROOT, "tsv/MNLI"))).format).toBe("tsv");
    expect(await locateGlueFiles(t, join(ROOT, "parquet"))).toMatchObject({
      format: "parquet",
      train: join(ROOT, "parquet/mnli/train-00000-of-00001.parquet"),
    });
    expect((await locateGlueFiles(GLUE_TASKS.stsb, join(ROOT, "parquet/stsb"))).format).toBe("parquet");
    await expect(locateGlueFiles(GLUE_TASKS.cola, join(ROOT, "parquet"))).rejects.toThrow(
      /no GLUE CoLA files found; looked for .*parquet\/CoLA\/train\.tsv/,
    );
  });

  it("an incomplete folder names the missing files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "glue-partial-"));
    mkdirSync(join(dir, "MNLI"));
    copyFileSync(join(ROOT, "tsv/MNLI/train.tsv"), join(dir, "MNLI/train.tsv"));
    copyFileSync(join(ROOT, "tsv/MNLI/dev_matched.tsv"), join(dir, "MNLI/dev_matched.tsv"));
    await expect(locateGlueFiles(GLUE_TASKS.mnli, dir)).rejects.toThrow(
      `GLUE MNLI folder is incomplete: missing ${join(dir, "MNLI/dev_mismatched.tsv")}`,
    );
  });

  it("parquet and TSV folders give the same batches for the same seed", async () => {
    const opts = { tokenizer, batchSize: 2, seed: 7, maxSeqLength: 16 };
    const a = await glueTaskData({ task: "rte", dataDir: join(ROOT, "tsv") }).load(opts);
    const b = await glueTaskData({ task: "rte", dataDir: join(ROOT, "parquet") }).load(opts);
    expect([...b.train.epoch(1)]).toEqual([...a.train.epoch(1)]);
    const c = await glueTaskData({ task: "stsb", dataDir: join(ROOT, "parquet"), maxTrainExamples: 2 }).load(opts);
    expect(c.train.data.size).toBe(2);
    expect(Array.from(c.train.data.labels)).toEqual([4.8, 0].map(Math.fround));
  });

  it("pad_to_max_length and maxSeqLength reach the batches and the evaluator", async () => {
    const loaded = await glueTaskData({ task: "mrpc", dataDir: join(ROOT, "tsv") }).load({
      tokenizer,
      batchSize: 3,
      seed: 1,
      maxSeqLength: 12,
      padToMaxLength: true,
    });
    for (const b of loaded.train.epoch(0)) expect(b.seqLength).toBe(12);
    expect(
      Math.max(
        ...Array.from(
          { length: loaded.train.data.size },
          (_, i) => loaded.train.data.offsets[i + 1]! - loaded.train.data.offsets[i]!,
        ),
      ),
    ).toBe(12);
  });
});
