import { readFileSync } from "node:fs";
import { Argument, Command, Option } from "commander";
import type { PluginRegistry } from "@aflora/core";
import { configFlags } from "./config/flags.js";
import { listPresets } from "./config/presets.js";
import { createPluginRegistry } from "./integrations/plugins.js";
import { trainCommand } from "./commands/train.js";
import { evalCommand } from "./commands/eval.js";
import { reportCommand } from "./commands/report.js";
import { paramsCommand } from "./commands/params.js";
import { reproCommand, REPRO_CHOICES } from "./commands/repro.js";
import { benchCommand } from "./commands/bench.js";
import { pluginsCommand } from "./commands/plugins.js";
import { configSchemaCommand } from "./commands/config-schema.js";
import { generateCommand } from "./commands/generate.js";
import { evalMathCommand, isMathTask } from "./commands/eval-math.js";
import { dashboardCommand } from "./commands/dashboard.js";
import { exportCommand } from "./commands/export.js";
import { sweepReportCommand, sweepRunCommand, sweepStatusCommand, workerCommand } from "./commands/sweep.js";
import { SCAFFOLD_KINDS, pluginNewCommand } from "./scaffold/index.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];

export const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Adds the config-file, preset, plugin and override flags shared by `train` and `eval`; the overrides come from the config schemas. */
function withConfigOptions(cmd: Command, registry: PluginRegistry): Command {
  cmd
    .option("-c, --config <file>", "experiment config (YAML or JSON); its relative paths resolve against its folder")
    .option("-p, --preset <name>", `a base config: ${listPresets().join(", ")}`)
    .option(
      "--plugin <package-or-path>",
      "load a plugin package or module first (repeatable); it exports register(registry)",
      collect,
    )
    .option(
      "--data <spec>",
      "the task: glue:<task>, spam-assassin, a registered task name, or a GLUE folder (with --task)",
    )
    .option("--task <task>", "GLUE task of a --data folder")
    .option("--method <name>", `alias of --adapter: ${registry.names("adapter").join(", ")}`)
    .option(
      "--set <path=value>",
      "set any config field, e.g. --set schedule.finalWarmupEpochs=7 (repeatable)",
      collect,
    );
  for (const f of configFlags(registry)) {
    cmd.addOption(
      f.kind === "list"
        ? new Option(`--${f.flag} <value>`, `${f.description} (repeatable)`).argParser(collect)
        : new Option(`--${f.flag} <value>`, f.description),
    );
  }
  return cmd;
}

