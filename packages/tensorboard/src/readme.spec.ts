import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { EventFileWriter, readEventFile, scalarSeries } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "tb-readme-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it("runs the README's example", () => {
  const writer = new EventFileWriter(join(root, "runs/my-run/runs"));
  writer.addScalars({ "train/loss": 0.69, "train/learning_rate": 5e-4 }, 1);
  writer.addScalar("eval/accuracy", 0.71, 50);
  writer.close();
  const loss = scalarSeries(readEventFile(writer.path)).get("train/loss");
  expect(loss).toEqual([{ step: 1, wallTime: expect.any(Number), value: Math.fround(0.69) }]);
  expect(writer.path).toMatch(/runs\/my-run\/runs\/events\.out\.tfevents\.\d+\.[^/]+$/);
});
