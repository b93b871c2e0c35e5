import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeEvent, encodeEvent, tensorboardRoot } from "./proto.js";
import { TFEVENTS_FIXTURES } from "./testing.js";

interface FieldTable {
  fields: [string, string, number, string][];
  enums: [string, string, number][];
}

const table = JSON.parse(readFileSync(`${TFEVENTS_FIXTURES}tensorflow-fields.json`, "utf8")) as FieldTable;
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe("the protobufjs schema", () => {
  it.each(table.fields)("%s.%s is field %i (%s), as in TensorFlow's definitions", (message, field, id, type) => {
    const t = tensorboardRoot.lookupType(`tensorboard.${message}`);
    const f = t.fields[camel(field)];
    expect(f, `${message}.${field} missing`).toBeDefined();
    expect(f!.id).toBe(id);
    f!.resolve();
    // An enum is an int32 varint on the wire: data_class is declared int32 here (see the fixture's note).
    if (type === "DataClass") expect(f!.type).toBe("int32");
    else expect(f!.resolvedType ? f!.resolvedType.name : f!.type).toBe(type);
  });

  it.each(table.enums)("%s.%s = %i", (name, value, number) => {
    const e = tensorboardRoot.lookupEnum(`tensorboard.${name}`);
    expect(e.values[value]).toBe(number);
  });

  it("round-trips an event through the wire format", () => {
    const event = { wallTime: 1.5, step: 7, summary: { value: [{ tag: "train/loss", simpleValue: 0.25 }] } };
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });
});
