import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { GLUE_TASKS } from "../tasks/glue-tasks.js";
import { readCsvRecords } from "./csv-records.js";
import { readCustomExamples } from "./custom.js";
import { DataFormatError } from "./data-format-error.js";
import type { Example } from "./example.js";
import { readGlueTsv } from "./glue-tsv.js";
import { readLines } from "./lines.js";
import { readParquetExamples } from "./parquet.js";

const ROOT = fileURLToPath(new URL("../../../../fixtures/glue-tiny/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "glue-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pair = { textFields: ["premise", "hypothesis"], labelField: "gold", labels: ["yes", "no"] };

async function collect(it: AsyncIterable<Example>): Promise<Example[]> {
  const out: Example[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe("readers under hostile input", () => {
  it("a missing file is one error naming it", async () => {
    const file = join(dir, "nope.csv");
    await expect(collect(readCustomExamples(file, pair))).rejects.toThrow(
      new DataFormatError(file, null, "no such file"),
    );
    await expect(
      collect(readGlueTsv(join(dir, "nope.tsv"), GLUE_TASKS.rte.tsv, GLUE_TASKS.rte.labels)),
    ).rejects.toThrow(`${join(dir, "nope.tsv")}: no such file`);
    await expect(collect(readCustomExamples(join(dir, "nope.jsonl"), pair))).rejects.toThrow(
      `${join(dir, "nope.jsonl")}: no such file`,
    );
  });

  it("invalid UTF-8 is an error naming the file and line, in CSV, TSV and JSONL", async () => {
    const bad = Buffer.from([0x66, 0x6f, 0xff, 0x6f]); // "fo\xffo"
    const csv = join(dir, "latin1.csv");
    writeFileSync(csv, Buffer.concat([Buffer.from("premise,hypothesis,gold\nA,B,yes\n"), bad, Buffer.from(",C,no\n")]));
    await expect(collect(readCustomExamples(csv, pair))).rejects.toThrow(
      `${csv}:line 3: invalid UTF-8 (byte 0xff); save the file as UTF-8`,
    );
    const jsonl = join(dir, "bad.jsonl");
    writeFileSync(
      jsonl,
      Buffer.concat([
        Buffer.from('{"premise":"a","hypothesis":"b","gold":"yes"}\n{"premise":"'),
        bad,
        Buffer.from('"}\n'),
      ]),
    );
    await expect(collect(readCustomExamples(jsonl, pair))).rejects.toThrow(`${jsonl}:line 2: invalid UTF-8`);
    const tsv = join(dir, "bad.tsv");
    writeFileSync(
      tsv,
      Buffer.concat([
        Buffer.from("index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\t"),
        Buffer.from([0xc0, 0x80]),
      ]),
    );
    await expect(collect(readGlueTsv(tsv, GLUE_TASKS.rte.tsv, GLUE_TASKS.rte.labels))).rejects.toThrow(
      `${tsv}:line 3: invalid UTF-8 (byte 0xc0)`,
    );
  });

  it("a multi-byte character split across read chunks is decoded whole", async () => {
    const file = join(dir, "split.jsonl");
    const prefix = '{"premise":"';
    const pad = "x".repeat((1 << 16) - prefix.length - 1); // "é" (2 bytes) straddles the 64 KiB boundary
    writeFileSync(file, `${prefix}${pad}é","hypothesis":"€𝄞","gold":"no"}\n`);
    const [ex] = await collect(readCustomExamples(file, pair));
    expect(ex!.textA.endsWith("xé")).toBe(true);
    expect(ex!.textB).toBe("€𝄞");
  });

  it("a 50 MB line is read in linear time, as a CSV field, a JSONL line and a plain line", async () => {
    const big = "ab".repeat(25 * 1024 * 1024);
    const csv = join(dir, "big.csv");
    writeFileSync(csv, `premise,hypothesis,gold\n"${big}",short,yes\n${big},x,no\n`);
    let started = performance.now();
    const rows = await collect(readCustomExamples(csv, pair));
    expect(rows.map((r) => r.textA.length)).toEqual([big.length, big.length]);
    expect(performance.now() - started).toBeLessThan(8000); // was 50 s and 3.2 GB
    const txt = join(dir, "big.txt");
    writeFileSync(txt, `${big}\r\nend`);
    started = performance.now();
    const lines: number[] = [];
    for await (const { line } of readLines(txt)) lines.push(line.length);
    expect(lines).toEqual([big.length, 3]);
    expect(performance.now() - started).toBeLessThan(4000);
  }, 30_000);

  it("CSV quoting still splits records and keeps start lines with slice-based fields", async () => {
    const file = join(dir, "q.csv");
    writeFileSync(file, 'a,b\n"x\n""y""",2\n"z"w,3\n');
    const recs = [];
    for await (const r of readCsvRecords(file)) recs.push(r);
    expect(recs.map((r) => [r.cells, r.lineNumber, r.error ?? null])).toEqual([
      [["a", "b"], 1, null],
      [['x\n"y"', "2"], 2, null],
      [["z", "3"], 4, "unexpected text after a closing quote in column 1"],
    ]);
  });

  it("a regression label must be a decimal number: 0x1F, 0b1, Infinity are refused", async () => {
    const file = join(dir, "reg.csv");
    const reg = { textFields: ["text"], labelField: "score", regression: true };
    writeFileSync(file, "text,score\na,0x1F\n");
    await expect(collect(readCustomExamples(file, reg))).rejects.toThrow(
      `${file}:line 2: score: regression label "0x1F" is not a decimal number`,
    );
    writeFileSync(file, "text,score\na,0b1\nb,Infinity\nc, 2.5e-1 \nd,-.5\n");
    const stats = { file, rows: 0, skipped: 0, skippedDetails: [] as string[] };
    expect((await collect(readCustomExamples(file, reg, { skipMalformed: true }, stats))).map((r) => r.label)).toEqual([
      0.25, -0.5,
    ]);
    expect(stats.skipped).toBe(2);
  });

  it("a scrambled parquet file is an error naming the file", async () => {
    const good = join(ROOT, "parquet/mnli/train-00000-of-00001.parquet");
    const file = join(dir, "scrambled.parquet");
    const bytes = readFileSync(good);
    for (let i = 4; i < bytes.length - 8; i += 7) bytes[i] = (bytes[i]! * 31 + 17) & 0xff;
    writeFileSync(file, bytes);
    const cols = { textA: "premise", textB: "hypothesis", label: "label" };
    await expect(collect(readParquetExamples(file, cols, GLUE_TASKS.mnli.labels))).rejects.toThrow(DataFormatError);
    await expect(collect(readParquetExamples(file, cols, GLUE_TASKS.mnli.labels))).rejects.toThrow(file);
    const html = join(dir, "page.parquet");
    writeFileSync(html, "<!DOCTYPE html><html><body>rate limited</body></html>");
    await expect(collect(readParquetExamples(html, cols, GLUE_TASKS.mnli.labels))).rejects.toThrow(
      `${html}: not a parquet file (no PAR1 magic number at the start)`,
    );
    copyFileSync(good, join(dir, "ok.parquet"));
    expect(
      (await collect(readParquetExamples(join(dir, "ok.parquet"), cols, GLUE_TASKS.mnli.labels))).length,
    ).toBeGreaterThan(0);
  });
});
