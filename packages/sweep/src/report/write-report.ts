import { join } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { renderSvg } from "@aflora/metrics";
import type { Journal } from "../journal/journal.js";
import { aggregate, type SweepTable } from "./aggregate.js";
import { collectResults, type TrialResult } from "./collect.js";
import { summaryCsv, trialsCsv } from "./render-csv.js";
import { renderMarkdown } from "./render-markdown.js";
import { sweepPlotSpec } from "./plot.js";

export interface SweepReport {
  name: string;
  table: SweepTable;
  trials: TrialResult[];
  markdown: string;
  files: string[];
}

/**
 * Writes the sweep's report into its folder: report.md, report.csv (method × task),
 * report-seeds.csv (per trial), report.json, and the plot as report.vl.json and report.svg.
 */
export async function writeSweepReport(j: Journal, o: { plot?: boolean } = {}): Promise<SweepReport> {
  const trials = collectResults(j);
  const table = aggregate(trials);
  const markdown = renderMarkdown(j, table, trials);
  const out = (f: string) => join(j.dir, f);
  const files = ["report.md", "report.csv", "report-seeds.csv", "report.json"];
  writeFileAtomic.sync(out("report.md"), markdown);
  writeFileAtomic.sync(out("report.csv"), summaryCsv(table));
  writeFileAtomic.sync(out("report-seeds.csv"), trialsCsv(trials));
  writeFileAtomic.sync(
    out("report.json"),
    JSON.stringify({ name: j.name, mode: j.mode, table, trials }, null, 2) + "\n",
  );
  if (o.plot !== false) {
    const spec = sweepPlotSpec(j.name, trials);
    writeFileAtomic.sync(out("report.vl.json"), JSON.stringify(spec, null, 2) + "\n");
    writeFileAtomic.sync(out("report.svg"), await renderSvg(spec));
    files.push("report.vl.json", "report.svg");
  }
  return { name: j.name, table, trials, markdown, files: files.map(out) };
}
