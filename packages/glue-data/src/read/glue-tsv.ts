import type { GlueTsvLayout, TsvColumn } from "../tasks/glue-tasks.js";
import { DataFormatError, rejectRow } from "./data-format-error.js";
import { newReadStats, type Example, type ReadOptions, type ReadStats } from "./example.js";
import { readLines } from "./lines.js";
import { parseLabel } from "./parse-label.js";

/**
 * Reads a GLUE distribution TSV (train.tsv, dev.tsv, dev_matched.tsv, ...) as Hugging Face's
 * GLUE processors do: raw tab-separated cells with no quoting (csv.QUOTE_NONE), so quote
 * characters stay part of the text. Every row must have exactly as many cells as the header
 * (or `columnCount` in CoLA's headerless files); a short or long row is malformed, never shifted.
 * `stats` is filled while iterating.
 */
export async function* readGlueTsv(
  file: string,
  layout: GlueTsvLayout,
  labels: readonly string[] | null,
  options: ReadOptions = {},
  stats: ReadStats = newReadStats(file),
): AsyncGenerator<Example> {
  let columnCount = layout.columnCount ?? 0;
  let index: { a: number; b: number; label: number } | null = layout.header ? null : resolveColumns(layout, null, file);
  for await (const { line, lineNumber } of readLines(file)) {
    if (line.length === 0) continue;
    const cells = line.split("\t");
    if (index === null) {
      index = resolveColumns(layout, cells, file);
      columnCount = cells.length;
      continue;
    }
    const where = `line ${lineNumber}`;
    if (cells.length !== columnCount) {
      rejectRow(
        file,
        stats,
        options.skipMalformed,
        where,
        `expected ${columnCount} tab-separated columns, found ${cells.length}`,
      );
      continue;
    }
    const label = parseLabel(cells[index.label], labels);
    if (typeof label === "string") {
      rejectRow(file, stats, options.skipMalformed, where, label);
      continue;
    }
    stats.rows++;
    yield { textA: cells[index.a]!, textB: index.b >= 0 ? cells[index.b]! : null, label };
    if (options.maxExamples !== undefined && stats.rows >= options.maxExamples) return;
  }
  if (index === null) throw new DataFormatError(file, null, "the file is empty (expected a header line)");
}

function resolveColumns(
  layout: GlueTsvLayout,
  header: string[] | null,
  file: string,
): { a: number; b: number; label: number } {
  const find = (column: TsvColumn): number => {
    if (typeof column === "number") return column;
    const i = header!.indexOf(column);
    if (i < 0) {
      throw new DataFormatError(
        file,
        "line 1",
        `header has no column "${column}" (found: ${header!.join(", ")}); is this the right task's file?`,
      );
    }
    return i;
  };
  return { a: find(layout.textA), b: layout.textB === undefined ? -1 : find(layout.textB), label: find(layout.label) };
}
