import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createPluginRegistry, resolveConfig } from "@aflora/cli";
import { AFLORA, REPO, scratch } from "./helpers.js";

// Every config and every `aflora …` command shown in README.md, docs/*.md and packages/*/README.md, checked
// against the built CLI. Configs are validated by the CLI's own resolver (presets, imports, the registered
// plugins' schemas, paths). Commands run in a scratch "world" per document: the folders the docs assume
// (models/deberta-v3-base, glue_data, data/*.csv…) exist there as fixture stand-ins (STAND_INS), each
// `train` runs one optimizer step, and what cannot run here is replaced by an explicit entry of REPLACED.
// A block or command that is neither runnable nor listed fails the test: nothing is skipped silently.
// "Shown" means in a fenced block: a json/jsonc/yaml block is a config, and a line of any other block that starts
// with `aflora` (after `$ `, `npx ` or VAR=value prefixes) is a command. Inline `aflora …` in prose is not run.

const DOCS = [
  "README.md",
  ...readdirSync(join(REPO, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(REPO, "packages"))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(join(REPO, f))),
];

const FIXTURE_MODEL = join(REPO, "fixtures/hf-parity/deberta-v3-tiny-cls3");
const FIXTURE_TOKENIZER = join(REPO, "fixtures/tokenizers/deberta-v3-unigram");
const GLUE_TINY = join(REPO, "fixtures/glue-tiny/tsv");

/** The folders and files the docs assume, as they are made in each world (path in the world → how). */
const STAND_INS: Record<string, { why: string; make: (at: string) => void }> = {
  "models/deberta-v3-base": {
    why: "the 184M-parameter hub model cannot be downloaded here: the tiny DeBERTa-v3 parity fixture and its tokenizer",
    make: (at) => {
      cpSync(FIXTURE_MODEL, at, { recursive: true });
      cpSync(FIXTURE_TOKENIZER, at, { recursive: true });
    },
  },
  glue_data: { why: "GLUE is a hub download: the tiny GLUE folder", make: (at) => symlinkSync(GLUE_TINY, at, "dir") },
  "path/to/glue_data": { why: "as glue_data", make: (at) => symlinkSync(GLUE_TINY, at, "dir") },
  "data/glue_data": { why: "as glue_data", make: (at) => symlinkSync(GLUE_TINY, at, "dir") },
  "data/train.csv": { why: "the getting-started CSV task", make: (at) => writeFileSync(at, reviews(12)) },
  "data/dev.csv": { why: "the getting-started CSV task", make: (at) => writeFileSync(at, reviews(6)) },
  "train.csv": { why: "the glue-data README's CSV task", make: (at) => writeFileSync(at, topics(12)) },
  "dev.csv": { why: "the glue-data README's CSV task", make: (at) => writeFileSync(at, topics(6)) },
  "ft-training_set/math_10k.json": {
    why: "the LLM-Adapters math set is a download: a few records of its shape",
    make: (at) =>
      writeFileSync(
        at,
        JSON.stringify(
          Array.from({ length: 8 }, (_, i) => ({ instruction: `What is ${i} + 2?`, input: "", output: `${i + 2}` })),
        ),
      ),
  },
  fixtures: {
    why: "commands name repository fixtures by their path from the repository root",
    make: (at) => symlinkSync(join(REPO, "fixtures"), at, "dir"),
  },
  "config.json": {
    why: "security.md's model config with a million layers, refused before any weight is made",
    make: (at) => {
      const config = JSON.parse(readFileSync(join(FIXTURE_MODEL, "config.json"), "utf8")) as Record<string, unknown>;
      const huge = { hidden_size: 768, intermediate_size: 3072, num_attention_heads: 12, num_hidden_layers: 1_000_000 };
      writeFileSync(at, JSON.stringify({ ...config, ...huge, vocab_size: 128100 }));
    },
  },
  "hub-cache/models--org--name": {
    why: "a Hugging Face hub cache holding org/name (refs/main → one snapshot): the tiny DeBERTa-v3 fixture",
    make: (at) => {
      const commit = "0123456789abcdef0123456789abcdef01234567";
      mkdirSync(join(at, "refs"), { recursive: true });
      writeFileSync(join(at, "refs/main"), commit);
      cpSync(FIXTURE_MODEL, join(at, "snapshots", commit), { recursive: true });
      cpSync(FIXTURE_TOKENIZER, join(at, "snapshots", commit), { recursive: true });
    },
  },
  "sweep.yaml": {
    why: "the cli README runs a sweep file it does not show: two one-step demo trials",
    make: (at) =>
      writeFileSync(
        at,
        "name: readme-sweep\nbase: { preset: demo }\ngrid:\n  training.seed: [1, 2]\n  training.maxSteps: [1]\n",
      ),
  },
  runs: { why: "the dashboard serves the runs folder, empty before any run", make: (at) => mkdirSync(at) },
  "docs/examples": {
    why: "configs import the documented example plugins by their repository path",
    make: (at) => symlinkSync(join(REPO, "docs/examples"), at, "dir"),
  },
  "node_modules/my-aflora-plugins": {
    why: "the cli README imports a plugin package by name: an empty one that registers nothing",
    make: (at) => {
      mkdirSync(at, { recursive: true });
      writeFileSync(
        join(at, "package.json"),
        JSON.stringify({ name: "my-aflora-plugins", type: "module", main: "index.js" }),
      );
      writeFileSync(join(at, "index.js"), "export function register() {}\n");
    },
  },
};

