/** Facts about a run that plugins may read; fixed once the run starts. */
export interface RunInfo {
  runId: string;
  totalSteps: number;
  stepsPerEpoch: number;
  epochs: number;
  seed: number;
  /** Folder the run writes to, or null for in-memory runs (tests). */
  outputDir: string | null;
}
