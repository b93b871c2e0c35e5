import { selectBackend, type BackendName } from "@aflora/core";
import { runGenerate } from "@aflora/decoder";
import { evaluateMathTask, MATH_TASKS, type MathTask } from "@aflora/instruct-data";
import { ConfigError } from "../config/config-error.js";

export const isMathTask = (task: unknown): task is MathTask =>
  typeof task === "string" && (MATH_TASKS as readonly string[]).includes(task);

/**
 * `aflora eval --task gsm8k|svamp|addsub|multiarith|singleeq|aqua --data <file> --model <folder> [--run <run>]`:
 * generates an answer per problem and scores it as the authors' evaluate.py.
 */
export async function evalMathCommand(flags: {
  task: MathTask;
  data?: string;
  model?: string;
  adapter?: string;
  out?: string;
  maxNewTokens?: string;
  backend?: string;
}): Promise<void> {
  if (!flags.data) throw new ConfigError(`--data: the ${flags.task} test file (LLM-Adapters JSON) is required`);
  if (!flags.model) throw new ConfigError("--model: a LlamaForCausalLM folder or hub id is required");
  const maxNewTokens = flags.maxNewTokens === undefined ? 256 : Number(flags.maxNewTokens);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)
    throw new ConfigError(`--max-new-tokens: expected a positive integer (got "${flags.maxNewTokens}")`);
  await selectBackend((flags.backend ?? "auto") as BackendName | "auto");
  const result = await evaluateMathTask({
    task: flags.task,
    data: flags.data,
    outDir: flags.out ?? flags.adapter ?? ".",
    generate: async (prompts) =>
      (
        await runGenerate({
          model: flags.model!,
          ...(flags.adapter ? { adapter: flags.adapter } : {}),
          prompts,
          maxNewTokens,
        })
      ).map((g) => g.text),
  });
  process.stdout.write(
    `${flags.task}: accuracy ${result.accuracy.toFixed(4)} (${result.correct}/${result.total}); predictions: ${result.predictionsFile}\n`,
  );
}
