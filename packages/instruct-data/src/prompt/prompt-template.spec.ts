import { describe, expect, it } from "vitest";
import { evaluationPrompt, responseOf, trainingPrompt, userPrompt } from "./prompt-template.js";

const I = "                "; // 16 spaces: the indentation of the authors' f-strings

describe("finetune.py prompt template", () => {
  it("without input: the text of generate_prompt, indentation and the two trailing spaces included", () => {
    expect(trainingPrompt({ instruction: "Add 2 and 3.", input: "", output: "2 + 3 = 5" })).toBe(
      `Below is an instruction that describes a task. Write a response that appropriately completes the request.  \n\n${I}### Instruction:\n${I}Add 2 and 3.\n${I}\n${I}### Response:\n${I}2 + 3 = 5`,
    );
  });

  it("with a non-empty input: the paired template, one trailing space after the first sentence pair", () => {
    expect(trainingPrompt({ instruction: "Add.", input: "2 and 3", output: "5" })).toBe(
      `Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request. \n\n${I}### Instruction:\n${I}Add.\n${I}\n${I}### Input:\n${I}2 and 3\n${I}\n${I}### Response:\n${I}5`,
    );
  });

  it("the user prompt is the template with an empty output, so prompt + output is the full prompt", () => {
    const ex = { instruction: "Q?", input: "", output: "A." };
    expect(userPrompt(ex) + ex.output).toBe(trainingPrompt(ex));
    expect(userPrompt(ex).endsWith(`### Response:\n${I}`)).toBe(true);
  });
});

describe("evaluate.py prompt template", () => {
  it("differs from the training one: one trailing space, no indented blank lines, ends where the response starts", () => {
    expect(evaluationPrompt("Add 2 and 3.")).toBe(
      `Below is an instruction that describes a task. Write a response that appropriately completes the request. \n\n${I}### Instruction:\n${I}Add 2 and 3.\n\n${I}### Response:\n${I}`,
    );
    expect(evaluationPrompt("Add.", "2 and 3")).toBe(
      `Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n${I}### Instruction:\n${I}Add.\n\n${I}### Input:\n${I}2 and 3\n\n${I}### Response:\n${I}`,
    );
  });

  it("responseOf keeps what follows the first '### Response:', stripped", () => {
    expect(responseOf(`${evaluationPrompt("x")}  The answer is 5 </s>`)).toBe("The answer is 5 </s>");
    expect(responseOf("no marker ")).toBe("no marker");
  });
});
