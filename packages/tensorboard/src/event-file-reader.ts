import { readFileSync } from "node:fs";
import { decodeEvent, type TbEvent, type TbValue } from "./proto.js";
import { readRecords } from "./record.js";

const DT_FLOAT = 1;
const DT_DOUBLE = 2;

/** Every whole event of a TensorBoard event file, in file order (a record still being written is left out). */
export function readEventFile(path: string): TbEvent[] {
  const { records } = readRecords(readFileSync(path), path);
  return records.map((r, i) => {
    try {
      return decodeEvent(r);
    } catch (e) {
      throw new Error(`${path}: record ${i}: not a tensorboard.Event (${(e as Error).message})`);
    }
  });
}

/**
 * The number a scalar summary holds: `simple_value` (TF1, PyTorch, aflora) or a rank-0
 * float/double tensor (TF2's `tf.summary.scalar`). Null for anything else.
 */
export function scalarValue(v: TbValue): number | null {
  if (typeof v.simpleValue === "number") return v.simpleValue;
  const t = v.tensor;
  if (!t) return null;
  if (t.dtype === DT_FLOAT) {
    if (t.floatVal?.length) return t.floatVal[0]!;
    if (t.tensorContent?.length === 4) return Buffer.from(t.tensorContent).readFloatLE(0);
  }
  if (t.dtype === DT_DOUBLE) {
    if (t.doubleVal?.length) return t.doubleVal[0]!;
    if (t.tensorContent?.length === 8) return Buffer.from(t.tensorContent).readDoubleLE(0);
  }
  return null;
}

export interface ScalarPoint {
  step: number;
  wallTime: number;
  value: number;
}

/** Scalar series by tag, in file order. */
export function scalarSeries(events: readonly TbEvent[]): Map<string, ScalarPoint[]> {
  const out = new Map<string, ScalarPoint[]>();
  for (const e of events) {
    for (const v of e.summary?.value ?? []) {
      const value = scalarValue(v);
      if (value === null) continue;
      const list = out.get(v.tag) ?? [];
      list.push({ step: e.step, wallTime: e.wallTime, value });
      out.set(v.tag, list);
    }
  }
  return out;
}
