import { describe, expect, it } from "vitest";
import { extractAnswerLetter, extractAnswerNumber, goldAnswer, judge } from "./extract-answer.js";

describe("extractAnswerNumber (evaluate.py extract_answer_number)", () => {
  it.each([
    ["The answer is 18", 18],
    ["She pays 1,234 dollars in total.", 1234], // commas removed first
    ["1,000,000 grains", 1000000],
    ["It drops to -7 degrees", -7],
    ["He is left with 3.5 pies", 3.5],
    ["Janet sells 16 - 3 - 4 = 9 eggs.\nThe answer is 9.", 9], // "9." parses as 9
    ["5 - 8 = -3", -3],
    ["The total is 2.50.", 2.5],
    ["Answer: 0.125 and then some text", 0.125],
    ["x = 3-4", -4], // the reference's regex reads "3" then "-4"
    ["The ratio is 3/4", 4],
    ["costs $12,5", 125], // a decimal comma is lost as in the reference
  ])("%j → %d (the last number)", (text, want) => {
    expect(extractAnswerNumber(text)).toBe(want);
  });

  it("gives +Infinity when there is no number, which is never correct", () => {
    expect(extractAnswerNumber("I do not know.")).toBe(Number.POSITIVE_INFINITY);
    expect(extractAnswerNumber("")).toBe(Number.POSITIVE_INFINITY);
    expect(judge("gsm8k", "no idea", 0)).toEqual({ pred: Number.POSITIVE_INFINITY, correct: false });
  });

  it("counts a prediction within 0.001 of the label as correct, no further", () => {
    expect(judge("svamp", "The answer is 2.0005", 2).correct).toBe(true);
    expect(judge("svamp", "The answer is 2.001", 2).correct).toBe(true);
    expect(judge("svamp", "The answer is 2.0011", 2).correct).toBe(false);
    expect(judge("addsub", "-0 apples", 0).correct).toBe(true);
  });
});

describe("extractAnswerLetter (evaluate.py extract_answer_letter)", () => {
  it("takes the FIRST capital A–E anywhere, as the reference does", () => {
    expect(extractAnswerLetter("  The answer is (C) 42")).toBe("C");
    expect(extractAnswerLetter("Answer: B")).toBe("A"); // the A of "Answer" comes first
    expect(extractAnswerLetter("the answer is e")).toBe(""); // lower case does not count
    expect(extractAnswerLetter("Option D, not E")).toBe("D");
    expect(judge("aqua", "so the answer is D", "D")).toEqual({ pred: "D", correct: true });
  });
});

describe("goldAnswer", () => {
  it("reads numeric answers as evaluate.py's float() does, and letters as they are", () => {
    expect(goldAnswer("gsm8k", "18", "r")).toBe(18);
    expect(goldAnswer("gsm8k", " 1_000 ", "r")).toBe(1000);
    expect(goldAnswer("svamp", 5.0, "r")).toBe(5);
    expect(goldAnswer("aqua", "E", "r")).toBe("E");
  });

  it("names the record and field of a bad answer", () => {
    expect(() => goldAnswer("gsm8k", "eighteen", "test.json: record 3")).toThrow(
      'test.json: record 3: answer: "eighteen" is not a number',
    );
    expect(() => goldAnswer("gsm8k", undefined, "test.json: record 0")).toThrow("test.json: record 0: answer: missing");
  });
});
