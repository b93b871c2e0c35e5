import { Argument, Command, Option } from "commander";
import { CONFIG_FLAGS } from "./config/flags.js";
import { listPresets } from "./config/presets.js";
import { trainCommand } from "./commands/train.js";
import { evalCommand } from "./commands/eval.js";
import { reportCommand } from "./commands/report.js";
import { paramsCommand } from "./commands/params.js";
import { reproCommand, REPRO_SUITES } from "./commands/repro.js";
import { benchCommand } from "./commands/bench.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds the config-file, preset and override flags shared by `train` and `eval`. */
function withConfigOptions(cmd: Command): Command {
  cmd
    .option("-c, --config <file>", "experiment config (YAML or JSON)")
    .option("-p, --preset <name>", `the paper's settings: ${listPresets().join(", ")}`)
    .option("--data <spec>", 'glue:<task>, spam-assassin, or a GLUE folder (with --task or a glue preset)')
    .option("--task <task>", "GLUE task of a --data folder: cola, sst2, mrpc, qnli, stsb, rte, mnli, qqp")
    .option("--set <path=value>", "set any config field, e.g. --set schedule.finalWarmup=7 (repeatable)", collect);
  for (const f of CONFIG_FLAGS) cmd.addOption(new Option(`--${f.flag} <value>`, f.description));
  return cmd;
}

export function buildProgram(): Command {
  const program = new Command("aflora")
    .description("AFLoRA and its baselines (LoRA, ELoRA, full fine-tuning) for TensorFlow.js: train, evaluate, report, reproduce.")
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  withConfigOptions(
    program
      .command("train")
      .description("Fine-tune a model. With no arguments: the built-in demo (AFLoRA on SpamAssassin with a tiny encoder).")
      .option("--resume <run>", "continue an interrupted run from its latest checkpoint")
      .option("--no-plots", "skip SVG/PNG plots in the report")
      .option("--quiet", "no progress output"),
  ).action(trainCommand);

  withConfigOptions(
    program
      .command("eval")
      .description("Evaluate a run's final model (or a model + adapter) on a task's validation set.")
      .option("--run <run>", "a finished run folder to evaluate (its config, model and adapter)"),
  ).action(evalCommand);

  program
    .command("report")
    .description("Rebuild report.md/report.json of runs, or compare several runs in one table.")
    .argument("<runs...>", "run folders")
    .option("--paper", "put the paper's published numbers (Table 1) beside ours")
    .option("--json", "print the comparison as JSON")
    .option("--no-plots", "skip SVG/PNG plots when rebuilding a single run's report")
    .action(reportCommand);

  program
    .command("params")
    .description("Count trainable parameters of an adapter on a model config, as the paper reports them (classifier excluded).")
    .requiredOption("--model-config <file>", "a Hugging Face config.json (e.g. deberta-v3-base)")
    .addOption(new Option("--method <method>", "adapter method").choices(["lora", "elora", "aflora"]).default("aflora"))
    .option("--r <n>", "rank (defaults: LoRA 8, ELoRA 1024, AFLoRA 4)")
    .addOption(new Option("--trainable-pm <which>", "AFLoRA: projection matrices trainable at the start").choices(["ffn", "attention", "all", "none"]))
    .option("--json", "print JSON")
    .action(paramsCommand);

  program
    .command("repro")
    .description("Run a reproducibility suite that ties a package to the paper or the reference code, and write its report.")
    .addArgument(new Argument("<suite>", "suite name").choices(REPRO_SUITES))
    .option("--fixtures <dir>", "fixtures folder (default: the repository's fixtures/)")
    .option("--out <dir>", "where to write the report (default: repro-reports/)")
    .action(reproCommand);

  program
    .command("bench")
    .description("Measure training step time and FLOPs of AFLoRA, LoRA, ELoRA and full fine-tuning on this machine.")
    .allowUnknownOption()
    .argument("[args...]", "passed to tools/bench")
    .action(benchCommand);

  return program;
}
