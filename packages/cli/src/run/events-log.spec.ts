import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEventLines } from "@aflora/metrics";
import { EventsLog, repairTornTail } from "./events-log.js";

const dir = mkdtempSync(join(tmpdir(), "events-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("events.jsonl after a crash", () => {
  it("cuts a torn last line before appending, with a warning, so the log stays readable", () => {
    const events = join(dir, "events.jsonl");
    const metrics = join(dir, "metrics.jsonl");
    writeFileSync(events, '{"type":"run:start","time":1}\n{"type":"step:end","st');
    writeFileSync(metrics, "");
    const warnings: string[] = [];
    const log = new EventsLog(events, metrics, "info", (m) => warnings.push(m));
    log.write({ type: "run:end", step: 1, summary: {} } as never);
    log.close();
    const text = readFileSync(events, "utf8");
    expect(parseEventLines(text, events).map((e) => e.type)).toEqual(["run:start", "run:end"]);
    expect(warnings).toEqual([`${events}: cut a partial last line (22 bytes) left by an interrupted write`]);
  });

  it("leaves a complete file and a file without any newline as they should be", () => {
    const whole = join(dir, "whole.jsonl");
    writeFileSync(whole, '{"type":"run:start"}\n');
    repairTornTail(whole, () => {
      throw new Error("no warning expected");
    });
    expect(readFileSync(whole, "utf8")).toBe('{"type":"run:start"}\n');
    const torn = join(dir, "torn.jsonl");
    writeFileSync(torn, '{"type":"run:st');
    repairTornTail(torn, () => {});
    expect(readFileSync(torn, "utf8")).toBe("");
  });
});
