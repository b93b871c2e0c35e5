import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { formatDuration, markdownTable } from "@aflora/metrics";
import { resolveCliBin } from "../commands/cli-bin.js";
import { runEmbedded } from "../embedded/run-embedded.js";
import { initCommandJournal } from "../journal/init-journal.js";
import { readJournal, updateJournal } from "../journal/journal-file.js";
import { connectRedis, redactUrl } from "../queue/connection.js";
import { enqueueTrials } from "../queue/enqueue.js";
import { waitForQueuedTrials } from "../queue/wait.js";

/** One reproducibility suite: its name and the aflora command line that runs it. */
export interface ReproSuite {
  name: string;
  /** aflora arguments, e.g. ["repro", "encoder", "--out", "repro-reports"]. */
  args: string[];
}

export interface ReproAllOptions {
  suites: ReproSuite[];
  /** Run through the queue's workers instead of here. */
  queue?: string;
  parallel?: number;
  /** Where repro-all/ (journal, logs, combined report) goes (default: repro-reports). */
  output?: string;
  cliBin?: string;
  log?: (line: string) => void;
}

export interface ReproSuiteResult {
  name: string;
  ok: boolean;
  state: string;
  elapsedMs: number;
  /** The suite's own report, when it wrote one to the standard place. */
  report: string | null;
  logTail: string[];
}

export interface ReproAllResult {
  ok: boolean;
  dir: string;
  suites: ReproSuiteResult[];
  markdown: string;
}

/** The command line of each named suite of `aflora repro <suite>`, its report going to `out`. */
export function reproSuites(names: readonly string[], out: string): ReproSuite[] {
  return names.map((name) => ({ name, args: ["repro", name, "--out", resolve(out)] }));
}

const suiteId = (s: ReproSuite) =>
  createHash("sha256")
    .update(JSON.stringify(["repro-all", s.name, s.args]))
    .digest("hex")
    .slice(0, 12);

/**
 * `aflora repro all [--queue URL]`: every suite as a trial of the sweep runner (a child process
 * each, here or on the queue's workers), then one combined report, repro-all.md/.json, with pass
 * or fail per suite. Unlike a training sweep every suite runs again each time: a check's result
 * is not cached.
 */
export async function reproAll(o: ReproAllOptions): Promise<ReproAllResult> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + "\n"));
  const cliBin = resolveCliBin(o.cliBin);
  const out = resolve(o.output ?? "repro-reports");
  const dir = join(out, "repro-all");
  await initCommandJournal(
    {
      name: "repro-all",
      file: "",
      dir,
      cwd: process.cwd(),
      mode: o.queue ? "queue" : "embedded",
      ...(o.queue ? { queue: redactUrl(o.queue) } : {}),
      settings: { threadsPerTrial: 1, retries: 0, plots: false },
    },
    o.suites.map((s) => ({ id: suiteId(s), label: s.name, args: s.args })),
  );
  const ids = new Set(o.suites.map(suiteId));
  const j = await updateJournal(dir, (jj) => {
    jj.trials = jj.trials.filter((t) => ids.has(t.id));
    for (const t of jj.trials) {
      t.state = "pending";
      delete t.error;
    }
    return structuredClone(jj);
  });
  if (o.queue) {
    const redis = await connectRedis(o.queue, log);
    try {
      await enqueueTrials(redis, j);
      await waitForQueuedTrials(redis, dir, { log });
    } finally {
      redis.disconnect();
    }
  } else await runEmbedded(j, { cliBin, ...(o.parallel ? { parallel: o.parallel } : {}), log });
  const done = readJournal(dir);
  const suites = o.suites.map((s): ReproSuiteResult => {
    const t = done.trials.find((x) => x.id === suiteId(s))!;
    const outIdx = s.args.indexOf("--out");
    const report = outIdx >= 0 ? join(s.args[outIdx + 1]!, `${s.name}.md`) : null;
    return {
      name: s.name,
      ok: t.state === "done",
      state: t.state,
      elapsedMs: t.elapsedMs,
      report: report && existsSync(report) ? report : null,
      logTail: t.error?.logTail ?? [],
    };
  });
  const ok = suites.every((s) => s.ok);
  const markdown = [
    `# aflora repro all: ${ok ? "PASS" : "FAIL"}`,
    "",
    `${suites.filter((s) => s.ok).length} of ${suites.length} suites passed (${o.queue ? `queue ${redactUrl(o.queue)}` : "on this machine"}).`,
    "",
    markdownTable(
      ["Suite", "Result", "Time", "Report"],
      suites.map((s) => [s.name, s.ok ? "PASS" : "FAIL", formatDuration(s.elapsedMs), s.report ?? "–"]),
    ),
    "",
    ...suites
      .filter((s) => !s.ok)
      .flatMap((s) => [`## ${s.name}: FAIL`, "", "```", ...s.logTail.slice(-20), "```", ""]),
  ].join("\n");
  writeFileAtomic.sync(join(dir, "repro-all.md"), markdown);
  writeFileAtomic.sync(join(dir, "repro-all.json"), JSON.stringify({ ok, suites }, null, 2) + "\n");
  log(`${ok ? "PASS" : "FAIL"}: ${join(dir, "repro-all.md")}`);
  return { ok, dir, suites, markdown };
}