function reviews(n: number): string {
  const rows = Array.from({ length: n }, (_, i) =>
    i % 2 ? `"a dull film, number ${i}",negative` : `"a fine film, number ${i}",positive`,
  );
  return ["review,sentiment", ...rows].join("\n") + "\n";
}

function topics(n: number): string {
  const labels = ["sports", "politics", "tech"];
  const rows = Array.from({ length: n }, (_, i) => `title ${i},body ${i},${labels[i % 3]}`);
  return ["title,body,topic", ...rows].join("\n") + "\n";
}

/**
 * Doc commands that cannot run here as written, each with the command that stands in for it and why.
 * Keys are the command as the doc shows it (after `$ `, `npx ` and a trailing `# comment` are removed).
 */
const REPLACED: Record<string, { why: string; run: string[] }> = {
  "aflora dashboard /data/runs --host 0.0.0.0": {
    why: "/data/runs is the reader's folder: the world's runs folder, on all interfaces as shown",
    run: ["aflora dashboard runs --host 0.0.0.0 --port 0"],
  },
  "aflora dashboard runs --port 8080": {
    why: "a free port instead of a fixed one",
    run: ["aflora dashboard runs --port 0"],
  },
  "aflora dashboard runs --port 6060": {
    why: "a free port instead of a fixed one",
    run: ["aflora dashboard runs --port 0"],
  },
  "aflora dashboard": { why: "a free port instead of the default 6060", run: ["aflora dashboard --port 0"] },
  "aflora repro encoder|adapter|freezing|freezing-decoder|decoder|metrics|glue-data": {
    why: "a list of suites: each one",
    run: [
      "aflora repro encoder",
      "aflora repro adapter",
      "aflora repro freezing",
      "aflora repro freezing-decoder",
      "aflora repro decoder",
      "aflora repro metrics",
      "aflora repro glue-data",
    ],
  },
  "aflora dashboard runs": { why: "a free port instead of the default 6060", run: ["aflora dashboard runs --port 0"] },
  "aflora train --resume runs/<run>": {
    why: "the newest run here is the README's ablation, which loaded my-aflora-plugins: a resume trusts it again",
    run: ["aflora train --resume runs/<run> --plugin my-aflora-plugins"],
  },
  "HF_HUB_CACHE=/path/to/cache HF_HUB_OFFLINE=1 aflora train --model org/name --data spam-assassin": {
    why: "/path/to/cache is the reader's hub cache: the world's, which holds org/name",
    run: ["HF_HUB_CACHE=hub-cache HF_HUB_OFFLINE=1 aflora train --model org/name --data spam-assassin"],
  },
  "aflora eval --run runs/<run>": {
    why: "the newest run here may have loaded my-aflora-plugins (the cli README's ablation): eval trusts it again",
    run: ["aflora eval --run runs/<run> --plugin my-aflora-plugins"],
  },
  "aflora export runs/<run> --format peft-lora": {
    why: "the newest run here is the README's ablation, which loaded my-aflora-plugins: export trusts it again",
    run: ["aflora export runs/<run> --format peft-lora --plugin my-aflora-plugins"],
  },
  "aflora bench": {
    why: "it times minutes of training per method (tools/bench); here its help, which finds and loads tools/bench",
    run: ["aflora bench --help"],
  },
};

