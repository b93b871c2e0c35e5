import type { ReadStats } from "./example.js";

/** A malformed file or row; the message names the file and the line (or parquet row). */
export class DataFormatError extends Error {
  constructor(
    readonly file: string,
    readonly location: string | null,
    readonly reason: string,
  ) {
    super(`${file}${location ? `:${location}` : ""}: ${reason}`);
    this.name = "DataFormatError";
  }
}

/** Throws, or records the skip when the user opted in; never yields a shifted row. */
export function rejectRow(
  file: string,
  stats: ReadStats,
  skipMalformed: boolean | undefined,
  location: string,
  reason: string,
): void {
  if (!skipMalformed) throw new DataFormatError(file, location, reason);
  stats.skipped++;
  if (stats.skippedDetails.length < 20) stats.skippedDetails.push(`${location}: ${reason}`);
}