export function buildProgram(registry: PluginRegistry = createPluginRegistry()): Command {
  const program = new Command("aflora")
    .description(
      "AFLoRA and its baselines (LoRA, ELoRA, full fine-tuning) for TensorFlow.js: train, evaluate, report, reproduce.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  withConfigOptions(
    program
      .command("train")
      .description(
        "Fine-tune a model. With no arguments: the built-in demo (AFLoRA on SpamAssassin with a tiny encoder).",
      )
      .option("--resume <run>", "continue an interrupted run from its latest checkpoint")
      .option(
        "--trust-run-imports",
        "with --resume: load the plugin modules the run folder's config imports (never done otherwise)",
      )
      .option("--no-plots", "skip SVG/PNG plots in the report")
      .option("--quiet", "no progress output")
      .option(
        "--profile [steps]",
        "write a per-kernel time table (kernel-profile.md) for the first steps (default 5) to the run folder",
      ),
    registry,
  ).action((flags) => trainCommand(flags, registry));

  withConfigOptions(
    program
      .command("eval")
      .description("Evaluate a run's final model (or a model as configured) on a task's validation set.")
      .option("--run <run>", "a finished run folder to evaluate (its config, model and adapter)")
      .option(
        "--trust-run-imports",
        "with --run: load the plugin modules the run folder's config imports (never done otherwise)",
      )
      .option("--out <dir>", "math tasks: where predictions-<task>.jsonl goes (default: the --run folder)")
      .option(
        "--max-new-tokens <n>",
        "math tasks: tokens generated per problem (default 256, as the authors' evaluate.py)",
      ),
    registry,
  ).action((flags) =>
    isMathTask(flags.task)
      ? evalMathCommand({ ...flags, task: flags.task, ...(flags.run ? { adapter: flags.run } : {}) })
      : evalCommand(flags, registry),
  );

  program
    .command("generate")
    .description(
      "Greedy decoding of a causal LM (LLaMA), with a run's adapter: one left-padded batch, KV cache, stop at EOS.",
    )
    .requiredOption("--model <folder>", "a LlamaForCausalLM folder or hub id")
    .option("--adapter <run>", "a run folder (or adapter folder) whose trained weights to apply")
    .option("--prompt <text>", "a prompt (repeatable)", collect)
    .option("--max-new-tokens <n>", "tokens generated per prompt (default 128)")
    .option("--no-cache", "recompute every step instead of using the KV cache (for checking)")
    .action(generateCommand);

  program
    .command("export")
    .description(
      "Export a finished run's adapter: peft-lora (λ merged into LoRA, loads in PEFT), merged (a whole model folder), peft-aflora.",
    )
    .argument("<run>", "a finished run folder")
    .requiredOption("--format <format>", "peft-lora | merged | peft-aflora")
    .option("--output <dir>", "where to write (default: <run>/export-<format>)")
    .option("--plugin <package-or-path>", "trust and load a plugin the run used (repeatable)", collect)
    .option("--trust-run-imports", "load every plugin module the run folder's config imports")
    .action((run, flags) => exportCommand(run, flags, registry));

  program
    .command("dashboard")
    .description("A local web app over a runs folder: run list, live curves and freezing heatmap, compare, sweeps.")
    .argument("[runs-dir]", "the runs folder (default: runs)")
    .option("--port <port>", "port (default 6060)")
    .option("--host <host>", "bind address (default 127.0.0.1; another host prints an access token it requires)")
    .action(dashboardCommand);

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
    .description(
      "Count trainable parameters of an adapter on a model config, as the paper reports them (classifier excluded).",
    )
    .requiredOption("--model-config <file>", "a Hugging Face config.json (e.g. deberta-v3-base)")
    .addOption(
      new Option("--method <method>", "adapter method")
        .choices(registry.names("adapter").filter((n) => n !== "full"))
        .default("aflora"),
    )
    .option("--r <n>", "rank (default: the method's)")
    .option("--trainable-pm <which>", "AFLoRA: projection matrices trainable at the start (ffn, attention, all, none)")
    .option("--json", "print JSON")
    .action(paramsCommand);

  program
    .command("plugins")
    .description("List every registered plugin: kind, name, package, description and options with defaults.")
    .option("--plugin <package-or-path>", "load a plugin package or module first (repeatable)", collect)
    .option("--json", "print JSON")
    .option("--markdown", "print the plugin reference (docs/plugins.md)")
    .action((flags) => pluginsCommand(flags, registry));

  program
    .command("config")
    .description("Config tools.")
    .command("schema")
    .description(
      "Print the JSON Schema of a run config, generated from the registered plugins (for editor completion).",
    )
    .option("--plugin <package-or-path>", "load a plugin package or module first (repeatable)", collect)
    .action((flags) => configSchemaCommand(flags, registry));

  program
    .command("plugin")
    .description("Plugin tools.")
    .command("new")
    .description(
      "Scaffold a standalone plugin package (register(registry), zod options, a passing test, README) to publish.",
    )
    .argument("<name>", "npm package name: my-scorer or @me/aflora-scorer (the unscoped part is the registered name)")
    .addOption(new Option("--kind <kind>", "what it plugs in").choices(SCAFFOLD_KINDS).makeOptionMandatory())
    .option("--dir <dir>", "target folder (default: ./<name without scope>)")
    .option("--description <text>", "the package's description")
    .action(pluginNewCommand);

  const sweep = program
    .command("sweep")
    .description("Sweeps over config values: embedded (child processes) or distributed on BullMQ over Redis.");
  sweep
    .command("run")
    .description(
      "Run (or continue) a sweep: every trial is a normal run folder under <output>/<sweep name>/, next to sweep.json.",
    )
    .argument("[file]", "sweep file (YAML or JSON): name, base, grid and/or trials")
    .option("--preset <name>", "a shipped sweep instead of a file: paper-glue")
    .option(
      "--queue <url>",
      "distributed: enqueue on BullMQ at redis://host:port (or rediss://) for aflora worker processes",
    )
    .option("--parallel <n>", "embedded: trials at a time (default: cores ÷ threads per trial)")
    .option("--output <dir>", "parent folder of the sweep folder")
    .option("--detach", "with --queue: enqueue and return")
    .action(sweepRunCommand);
  sweep
    .command("status")
    .description("Progress of a sweep: each trial's state, step and loss.")
    .argument("<dir>", "sweep folder")
    .option("--queue <url>", "live progress from the queue")
    .action(sweepStatusCommand);
  sweep
    .command("report")
    .description("Aggregate a sweep: mean ± std over seeds per method and task (markdown, CSV, JSON, plot).")
    .argument("<dir>", "sweep folder")
    .action(sweepReportCommand);

  program
    .command("worker")
    .description("Run queued sweep trials (any machine that sees the same output folder).")
    .requiredOption("--queue <url>", "redis://host:port (or rediss://user:password@host:port)")
    .option("--concurrency <n>", "trials at a time (default 1)")
    .option(
      "--lock-duration <ms>",
      "job lock duration: a dead worker's trial moves on after this (BullMQ default 30000)",
    )
    .option("--stalled-interval <ms>", "how often to look for stalled jobs (BullMQ default 30000)")
    .action(workerCommand);

  program
    .command("repro")
    .description(
      "Run a reproducibility suite that ties a package to the paper or the reference code, and write its report.",
    )
    .addArgument(
      new Argument("<suite>", "suite name, or all (every suite through the sweep runner)").choices(REPRO_CHOICES),
    )
    .option("--fixtures <dir>", "fixtures folder (default: the repository's fixtures/)")
    .option("--out <dir>", "where to write the report (default: repro-reports/)")
    .option("--queue <url>", "all: run the suites on a BullMQ queue's workers (redis://host:port)")
    .option("--parallel <n>", "all: suites at a time")
    .action(reproCommand);

  program
    .command("bench")
    .description("Measure training step time and FLOPs of AFLoRA, LoRA, ELoRA and full fine-tuning on this machine.")
    .allowUnknownOption()
    .argument("[args...]", "passed to tools/bench")
    .action(benchCommand);

  return program;
}
