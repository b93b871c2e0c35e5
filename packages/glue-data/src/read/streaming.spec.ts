import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { GLUE_TASKS } from "../tasks/glue-tasks.js";
import { newReadStats } from "./example.js";
import { readGlueTsv } from "./glue-tsv.js";

const dir = mkdtempSync(join(tmpdir(), "glue-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("streaming", () => {
  it("reads a 200k-row QQP-shaped file with bounded memory", async () => {
    const file = join(dir, "train.tsv");
    const out = createWriteStream(file);
    out.write("id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n");
    const filler = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ".repeat(2);
    for (let i = 0; i < 200_000; i++) {
      if (
        !out.write(
          `${i}\t${2 * i}\t${2 * i + 1}\tquestion ${i} ${filler}?\tanother question ${i} ${filler}?\t${i % 2}\n`,
        )
      )
        await once(out, "drain");
    }
    out.end();
    await once(out, "close");
    const bytes = statSync(file).size;
    expect(bytes).toBeGreaterThan(60e6);

    const t = GLUE_TASKS.qqp;
    const stats = newReadStats(file);
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let labelSum = 0;
    for await (const ex of readGlueTsv(file, t.tsv, t.labels, {}, stats)) {
      labelSum += ex.label;
      if ((stats.rows & 8191) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    expect(stats.rows).toBe(200_000);
    expect(labelSum).toBe(100_000);
    // Holding the file (UTF-16 strings: 2 bytes per char) would need > 120 MB; streaming stays far below.
    expect(peak).toBeLessThan(bytes / 2);
  }, 60_000);
});
