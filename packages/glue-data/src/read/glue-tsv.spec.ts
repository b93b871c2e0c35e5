import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GLUE_TASK_NAMES, GLUE_TASKS } from "../tasks/glue-tasks.js";
import { newReadStats, type Example } from "./example.js";
import { readGlueTsv } from "./glue-tsv.js";

const TSV = fileURLToPath(new URL("../../../../fixtures/glue-tiny/tsv/", import.meta.url));

async function read(task: keyof typeof GLUE_TASKS, file: string, skipMalformed?: boolean) {
  const t = GLUE_TASKS[task];
  const stats = newReadStats(file);
  const rows: Example[] = [];
  for await (const ex of readGlueTsv(
    join(TSV, t.tsv.folder, file),
    t.tsv,
    t.labels,
    skipMalformed === undefined ? {} : { skipMalformed },
    stats,
  ))
    rows.push(ex);
  return { rows, stats };
}

describe("readGlueTsv", () => {
  it("reads CoLA's headerless files by position", async () => {
    const { rows } = await read("cola", "train.tsv");
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({ textA: "The cat slept on the warm windowsill.", textB: null, label: 1 });
    expect(rows[1]!.label).toBe(0);
    // quotes are text, not CSV quoting
    expect(rows[4]!.textA).toBe('"Nobody," he said, "reads the manual."');
  });

  it("keeps quote characters of SST-2 as text (QUOTE_NONE)", async () => {
    const { rows } = await read("sst2", "train.tsv");
    expect(rows.map((r) => r.label)).toEqual([1, 0, 1, 0]);
    expect(rows[2]!.textA).toBe('" quietly brilliant ');
    const dev = await read("sst2", "dev.tsv");
    expect(dev.rows[0]!.textA).toBe('a "masterpiece" only in its own trailer ');
  });

  it("reads MRPC through its BOM header, STS-B float scores and WNLI's 0/1 labels", async () => {
    const mrpc = await read("mrpc", "train.tsv");
    expect(mrpc.rows[0]).toEqual({
      textA: "The company reported higher profits this quarter.",
      textB: "Profits at the company rose this quarter.",
      label: 1,
    });
    const stsb = await read("stsb", "train.tsv");
    expect(stsb.rows.map((r) => r.label)).toEqual([4.8, 0, 3.6, 4.25]);
    expect(stsb.rows[0]!.textB).toBe("A man plays the guitar.");
    const wnli = await read("wnli", "train.tsv");
    // WNLI: 1 = entailment, HF order (not_entailment, entailment)
    expect(wnli.rows.map((r) => GLUE_TASKS.wnli.labels![r.label])).toEqual([
      "entailment",
      "not_entailment",
      "entailment",
    ]);
  });

  it("reads MNLI train (12 columns) and dev (16 columns) by the gold label", async () => {
    const train = await read("mnli", "train.tsv");
    expect(train.rows.map((r) => r.label)).toEqual([0, 1, 2, 0, 2]);
    expect(train.rows[3]!.textA).toBe('He said "maybe" twice.');
    const m = await read("mnli", "dev_matched.tsv");
    const mm = await read("mnli", "dev_mismatched.tsv");
    expect(m.rows.map((r) => r.label)).toEqual([0, 1, 2]);
    expect(mm.rows.map((r) => r.label)).toEqual([0, 2, 1]);
    expect(mm.rows[0]).toEqual({ textA: "Thank you for your generous gift.", textB: "Someone gave a gift.", label: 0 });
  });

  it("QNLI/RTE string labels follow HF's order", async () => {
    const qnli = await read("qnli", "train.tsv");
    expect(qnli.rows.map((r) => r.label)).toEqual([0, 1, 0, 1]);
    expect(qnli.rows[0]!.textA).toBe("When was the bridge built?");
    const rte = await read("rte", "dev.tsv");
    expect(rte.rows.map((r) => r.label)).toEqual([0, 1, 0]);
  });

  it("a QQP row with missing fields is an error naming file and line, or skipped and counted", async () => {
    await expect(read("qqp", "train.tsv", false)).rejects.toThrow(
      /QQP\/train\.tsv:line 4: expected 6 tab-separated columns, found 4/,
    );
    const { rows, stats } = await read("qqp", "train.tsv", true);
    expect(rows).toHaveLength(4);
    expect(stats.skipped).toBe(1);
    expect(stats.rows).toBe(4);
    expect(stats.skippedDetails).toEqual(["line 4: expected 6 tab-separated columns, found 4"]);
    expect(rows[2]!.textA).toBe("How can I sleep better at night?");
  });

  it("never shifts columns: an extra tab or a bad label is malformed; a wrong header is one clear error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "glue-tsv-"));
    const file = join(dir, "dev.tsv");
    writeFileSync(
      file,
      "index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\ta\textra\tb\tentailment\n2\ta\tb\tmaybe\n",
    );
    const t = GLUE_TASKS.rte;
    const collect = async (skip: boolean) => {
      const stats = newReadStats(file);
      const out: Example[] = [];
      for await (const e of readGlueTsv(file, t.tsv, t.labels, { skipMalformed: skip }, stats)) out.push(e);
      return { out, stats };
    };
    await expect(collect(false)).rejects.toThrow(`${file}:line 3: expected 4 tab-separated columns, found 5`);
    const { out, stats } = await collect(true);
    expect(out).toEqual([{ textA: "a", textB: "b", label: 0 }]);
    expect(stats.skippedDetails[1]).toBe('line 4: label "maybe" is not one of 0=entailment, 1=not_entailment');
    const wrong = join(dir, "wrong.tsv");
    writeFileSync(wrong, "sentence\tlabel\nhello\t1\n");
    const it = readGlueTsv(wrong, t.tsv, t.labels);
    await expect(it.next()).rejects.toThrow(
      `${wrong}:line 1: header has no column "sentence1" (found: sentence, label)`,
    );
  });

  it("reads CRLF line endings, a BOM and a last line without newline", async () => {
    const dir = mkdtempSync(join(tmpdir(), "glue-crlf-"));
    const file = join(dir, "train.tsv");
    writeFileSync(file, "\ufeffsentence\tlabel\r\nfine film \t1\r\n\r\nawful\t0");
    const t = GLUE_TASKS.sst2;
    const out: Example[] = [];
    for await (const e of readGlueTsv(file, t.tsv, t.labels)) out.push(e);
    expect(out).toEqual([
      { textA: "fine film ", textB: null, label: 1 },
      { textA: "awful", textB: null, label: 0 },
    ]);
  });

  it("reads every task's train and dev files", async () => {
    for (const name of GLUE_TASK_NAMES) {
      const t = GLUE_TASKS[name];
      for (const file of ["train.tsv", ...t.evalSplits.map((s) => s.tsvFile)]) {
        const { rows } = await read(name, file, name === "qqp");
        expect(rows.length, `${name}/${file}`).toBeGreaterThanOrEqual(2);
        expect(rows.every((r) => (t.textFields.length === 2 ? typeof r.textB === "string" : r.textB === null))).toBe(
          true,
        );
      }
    }
  });
});