/** Sweeps through a Redis queue on other machines, GLUE-sized: the sweep spec runs a queue with real Redis. */
const QUEUED = {
  spec: "e2e/sweep.spec.ts",
  words: ['"worker"', '"--queue"', "server.url"],
  why: "queue-host is another machine and paper-glue trains every GLUE task: the sweep spec starts Redis and workers",
};

/**
 * Commands another spec runs against real services as the doc shows them: each names the spec and the words of
 * the command that spec must contain (checked here).
 */
const COVERED_BY: Record<string, { spec: string; words: string[]; why: string }> = {
  "aflora train --plugin @you/grad-ema --scorer grad-ema --set scorer.beta=0.5": {
    spec: "e2e/pack.spec.ts",
    words: ['"plugin", "new"', '"grad-ema"', '"scorer.beta=0.5"'],
    why: "the scaffolded plugin must be installed (npm install, build): the pack spec does that outside the workspace",
  },
  "aflora sweep run demo.yaml --queue redis://queue-host:6379": QUEUED,
  "aflora worker --queue redis://queue-host:6379 [--concurrency N]": QUEUED,
  'aflora sweep run paper-glue.yaml --queue "redis://:$REDIS_PASSWORD@queue-host:6379"': QUEUED,
  'aflora worker --queue "redis://:$REDIS_PASSWORD@queue-host:6379" --concurrency 1': QUEUED,
  "aflora sweep run --preset paper-glue --queue redis://queue-host:6379 --output /shared/sweeps": QUEUED,
  "aflora worker --queue redis://queue-host:6379": QUEUED,
  "aflora sweep status /shared/sweeps/paper-glue": QUEUED,
  "AFLORA_CLI_BIN=packages/cli/bin/aflora.js aflora-sweep run demo.yaml --parallel 2": {
    spec: "e2e/sweep.spec.ts",
    words: ["sweepRun", "parallel: 2", "cliBin: AFLORA"],
    why: "three demo trials of eight steps: the sweep spec runs this sweep embedded and through workers",
  },
  "aflora-sweep worker --queue redis://127.0.0.1:6379 --cli packages/cli/bin/aflora.js": {
    spec: "e2e/sweep.spec.ts",
    words: ["aflora-sweep.js", '"worker"', "--queue", "--cli"],
    why: "a worker serves a Redis queue until stopped: the sweep spec starts Redis and two workers, and kills one",
  },
};

/** Commands that keep running (servers): they must print their URL, then they are stopped. */
const SERVERS = [/^aflora dashboard\b/];

/** Commands a doc shows failing on purpose, with the exit status and the message it shows. */
const FAILING: Record<string, { status: number; stderr: RegExp }> = {
  "aflora train --data glue:rte --set data.revision=../../..": {
    status: 2,
    stderr: /data\.revision "\.\.\/\.\.\/\.\." is not a branch, tag or commit/,
  },
  "aflora params --model-config config.json": {
    status: 2,
    stderr: /num_hidden_layers 1000000 \(hidden_size 768, intermediate_size 3072\) gives 7\.088e\+12\s+parameters/,
  },
};

/**
 * Config blocks that are not whole run configs: the section they show (validated inside a run config), a
 * sweep file (its base config validated with each grid value set), or the file name a command uses for it.
 */
const SNIPPETS: { doc: string; contains: string; section?: string; sweep?: true; file?: string }[] = [
  { doc: "docs/decoders.md", contains: '"trainablePm": "all"', section: "adapter" },
  { doc: "docs/decoders.md", contains: '"name": "instruct-json"', section: "data" },
  { doc: "docs/decoders.md", contains: '"name": "arithmetic-demo"', section: "data" },
  { doc: "packages/sweep/README.md", contains: "grid:", sweep: true },
  { doc: "packages/cli/README.md", contains: "scorer: { name: sensitivity }", file: "ablation.yaml" },
  { doc: "docs/sweeps.md", contains: "name: demo-seeds", sweep: true, file: "demo.yaml" },
];

