import { readFileSync } from "node:fs";
import type { TrialRecord } from "../journal/journal.js";
import type { TrialTask } from "./run-trial.js";

/** The task a journal record describes (train: its config file and max steps; command: its args). */
export function taskOf(t: TrialRecord): TrialTask {
  if (t.kind === "command") return { kind: "command", id: t.id, args: t.args ?? [] };
  const config = JSON.parse(readFileSync(t.configFile!, "utf8")) as { training?: { maxSteps?: number } };
  const maxSteps = config.training?.maxSteps;
  return { kind: "train", id: t.id, configFile: t.configFile!, ...(maxSteps ? { maxSteps } : {}) };
}
