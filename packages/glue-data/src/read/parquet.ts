import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { DataFormatError, rejectRow } from "./data-format-error.js";
import { newReadStats, type Example, type ReadOptions, type ReadStats } from "./example.js";
import { parseLabel } from "./parse-label.js";

export interface ParquetColumns {
  textA: string;
  textB?: string;
  label: string;
}

/**
 * Reads a Hugging Face datasets parquet export (nyu-mll/glue layout: text columns, an int64
 * `label` holding the class id, or a float for STS-B) one row group at a time, so memory is
 * bounded by a row group rather than the file. A null text or an out-of-range label (e.g. the
 * -1 of unlabelled test splits) is a malformed row, reported as `row N` (1-based).
 */
export async function* readParquetExamples(
  file: string,
  columns: ParquetColumns,
  labels: readonly string[] | null,
  options: ReadOptions = {},
  stats: ReadStats = newReadStats(file),
): AsyncGenerator<Example> {
  let buffer;
  try {
    buffer = await asyncBufferFromFile(file);
  } catch (e) {
    throw new DataFormatError(file, null, `cannot open parquet file (${(e as Error).message})`);
  }
  let metadata;
  try {
    const head = new Uint8Array(await buffer.slice(0, 4));
    if (buffer.byteLength < 12 || new TextDecoder().decode(head) !== "PAR1")
      throw new Error("no PAR1 magic number at the start");
    metadata = await parquetMetadataAsync(buffer);
  } catch (e) {
    throw new DataFormatError(file, null, `not a parquet file (${(e as Error).message})`);
  }
  const present = metadata.schema.slice(1).map((s) => s.name);
  const wanted = [columns.textA, ...(columns.textB ? [columns.textB] : []), columns.label];
  for (const c of wanted) {
    if (!present.includes(c))
      throw new DataFormatError(file, null, `parquet file has no column "${c}" (found: ${present.join(", ")})`);
  }
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, columns: wanted, rowStart, rowEnd });
    } catch (e) {
      const where = `rows ${rowStart + 1}-${rowEnd}`;
      throw new DataFormatError(
        file,
        where,
        `corrupt parquet data (${(e as Error).message}); delete the file and download it again`,
      );
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const where = `row ${rowStart + i + 1}`;
      const a = row[columns.textA];
      const b = columns.textB ? row[columns.textB] : null;
      if (typeof a !== "string" || (columns.textB && typeof b !== "string")) {
        rejectRow(
          file,
          stats,
          options.skipMalformed,
          where,
          `text column is ${a === null || b === null ? "null" : "not a string"}`,
        );
        continue;
      }
      const label = parseLabel(row[columns.label], labels);
      if (typeof label === "string") {
        rejectRow(file, stats, options.skipMalformed, where, label);
        continue;
      }
      stats.rows++;
      yield { textA: a, textB: columns.textB ? (b as string) : null, label };
      if (options.maxExamples !== undefined && stats.rows >= options.maxExamples) return;
    }
    rowStart = rowEnd;
  }
}
