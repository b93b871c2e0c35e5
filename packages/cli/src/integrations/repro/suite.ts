/** What every reproducibility suite returns to `aflora repro`. */
export interface SuiteResult {
  ok: boolean;
  /** The suite's report (plain text or Markdown), also written to `<out>/<suite>.md`. */
  text: string;
}

export type SuiteRunner = (fixtures: string) => Promise<SuiteResult>;