/** A sweep file's trials, as run configs: its base with the first value of every grid path set. */
function sweepTrials(sweep: { base?: Record<string, unknown>; grid?: Record<string, unknown[]> }) {
  return Object.entries(sweep.grid ?? {}).map(([path, values]) => {
    const trial = structuredClone(sweep.base ?? {});
    const keys = path.split(".");
    let at = trial;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[keys.at(-1)!] = values[0];
    return trial;
  });
}

interface Block {
  doc: string;
  line: number;
  lang: string;
  text: string;
}

function fencedBlocks(doc: string): Block[] {
  const lines = readFileSync(join(REPO, doc), "utf8").split("\n");
  const blocks: Block[] = [];
  let open: { lang: string; line: number; body: string[] } | undefined;
  lines.forEach((l, i) => {
    const fence = /^\s*```+\s*(\S*)/.exec(l);
    if (fence && !open) open = { lang: fence[1] ?? "", line: i + 2, body: [] };
    else if (fence && open) {
      blocks.push({ doc, line: open.line, lang: open.lang, text: open.body.join("\n") });
      open = undefined;
    } else open?.body.push(l);
  });
  return blocks;
}

const CONFIG_LANGS = new Set(["json", "jsonc", "yaml", "yml"]);

/** A block may hold several JSON objects one after another (one config per line). */
function parseConfigs(block: Block): unknown[] {
  try {
    return [block.lang.startsWith("y") ? parseYaml(block.text) : JSON.parse(block.text)];
  } catch {
    const out: unknown[] = [];
    let depth = 0;
    let start = -1;
    for (let i = 0; i < block.text.length; i++) {
      const c = block.text[i];
      if (c === "{" && depth++ === 0) start = i;
      else if (c === "}" && --depth === 0) out.push(JSON.parse(block.text.slice(start, i + 1)));
    }
    if (!out.length) throw new Error(`${block.doc}:${block.line}: a ${block.lang} block that does not parse`);
    return out;
  }
}

/** Commands of a fenced block: lines that start with `aflora` (after `$ ` / `npx `), comments removed. */
function commands(block: Block): string[] {
  if (CONFIG_LANGS.has(block.lang)) return [];
  return block.text
    .split("\n")
    .map((l) =>
      l
        .replace(/^\s*\$\s+/, "")
        .replace(/^\s*((?:\w+=\S+\s+)*)npx\s+/, "$1")
        .replace(/\s+#\s.*$/, "")
        .trim(),
    )
    .filter((l) => /^(\w+=\S+\s+)*aflora(-sweep)?\s/.test(l) || l === "aflora");
}

function world(doc: string): string {
  const dir = scratch(`docs-${doc.replace(/\W+/g, "-")}`);
  for (const [path, standIn] of Object.entries(STAND_INS)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    standIn.make(join(dir, path));
  }
  const bin = join(dir, ".bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "aflora"), `#!/bin/sh\nexec "${process.execPath}" "${AFLORA}" "$@"\n`);
  chmodSync(join(bin, "aflora"), 0o755);
  return dir;
}

/** Run folders of a world, oldest first. */
function runs(dir: string): string[] {
  const root = join(dir, "runs");
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((r) => join("runs", r))
    .filter((r) => existsSync(join(dir, r, "config.json")))
    .sort((a, b) => statSync(join(dir, a)).mtimeMs - statSync(join(dir, b)).mtimeMs);
}

/** The command as it runs here: placeholders for run folders filled, every `train` cut to one step. */
function runnable(command: string, dir: string): string {
  const made = runs(dir);
  let c = command
    .replace(/runs\/<run>/g, made.at(-1) ?? "runs/<no run yet>")
    .replace(/runs\/a runs\/b/g, made.slice(-2).join(" "));
  if (/^(\w+=\S+\s+)*aflora train\b/.test(c) && !c.includes("--resume")) c += " --max-steps 1 --quiet --no-plots";
  return c;
}

function env(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${join(dir, ".bin")}:${process.env.PATH}`,
    AFLORA_BACKEND: "wasm",
    M: "models/deberta-v3-base",
    D: "glue_data",
  };
}

/** Starts a server command, waits for the URL it prints, then stops it. */
async function expectServes(command: string, dir: string, where: string): Promise<void> {
  const child = spawn("bash", ["-c", `exec ${command}`], {
    cwd: dir,
    env: env(dir),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${where}: no URL within 60 s:\n${out}`)), 60_000);
      const seen = (chunk: Buffer) => {
        out += chunk.toString();
        if (/https?:\/\/\S+/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", seen);
      child.stderr.on("data", seen);
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${where}: exited with ${code} before serving:\n${out}`));
      });
    });
  } finally {
    child.removeAllListeners("exit");
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(null)));
  }
}

const blocks = DOCS.flatMap(fencedBlocks);

/** Commands that read only the repository (no world state): one passing run covers every doc that shows them. */
const STATELESS = /^aflora (repro|plugins|config schema|bench --help)\b/;
const passedStateless = new Set<string>();

describe("configs shown in the docs", () => {
  const configBlocks = blocks.filter((b) => CONFIG_LANGS.has(b.lang));

  it.each(configBlocks.map((b) => [`${b.doc}:${b.line}`, b] as const))("%s is valid", async (_, block) => {
    const dir = world(block.doc);
    const snippet = SNIPPETS.find((s) => s.doc === block.doc && block.text.includes(s.contains));
    const parsed = parseConfigs(block);
    const configs = snippet?.sweep
      ? parsed.flatMap((p) => sweepTrials(p as Parameters<typeof sweepTrials>[0]))
      : parsed.map((p) => (snippet?.section ? { [snippet.section]: p } : (p as Record<string, unknown>)));
    for (const [i, config] of configs.entries()) {
      const file = join(dir, `doc-config-${i}.json`);
      writeFileSync(file, JSON.stringify(config));
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        await resolveConfig({ config: file, preset: config.preset ? undefined : "demo" }, createPluginRegistry());
      } finally {
        process.chdir(cwd);
      }
    }
  });
});

describe("commands shown in the docs", () => {
  for (const doc of DOCS) {
    const shown = blocks.filter((b) => b.doc === doc).flatMap(commands);
    if (!shown.length) continue;
    it(`${doc}: ${shown.length} commands run`, async () => {
      const dir = world(doc);
      // A config block that names its file in a first-line comment (`# my-task.yaml`) is written under that name.
      for (const b of blocks.filter((x) => x.doc === doc && CONFIG_LANGS.has(x.lang))) {
        const named = SNIPPETS.find((s) => s.doc === doc && s.file && b.text.includes(s.contains))?.file;
        const name = named ?? /^#\s*(\S+\.(?:ya?ml|json))\s*$/.exec(b.text.split("\n")[0] ?? "")?.[1];
        if (name) writeFileSync(join(dir, name), b.text);
      }
      for (const command of shown) {
        const covered = COVERED_BY[command];
        if (covered) {
          const spec = readFileSync(join(REPO, covered.spec), "utf8");
          for (const w of covered.words) expect(spec, `${doc}: \`${command}\` is run by ${covered.spec}`).toContain(w);
          continue;
        }
        const replaced = REPLACED[command];
        for (const line of replaced ? replaced.run : [command]) {
          const c = runnable(line, dir);
          if (STATELESS.test(c) && passedStateless.has(c)) continue;
          const where = `${doc}: \`${command}\` ran as \`${c}\` in ${relative(REPO, dir)}`;
          if (SERVERS.some((s) => s.test(c))) {
            await expectServes(c, dir, where);
            continue;
          }
          const r = spawnSync("bash", ["-c", c], { cwd: dir, encoding: "utf8", timeout: 200_000, env: env(dir) });
          const failing = FAILING[command];
          expect(r.status, `${where}:\n${r.stderr}`).toBe(failing?.status ?? 0);
          if (failing) expect(r.stderr).toMatch(failing.stderr);
          if (STATELESS.test(c)) passedStateless.add(c);
        }
      }
    });
  }
});
