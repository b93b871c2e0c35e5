import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEventLines } from "../report/event-json.js";
import { buildRunReport, type ParameterInfo, type RunReport, type RunReportExtras } from "../report/run-report.js";
import { renderReportMarkdown } from "../report/markdown.js";
import { writeFileAtomicSync as writeFileAtomic } from "@aflora/core";
import { writeRunPlots } from "../plots/write-plots.js";

/** File names inside a run folder that the reporters read and write. */
export const RUN_FILES = {
  events: "events.jsonl",
  parameters: "parameters.json",
  reportJson: "report.json",
  reportMarkdown: "report.md",
  plots: "plots",
} as const;

export interface WriteReportOptions extends Omit<RunReportExtras, "parameters"> {
  /** Skip SVG/PNG rendering (faster; report.md then has no pictures). */
  plots?: boolean;
}

/** Reads a run folder's events.jsonl (and parameters.json when present) into a RunReport. */
export function readRunReport(runDir: string, extras: Omit<RunReportExtras, "parameters"> = {}): RunReport {
  const eventsPath = join(runDir, RUN_FILES.events);
  if (!existsSync(eventsPath)) throw new Error(`${runDir}: not a run folder (no ${RUN_FILES.events})`);
  const events = parseEventLines(readFileSync(eventsPath, "utf8"), eventsPath);
  const paramsPath = join(runDir, RUN_FILES.parameters);
  const parameters = existsSync(paramsPath) ? (JSON.parse(readFileSync(paramsPath, "utf8")) as ParameterInfo[]) : [];
  return buildRunReport(events, { ...extras, parameters });
}

/** Builds the run's report and writes report.json, report.md and plots/ (SVG + PNG), each atomically. */
export async function writeRunReport(runDir: string, options: WriteReportOptions = {}): Promise<RunReport> {
  const { plots = true, ...extras } = options;
  const report = readRunReport(runDir, extras);
  const pictures = plots ? await writeRunPlots(report, join(runDir, RUN_FILES.plots)) : {};
  writeFileAtomic(join(runDir, RUN_FILES.reportJson), JSON.stringify(report, null, 2) + "\n");
  writeFileAtomic(join(runDir, RUN_FILES.reportMarkdown), renderReportMarkdown(report, { plots: pictures }));
  return report;
}
