import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluationPrompt } from "../prompt/prompt-template.js";
import { evaluateMathTask, responseFromGeneration } from "./evaluate-math-task.js";

const dir = mkdtempSync(join(tmpdir(), "aflora-math-eval-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A small test file in the LLM-Adapters format (dataset/<name>/test.json).
const GSM8K = [
  {
    instruction: "Natalia sold 48 clips in April and half as many in May. How many in total?",
    input: "",
    output: "",
    answer: "72",
  },
  { instruction: "Weng earns $12 an hour. How much for 50 minutes?", input: "", output: "", answer: "10" },
  { instruction: "Betty needs $100 and has half. How much more does she need?", input: "", output: "", answer: 5 },
];
const REPLIES: Record<string, string> = {
  Natalia: "48 / 2 = 24\n48 + 24 = 72\nThe answer is 72.</s>",
  Weng: "12 / 60 = 0.2 per minute, 0.2 * 50 = 10. The answer is 1,0 ### Response: 10",
  Betty: "I cannot tell.",
};

/** A stand-in for the decoder's generate: replies by the instruction's first word, records each call. */
function fakeGenerate(calls: string[][]) {
  return async (prompts: string[]) => {
    calls.push(prompts);
    return prompts.map((p) => REPLIES[Object.keys(REPLIES).find((k) => p.includes(k))!]!);
  };
}

describe("evaluateMathTask", () => {
  it("generates from evaluate.py's prompt, extracts the last number, reports accuracy and writes every prediction as JSONL", async () => {
    const file = join(dir, "test.json");
    writeFileSync(file, JSON.stringify(GSM8K));
    const calls: string[][] = [];
    const out = join(dir, "run");
    const r = await evaluateMathTask({
      task: "gsm8k",
      data: file,
      generate: fakeGenerate(calls),
      batchSize: 2,
      outDir: out,
    });
    expect(calls.map((c) => c.length)).toEqual([2, 1]);
    expect(calls[0]![0]).toBe(evaluationPrompt(GSM8K[0]!.instruction));
    // Weng: the text after a second "### Response:" is cut off as in evaluate.py; "1,0" reads as 10.
    expect(r.predictions.map((p) => [p.pred, p.correct])).toEqual([
      [72, true],
      [10, true],
      [null, false],
    ]);
    expect([r.total, r.correct, r.accuracy]).toEqual([3, 2, 2 / 3]);
    const lines = readFileSync(join(out, "predictions-gsm8k.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ ...GSM8K[0], output_pred: REPLIES["Natalia"], pred: 72, flag: true });
    expect(lines[2]).toMatchObject({ pred: null, flag: false, answer: 5 });
    expect(JSON.parse(readFileSync(join(out, "metrics-gsm8k.json"), "utf8"))).toEqual({
      task: "gsm8k",
      total: 3,
      correct: 2,
      accuracy: 2 / 3,
    });
  });

  it("scores AQuA by option letter", async () => {
    const data = [
      { instruction: "Pick one. Answer Choices: (A) 1 (B) 2", answer: "B" },
      { instruction: "Pick again. Answer Choices: (A) 1 (B) 2", answer: "A" },
    ];
    const generate = async (prompts: string[]) =>
      prompts.map((p) => (p.includes("again") ? "the answer is B" : "(B) 2"));
    const r = await evaluateMathTask({ task: "aqua", data, generate });
    expect(r.predictions.map((p) => p.pred)).toEqual(["B", "B"]);
    expect(r.accuracy).toBe(0.5);
    expect(r.predictionsFile).toBeNull();
  });

  it("cuts the response like evaluate.py: after the first '### Response:', before a second", () => {
    expect(responseFromGeneration("x ### Response:\n ", " 5 ### Response: 6")).toBe("5");
  });

  it("names the problem: unknown task, bad answers, a generate that returns the wrong count", async () => {
    await expect(evaluateMathTask({ task: "mawps" as never, data: GSM8K, generate: async (p) => p })).rejects.toThrow(
      /task: expected one of gsm8k, svamp/,
    );
    await expect(
      evaluateMathTask({ task: "gsm8k", data: [{ instruction: "x", answer: "n/a" }], generate: async (p) => p }),
    ).rejects.toThrow(/data: record 0: answer: "n\/a" is not a number/);
    await expect(evaluateMathTask({ task: "gsm8k", data: GSM8K, generate: async () => ["1"] })).rejects.toThrow(
      /generate: returned 1 outputs for 3 prompts/,
    );
  });
});
