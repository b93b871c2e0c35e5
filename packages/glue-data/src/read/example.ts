/** One labelled example: a single sentence or a sentence pair. */
export interface Example {
  textA: string;
  textB: string | null;
  /** Class id (index into the task's label list) or regression target. */
  label: number;
}

/** What a reader saw in one file; skipped rows only when `skipMalformed` is on. */
export interface ReadStats {
  file: string;
  /** Examples yielded. */
  rows: number;
  /** Malformed rows skipped. */
  skipped: number;
  /** The first skipped rows, as "line N: reason" (at most 20). */
  skippedDetails: string[];
}

export interface ReadOptions {
  /** Skip and count malformed rows instead of failing on the first one. */
  skipMalformed?: boolean;
  /** Stop after this many examples (the first N rows, like HF's `max_train_samples`). */
  maxExamples?: number;
}

export function newReadStats(file: string): ReadStats {
  return { file, rows: 0, skipped: 0, skippedDetails: [] };
}
