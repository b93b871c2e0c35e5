import { describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { eventToRecord, parseEventLines } from "./event-json.js";

describe("eventToRecord", () => {
  it("keeps only variable names of step:gradients and the message of run:error", async () => {
    await tf.setBackend("cpu");
    const g = tf.ones([2, 2]);
    const v = tf.variable(tf.zeros([2, 2]));
    const rec = eventToRecord(
      { type: "step:gradients", step: 3, epoch: 0, gradients: new Map([["w", g]]), values: new Map([["w", v]]) },
      42,
    );
    expect(rec).toEqual({ type: "step:gradients", time: 42, step: 3, epoch: 0, variables: ["w"] });
    expect(
      JSON.parse(JSON.stringify(eventToRecord({ type: "run:error", step: 1, error: new Error("boom") }, 1))).error
        .message,
    ).toBe("boom");
    g.dispose();
    v.dispose();
  });
});

describe("parseEventLines", () => {
  it("names the line of a corrupt record", () => {
    expect(() =>
      parseEventLines('{"type":"run:start","time":1}\nnot json\n{"type":"step:end","time":2}\n', "run/events.jsonl"),
    ).toThrow(/run\/events.jsonl:2: not valid JSON/);
  });
  it("drops a truncated last line (a run killed mid-write)", () => {
    expect(parseEventLines('{"type":"run:start","time":1}\n{"type":"step:e').map((e) => e.type)).toEqual(["run:start"]);
  });
  it("rejects a record without a type", () => {
    expect(() => parseEventLines('{"time":1}\n', "e.jsonl")).toThrow(
      /e.jsonl:1: expected an object with a "type" field/,
    );
  });
});
