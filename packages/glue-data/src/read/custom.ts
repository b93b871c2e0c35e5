import { extname } from "node:path";
import type { CustomTaskSchema } from "../tasks/custom-task.js";
import { readCsvRecords } from "./csv-records.js";
import { DataFormatError, rejectRow } from "./data-format-error.js";
import { newReadStats, type Example, type ReadOptions, type ReadStats } from "./example.js";
import { readLines } from "./lines.js";
import { parseLabel } from "./parse-label.js";

export type CustomFormat = "csv" | "tsv" | "jsonl";

/** csv, tsv (quoted like csv, tab-delimited) or jsonl, from the extension unless given. */
export function customFormatOf(file: string, format?: CustomFormat): CustomFormat {
  if (format) return format;
  const ext = extname(file).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".tsv") return "tsv";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  throw new DataFormatError(
    file,
    null,
    `cannot tell the format from the extension "${ext}"; set format to csv, tsv or jsonl`,
  );
}

/** Examples of a custom task file described by `schema`, streamed. */
export async function* readCustomExamples(
  file: string,
  schema: CustomTaskSchema,
  options: ReadOptions & { format?: CustomFormat } = {},
  stats: ReadStats = newReadStats(file),
): AsyncGenerator<Example> {
  const format = customFormatOf(file, options.format);
  const records =
    format === "jsonl" ? jsonlRecords(file, schema) : delimitedRecords(file, schema, format === "tsv" ? "\t" : ",");
  yield* examplesOf(records, schema, options, stats, file);
}

type RawRecord = { where: string; texts: string[]; label: unknown } | { where: string; error: string };

async function* delimitedRecords(file: string, schema: CustomTaskSchema, delimiter: string): AsyncGenerator<RawRecord> {
  let header: string[] | null = null;
  let textIdx: number[] = [];
  let labelIdx = -1;
  for await (const rec of readCsvRecords(file, delimiter)) {
    const where = `line ${rec.lineNumber}`;
    if (header === null) {
      if (rec.error) throw new DataFormatError(file, where, `header: ${rec.error}`);
      header = rec.cells.map((c) => c.trim());
      const find = (name: string) => {
        const i = header!.indexOf(name);
        if (i < 0)
          throw new DataFormatError(file, where, `header has no column "${name}" (found: ${header!.join(", ")})`);
        return i;
      };
      textIdx = schema.textFields.map(find);
      labelIdx = find(schema.labelField);
      continue;
    }
    if (rec.error) yield { where, error: rec.error };
    else if (rec.cells.length !== header.length)
      yield { where, error: `expected ${header.length} columns, found ${rec.cells.length}` };
    else yield { where, texts: textIdx.map((i) => rec.cells[i]!), label: rec.cells[labelIdx] };
  }
  if (header === null) throw new DataFormatError(file, null, "the file is empty (expected a header line)");
}

async function* jsonlRecords(file: string, schema: CustomTaskSchema): AsyncGenerator<RawRecord> {
  for await (const { line, lineNumber } of readLines(file)) {
    if (line.trim() === "") continue;
    const where = `line ${lineNumber}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      yield { where, error: `invalid JSON (${(e as Error).message})` };
      continue;
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      yield { where, error: "expected a JSON object" };
      continue;
    }
    yield recordToRaw(obj as Record<string, unknown>, schema, where);
  }
}

function recordToRaw(o: Record<string, unknown>, schema: CustomTaskSchema, where: string): RawRecord {
  const missing = schema.textFields.find((f) => typeof o[f] !== "string");
  if (missing)
    return { where, error: `field "${missing}" is ${o[missing] === undefined ? "missing" : "not a string"}` };
  if (!(schema.labelField in o)) return { where, error: `field "${schema.labelField}" is missing` };
  return { where, texts: schema.textFields.map((f) => o[f] as string), label: o[schema.labelField] };
}

/** Examples from in-memory records (objects with the schema's fields), checked like a JSONL file. */
export async function* readRecordExamples(
  records: Iterable<Record<string, unknown>>,
  schema: CustomTaskSchema,
  options: ReadOptions = {},
  stats: ReadStats = newReadStats("(records)"),
): AsyncGenerator<Example> {
  async function* raw(): AsyncGenerator<RawRecord> {
    let n = 0;
    for (const r of records) yield recordToRaw(r, schema, `record ${++n}`);
  }
  yield* examplesOf(raw(), schema, options, stats, stats.file);
}

async function* examplesOf(
  records: AsyncIterable<RawRecord>,
  schema: CustomTaskSchema,
  options: ReadOptions,
  stats: ReadStats,
  file: string,
): AsyncGenerator<Example> {
  const labels = schema.regression ? null : schema.labels!;
  for await (const rec of records) {
    if ("error" in rec) {
      rejectRow(file, stats, options.skipMalformed, rec.where, rec.error);
      continue;
    }
    const label = parseLabel(rec.label, labels);
    if (typeof label === "string") {
      rejectRow(file, stats, options.skipMalformed, rec.where, `${schema.labelField}: ${label}`);
      continue;
    }
    stats.rows++;
    yield { textA: rec.texts[0]!, textB: rec.texts[1] ?? null, label };
    if (options.maxExamples !== undefined && stats.rows >= options.maxExamples) return;
  }
}
