/** The math sets of the authors' gsm8k/evaluate.py (LLM-Adapters' dataset/<name>/test.json). */
export const MATH_TASKS = ["gsm8k", "svamp", "addsub", "multiarith", "singleeq", "aqua"] as const;
export type MathTask = (typeof MATH_TASKS)[number];

/** evaluate.py's `miss`: a numeric answer is right when |label − prediction| ≤ 0.001. */
export const NUMERIC_TOLERANCE = 0.001;

/**
 * evaluate.py `extract_answer_number`: commas removed (so "1,234" is 1234), then the LAST match
 * of `-?\d+\.?\d*` parsed as a float ("-3", "2.5", "7." all count); no number gives +Infinity,
 * which is never within the tolerance. Digits are ASCII (Python's `\d` also matches other
 * Unicode decimal digits, which LLaMA's math answers do not use).
 */
export function extractAnswerNumber(text: string): number {
  const matches = text.replaceAll(",", "").match(/-?\d+\.?\d*/g);
  if (!matches) return Number.POSITIVE_INFINITY;
  return Number(matches[matches.length - 1]);
}

/**
 * evaluate.py `extract_answer_letter`: the FIRST capital A–E anywhere in the stripped text
 * (as the reference does it, so the "A" of "Answer" counts); none gives "".
 */
export function extractAnswerLetter(text: string): string {
  const m = text.trim().match(/A|B|C|D|E/);
  return m ? m[0] : "";
}

/** The gold answer of a record as evaluate.py reads it: a float for the numeric sets (strings parsed), the letter for AQuA. */
export function goldAnswer(task: MathTask, answer: string | number | undefined, where: string): number | string {
  if (answer === undefined) throw new Error(`${where}: answer: missing (evaluation needs the gold answer)`);
  if (task === "aqua") return String(answer);
  if (typeof answer === "number") return answer;
  const value = parsePythonFloat(answer);
  if (value === null)
    throw new Error(`${where}: answer: ${JSON.stringify(answer)} is not a number (evaluate.py's float() would fail)`);
  return value;
}

/** The prediction of one generated response, and whether it counts as correct. */
export function judge(
  task: MathTask,
  response: string,
  gold: number | string,
): { pred: number | string; correct: boolean } {
  if (task === "aqua") {
    const pred = extractAnswerLetter(response);
    return { pred, correct: pred === gold };
  }
  const pred = extractAnswerNumber(response);
  return { pred, correct: Math.abs((gold as number) - pred) <= NUMERIC_TOLERANCE };
}

/** Python's float() of a string: surrounding whitespace allowed, "inf"/"nan" spelled out, underscores between digits. */
function parsePythonFloat(s: string): number | null {
  const t = s.trim().replaceAll(/(?<=\d)_(?=\d)/g, "");
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[+-]?nan$/i.test(t)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
  return Number(t);
}
