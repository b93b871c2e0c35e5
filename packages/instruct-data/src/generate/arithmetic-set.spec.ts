import { describe, expect, it } from "vitest";
import { extractAnswerNumber } from "../eval/extract-answer.js";
import { generateArithmeticSet } from "./arithmetic-set.js";

describe("generateArithmeticSet", () => {
  const set = generateArithmeticSet({ seed: 0, train: 256, heldOut: 64 });

  it("is deterministic for a seed and differs between seeds", () => {
    expect(generateArithmeticSet({ seed: 0, train: 256, heldOut: 64 })).toEqual(set);
    expect(generateArithmeticSet({ seed: 1, train: 256, heldOut: 64 }).train).not.toEqual(set.train);
  });

  it("writes LLM-Adapters records whose output ends in the answer, each answer right", () => {
    expect([set.train.length, set.heldOut.length]).toEqual([256, 64]);
    for (const r of [...set.train, ...set.heldOut]) {
      expect(Object.keys(r)).toEqual(["instruction", "input", "output", "answer"]);
      const [lhs, c] = r.output!.split("\n")[0]!.split(" = ");
      const [a, op, b] = lhs!.split(" ");
      const want = op === "+" ? Number(a) + Number(b) : Number(a) - Number(b);
      expect([Number(c), extractAnswerNumber(r.output!), Number(r.answer)]).toEqual([want, want, want]);
      expect(want).toBeGreaterThanOrEqual(0);
      expect(r.instruction).toMatch(new RegExp(`\\b${a}\\b.*\\b${b}\\b`));
    }
  });

  it("holds out problems that never occur in training", () => {
    const key = (o: string | undefined) => o!.split(" = ")[0];
    const train = new Set(set.train.map((r) => key(r.output)));
    expect(train.size).toBe(256);
    expect(set.heldOut.filter((r) => train.has(key(r.output)))).toEqual([]);
  });

  it("names the option that cannot be met", () => {
    expect(() => generateArithmeticSet({ seed: 0, train: 500, heldOut: 100, maxOperand: 5 })).toThrow(
      /train \+ heldOut: 600 records asked for, but only 57 distinct problems/,
    );
    expect(() => generateArithmeticSet({ seed: 0, train: -1, heldOut: 1 })).toThrow(
      /train: expected a non-negative integer/,
    );
  });
});
