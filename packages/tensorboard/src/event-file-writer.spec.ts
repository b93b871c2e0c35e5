import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EventFileWriter, FILE_VERSION } from "./event-file-writer.js";
import { readEventFile, scalarSeries } from "./event-file-reader.js";
import { readRecords } from "./record.js";
import { float32Hex, protocDecodeRaw } from "./testing.js";

// A 2x1 RGBA PNG (signature, IHDR, IDAT, IEND), enough for the IHDR fields.
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000020000000108060000005f7cdbf80000000f4944415478da63f8cfc0f01f0003000200fd33a7c90000000049454e44ae426082",
  "hex",
);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function logDir(): string {
  const d = mkdtempSync(join(tmpdir(), "tb-writer-"));
  dirs.push(d);
  return join(d, "runs");
}

function writeSample(dir: string): string {
  const w = new EventFileWriter(dir, { now: () => 1_700_000_000_250, host: "testhost" });
  w.addScalars({ "train/loss": 0.5, "train/learning_rate": 0.001 }, 1);
  w.addScalar("eval/accuracy", 0.75, 10);
  w.addImage("aflora/freezing_heatmap", PNG, 10);
  w.addSessionStart(11);
  w.close();
  return w.path;
}

describe("EventFileWriter", () => {
  it("names the file events.out.tfevents.<seconds>.<host> inside the log folder", () => {
    const dir = logDir();
    const path = writeSample(dir);
    expect(path).toBe(join(dir, "events.out.tfevents.1700000000.testhost"));
    expect(readdirSync(dir)).toEqual(["events.out.tfevents.1700000000.testhost"]);
    // A second writer in the same second gets its own file.
    const again = new EventFileWriter(dir, { now: () => 1_700_000_000_900, host: "testhost" });
    again.close();
    expect(again.path).toBe(`${path}.1`);
  });

  it("writes records that pass TensorFlow's framing checks and read back", () => {
    const path = writeSample(logDir());
    const bytes = readFileSync(path);
    const { records, partialTailBytes } = readRecords(bytes, path);
    expect(records).toHaveLength(5);
    expect(partialTailBytes).toBe(0);
    const events = readEventFile(path);
    expect(events[0]).toEqual({ wallTime: 1_700_000_000.25, step: 0, fileVersion: FILE_VERSION });
    const series = scalarSeries(events);
    expect(series.get("train/loss")).toEqual([{ step: 1, wallTime: 1_700_000_000.25, value: 0.5 }]);
    expect(series.get("train/learning_rate")![0]!.value).toBeCloseTo(0.001, 9); // float32 on the wire
    expect(series.get("eval/accuracy")).toEqual([{ step: 10, wallTime: 1_700_000_000.25, value: 0.75 }]);
    const image = events[3]!.summary!.value[0]!;
    expect(image.tag).toBe("aflora/freezing_heatmap");
    expect(image.image).toMatchObject({ width: 2, height: 1, colorspace: 4 });
    expect(Buffer.from(image.image!.encodedImageString).equals(PNG)).toBe(true);
    expect(events[4]).toMatchObject({ step: 11, sessionLog: { status: 1 } });
  });

  it("decodes with protoc --decode_raw to TensorFlow's field numbers", () => {
    const { records } = readRecords(readFileSync(writeSample(logDir())));
    const raw = records.map((r) => protocDecodeRaw(r));
    // Event.wall_time (1, double), Event.file_version (3).
    expect(raw[0]).toMatch(/^1: 0x[0-9a-f]{16}\n3: "brain\.Event:2"\n$/);
    // Event.step (2), Event.summary (5) { value (1) { tag (1), simple_value (2, float32 bits) } }.
    expect(raw[1]).toContain(
      `2: 1\n5 {\n  1 {\n    1: "train/loss"\n    2: ${float32Hex(0.5)}\n  }\n  1 {\n    1: "train/learning_rate"\n    2: ${float32Hex(0.001)}\n  }\n}`,
    );
    expect(raw[2]).toContain(`2: 10\n5 {\n  1 {\n    1: "eval/accuracy"\n    2: ${float32Hex(0.75)}\n  }\n}`);
    // Summary.Value.image (4) { height (1), width (2), colorspace (3), encoded_image_string (4) }.
    expect(raw[3]).toMatch(
      /5 \{\n {2}1 \{\n {4}1: "aflora\/freezing_heatmap"\n {4}4 \{\n {6}1: 1\n {6}2: 2\n {6}3: 4\n {6}4: "\\211PNG/,
    );
    // Event.session_log (7) { status (1) = START }.
    expect(raw[4]).toContain("2: 11\n7 {\n  1: 1\n}");
  });

  it("refuses bytes that are not a PNG", () => {
    const w = new EventFileWriter(logDir(), { host: "h" });
    expect(() => w.addImage("x", new Uint8Array(40), 1)).toThrow("addImage: expected PNG bytes");
    w.close();
  });
});
