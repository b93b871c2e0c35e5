import { resolve } from "node:path";
import { readJournal } from "../journal/journal-file.js";
import { writeSweepReport, type SweepReport } from "../report/write-report.js";

/** `aflora sweep report <dir>`: (re)writes report.md/.csv/.json/.svg from sweep.json and the run folders. */
export async function sweepReport(dir: string, o: { plot?: boolean } = {}): Promise<SweepReport> {
  return writeSweepReport(readJournal(resolve(dir)), o);
}
