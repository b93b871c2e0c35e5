import { describe, expect, it } from "vitest";
import { readEventFile, scalarSeries } from "./event-file-reader.js";
import { TF2_EVENT_FILE } from "./testing.js";

describe("readEventFile on TensorFlow 2's file", () => {
  const events = readEventFile(TF2_EVENT_FILE);

  it("starts with brain.Event:2 and holds 100 scalar events", () => {
    expect(events).toHaveLength(101);
    expect(events[0]).toEqual({ wallTime: 1585499054, step: 0, fileVersion: "brain.Event:2" });
    // protoc --decode_raw shows wall_time as 0x41d7a032eb800000: the double 1585499054.
  });

  it("reads back steps 0-99 with value 0.5 x step, as TF2 tensors with the scalars plugin's metadata", () => {
    const rest = events.slice(1);
    expect(rest.map((e) => e.step)).toEqual([...Array(100).keys()]);
    for (const e of rest) {
      const [v] = e.summary!.value;
      expect(v!.tag).toBe("my_metric");
      expect(v!.metadata?.pluginData?.pluginName).toBe("scalars");
      expect(v!.tensor?.dtype).toBe(1); // DT_FLOAT
      expect(v!.simpleValue).toBeUndefined();
    }
    const series = scalarSeries(events).get("my_metric")!;
    expect(series.map((p) => p.value)).toEqual([...Array(100).keys()].map((s) => 0.5 * s));
    // Wall times only grow.
    expect(series.every((p, i) => i === 0 || p.wallTime >= series[i - 1]!.wallTime)).toBe(true);
  });
});
