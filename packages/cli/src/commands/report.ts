import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { compareRuns, readRunReport, writeRunReport, type RunReport } from "@aflora/metrics";
import { reportExtras } from "../train/report-extras.js";

interface ReportFlags {
  paper?: boolean;
  json?: boolean;
  plots?: boolean;
}

/** `aflora report <run…>`: one run → rebuild its report; several → one comparison table. */
export async function reportCommand(runs: string[], flags: ReportFlags): Promise<void> {
  const dirs = runs.map((r) => resolve(r));
  for (const d of dirs)
    if (!existsSync(join(d, "events.jsonl"))) throw new Error(`${d}: not an aflora run folder (no events.jsonl)`);
  const reports: RunReport[] = [];
  if (dirs.length === 1 && !flags.paper && !flags.json) {
    const r = await writeRunReport(dirs[0]!, { ...(await reportExtras(dirs[0]!)), plots: flags.plots !== false });
    process.stdout.write(`Report of ${r.runId} (${r.status}): ${join(dirs[0]!, "report.md")}\n`);
    return;
  }
  for (const d of dirs) reports.push(readRunReport(d, await reportExtras(d)));
  if (flags.json) {
    process.stdout.write(
      JSON.stringify(
        reports.map(
          ({ loss: _l, learningRates: _lr, trainable: { series: _s, ...trainable }, parameters: _p, ...r }) => ({
            ...r,
            trainable,
          }),
        ),
        null,
        2,
      ) + "\n",
    );
    return;
  }
  process.stdout.write(compareRuns(reports, { paper: flags.paper }) + "\n");
}
