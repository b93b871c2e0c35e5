import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * One record of the LLM-Adapters JSON format (math_10k.json, dataset/<name>/test.json):
 * `instruction`, optional `input`, the target `output` (a rationale ending in the answer) and
 * the gold `answer` (a number, a numeric string, or an option letter for AQuA).
 */
export interface InstructExample {
  instruction: string;
  input?: string;
  output?: string;
  answer?: string | number;
}

const exampleSchema = z
  .object({
    instruction: z.string(),
    input: z.string().nullish(),
    output: z.string().nullish(),
    answer: z.union([z.string(), z.number()]).nullish(),
  })
  .loose();

/** A file or record that does not follow the format; the message names the file, the record and the field. */
export class InstructFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InstructFormatError";
  }
}

/** Checks parsed records (a JSON array, as in the LLM-Adapters files); `origin` names them in errors. */
export function parseInstructExamples(records: unknown, origin: string): InstructExample[] {
  if (!Array.isArray(records))
    throw new InstructFormatError(`${origin}: expected a JSON array of { instruction, input, output, answer } records`);
  return records.map((r, i) => {
    const parsed = exampleSchema.safeParse(r);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(record)";
      throw new InstructFormatError(`${origin}: record ${i}: ${field}: ${issue.message}`);
    }
    const { instruction, input, output, answer } = parsed.data;
    const ex: InstructExample = { instruction };
    if (input !== null && input !== undefined) ex.input = input;
    if (output !== null && output !== undefined) ex.output = output;
    if (answer !== null && answer !== undefined) ex.answer = answer;
    return ex;
  });
}

/** Reads a JSON array file (math_10k.json, test.json) or JSON Lines (one record a line; `.jsonl`). */
export function readInstructFile(file: string): InstructExample[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InstructFormatError(`${file}: cannot read: ${(e as Error).message}`);
  }
  if (file.endsWith(".jsonl")) {
    const records: unknown[] = [];
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        records.push(JSON.parse(line));
      } catch (e) {
        throw new InstructFormatError(`${file}:${i + 1}: not valid JSON: ${(e as Error).message}`);
      }
    });
    return parseInstructExamples(records, file);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InstructFormatError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return parseInstructExamples(parsed, file);
}
