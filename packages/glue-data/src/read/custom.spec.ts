import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCustomTaskSchema, customTaskInfo, type CustomTaskSchema } from "../tasks/custom-task.js";
import { readCsvRecords } from "./csv-records.js";
import { readCustomExamples, readRecordExamples } from "./custom.js";
import { newReadStats, type Example } from "./example.js";

const dir = mkdtempSync(join(tmpdir(), "glue-custom-"));
const schema: CustomTaskSchema = { textFields: ["premise", "hypothesis"], labelField: "gold", labels: ["yes", "no"] };

async function collect(it: AsyncIterable<Example>): Promise<Example[]> {
  const out: Example[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe("CSV records", () => {
  it("handles quoted delimiters, doubled quotes, newlines in quotes, CRLF and reports start lines", async () => {
    const file = join(dir, "quotes.csv");
    writeFileSync(file, 'a,b,c\r\n"x, y","say ""hi""",1\r\n"multi\nline",plain,2\n\nlast,"",3');
    const recs = [];
    for await (const r of readCsvRecords(file)) recs.push(r);
    expect(recs.map((r) => r.cells)).toEqual([
      ["a", "b", "c"],
      ["x, y", 'say "hi"', "1"],
      ["multi\nline", "plain", "2"],
      ["last", "", "3"],
    ]);
    expect(recs.map((r) => r.lineNumber)).toEqual([1, 2, 3, 6]);
  });

  it("text after a closing quote and an unterminated quote are errors", async () => {
    const file = join(dir, "bad.csv");
    writeFileSync(file, 'a,b\n"x"y,1\n"open,2\n');
    const recs = [];
    for await (const r of readCsvRecords(file)) recs.push(r);
    expect(recs[1]!.error).toBe("unexpected text after a closing quote in column 1");
    expect(recs[2]!.error).toMatch(/unterminated quoted field/);
    expect(recs[2]!.lineNumber).toBe(3);
  });
});

describe("custom task files", () => {
  it("reads CSV by header names, labels by name or index", async () => {
    const file = join(dir, "train.csv");
    writeFileSync(file, 'id,gold,premise,hypothesis\n1,yes,"A, B",C\n2,1,D,"E ""F"""\n');
    expect(await collect(readCustomExamples(file, schema))).toEqual([
      { textA: "A, B", textB: "C", label: 0 },
      { textA: "D", textB: 'E "F"', label: 1 },
    ]);
  });

  it("a short CSV row is an error naming file and line, or skipped and counted", async () => {
    const file = join(dir, "short.csv");
    writeFileSync(file, "premise,hypothesis,gold\nA,B,yes\nC,no\nD,E,maybe\nF,G,no\n");
    await expect(collect(readCustomExamples(file, schema))).rejects.toThrow(
      `${file}:line 3: expected 3 columns, found 2`,
    );
    const stats = newReadStats(file);
    const rows = await collect(readCustomExamples(file, schema, { skipMalformed: true }, stats));
    expect(rows.map((r) => r.textA)).toEqual(["A", "F"]);
    expect(stats).toMatchObject({ rows: 2, skipped: 2 });
    expect(stats.skippedDetails[1]).toBe('line 4: gold: label "maybe" is not one of 0=yes, 1=no');
  });

  it("reads JSONL, with regression targets and clear errors", async () => {
    const file = join(dir, "data.jsonl");
    writeFileSync(file, '{"text":"good","score":4.5}\n\n{"text":"bad","score":"0.5"}\n{"text":3,"score":1}\n{oops\n');
    const reg = { textFields: ["text"], labelField: "score", regression: true };
    await expect(collect(readCustomExamples(file, reg))).rejects.toThrow(
      `${file}:line 4: field "text" is not a string`,
    );
    const stats = newReadStats(file);
    const rows = await collect(readCustomExamples(file, reg, { skipMalformed: true }, stats));
    expect(rows).toEqual([
      { textA: "good", textB: null, label: 4.5 },
      { textA: "bad", textB: null, label: 0.5 },
    ]);
    expect(stats.skipped).toBe(2);
    expect(stats.skippedDetails[1]).toMatch(/^line 5: invalid JSON/);
  });

  it("in-memory records go through the same checks", async () => {
    const stats = newReadStats("mail");
    const rows = await collect(
      readRecordExamples(
        [{ text: "hi", label: "spam" }, { text: "x" }],
        { textFields: ["text"], labelField: "label", labels: ["ham", "spam"] },
        { skipMalformed: true },
        stats,
      ),
    );
    expect(rows).toEqual([{ textA: "hi", textB: null, label: 1 }]);
    expect(stats.skippedDetails).toEqual(['record 2: field "label" is missing']);
  });

  it("a missing header column is one clear error", async () => {
    const file = join(dir, "nohdr.csv");
    writeFileSync(file, "premise,label\nA,yes\n");
    await expect(collect(readCustomExamples(file, schema))).rejects.toThrow(
      `${file}:line 1: header has no column "hypothesis" (found: premise, label)`,
    );
  });
});

describe("custom task schema", () => {
  it("validates fields and picks default metrics", () => {
    expect(() => parseCustomTaskSchema({ textFields: [], labelField: "y", labels: ["a", "b"] })).toThrow(
      "task.textFields: expected one or two column names",
    );
    expect(() => parseCustomTaskSchema({ textFields: ["x"], labelField: "y" })).toThrow(
      "task.labels: expected a list of at least two class names",
    );
    expect(() =>
      parseCustomTaskSchema({ textFields: ["x"], labelField: "y", regression: true, labels: ["a", "b"] }),
    ).toThrow("task.labels: a regression task");
    expect(() =>
      parseCustomTaskSchema({ textFields: ["x"], labelField: "y", labels: ["a", "b"], metrics: ["auc"] }),
    ).toThrow('task.metrics: unknown metric "auc"');
    expect(customTaskInfo("t", { textFields: ["x"], labelField: "y", labels: ["a", "b"] }).metrics).toEqual({
      metrics: ["accuracy", "f1"],
      selectionMetric: "accuracy",
    });
    expect(
      customTaskInfo("t", { textFields: ["x"], labelField: "y", labels: ["a", "b", "c"] }).metrics.metrics,
    ).toEqual(["accuracy"]);
    const reg = customTaskInfo("t", { textFields: ["x"], labelField: "y", regression: true });
    expect(reg).toMatchObject({
      numLabels: 1,
      problemType: "regression",
      metrics: { metrics: ["pearson", "spearmanr"], selectionMetric: "pearson" },
    });
  });
});
