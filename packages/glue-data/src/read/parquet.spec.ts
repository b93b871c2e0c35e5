import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GLUE_TASKS } from "../tasks/glue-tasks.js";
import { newReadStats, type Example } from "./example.js";
import { readGlueTsv } from "./glue-tsv.js";
import { readParquetExamples, type ParquetColumns } from "./parquet.js";

const ROOT = fileURLToPath(new URL("../../../../fixtures/glue-tiny/", import.meta.url));

async function collect(it: AsyncIterable<Example>): Promise<Example[]> {
  const out: Example[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe("readParquetExamples (nyu-mll/glue layout)", () => {
  it("gives the same examples as the GLUE TSV files, across row groups (MNLI m/mm)", async () => {
    const t = GLUE_TASKS.mnli;
    const cols: ParquetColumns = { textA: "premise", textB: "hypothesis", label: "label" };
    for (const [split, tsv] of [
      ["train", "train.tsv"],
      ["validation_matched", "dev_matched.tsv"],
      ["validation_mismatched", "dev_mismatched.tsv"],
    ]) {
      const fromParquet = await collect(
        readParquetExamples(join(ROOT, `parquet/mnli/${split}-00000-of-00001.parquet`), cols, t.labels),
      );
      const fromTsv = await collect(readGlueTsv(join(ROOT, "tsv/MNLI", tsv!), t.tsv, t.labels));
      expect(fromParquet).toEqual(fromTsv);
    }
  });

  it("reads STS-B float labels and RTE class ids", async () => {
    const stsb = await collect(
      readParquetExamples(
        join(ROOT, "parquet/stsb/validation-00000-of-00001.parquet"),
        { textA: "sentence1", textB: "sentence2", label: "label" },
        null,
      ),
    );
    expect(stsb.map((e) => e.label)).toEqual([4.5, 0.25, 3.75]);
    expect(stsb[0]!.textA).toBe("A child is riding a bike.");
    const rte = await collect(
      readParquetExamples(
        join(ROOT, "parquet/rte/train-00000-of-00001.parquet"),
        { textA: "sentence1", textB: "sentence2", label: "label" },
        GLUE_TASKS.rte.labels,
      ),
    );
    expect(rte.map((e) => e.label)).toEqual([0, 1, 0, 1]);
  });

  it("an unlabelled split (label -1) is malformed per row; a missing column is one clear error", async () => {
    const file = join(ROOT, "parquet/rte/test-00000-of-00001.parquet");
    const cols = { textA: "sentence1", textB: "sentence2", label: "label" };
    await expect(collect(readParquetExamples(file, cols, GLUE_TASKS.rte.labels))).rejects.toThrow(
      `${file}:row 1: label -1 is not one of 0=entailment, 1=not_entailment`,
    );
    const stats = newReadStats(file);
    expect(
      await collect(readParquetExamples(file, cols, GLUE_TASKS.rte.labels, { skipMalformed: true }, stats)),
    ).toEqual([]);
    expect(stats.skipped).toBe(3);
    await expect(
      collect(readParquetExamples(file, { textA: "question", label: "label" }, GLUE_TASKS.rte.labels)),
    ).rejects.toThrow(`${file}: parquet file has no column "question" (found: sentence1, sentence2, label, idx)`);
  });

  it("maxExamples stops after the first N rows", async () => {
    const out = await collect(
      readParquetExamples(
        join(ROOT, "parquet/mnli/train-00000-of-00001.parquet"),
        { textA: "premise", textB: "hypothesis", label: "label" },
        GLUE_TASKS.mnli.labels,
        {
          maxExamples: 3,
        },
      ),
    );
    expect(out.map((e) => e.label)).toEqual([0, 1, 2]);
  });
});
