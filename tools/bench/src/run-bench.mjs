// `npm run bench` / `aflora bench` / `node tools/bench/run.mjs`: times one training step of a
// BERT-shaped classifier per method and size in aflora (TensorFlow.js wasm) and, side by
// side, in PyTorch (../peer/torch_step.py) when it is installed; adds the analytic FLOPs
// (@aflora/metrics) and AFLoRA's step-averaged trainable parameters; writes JSON and
// markdown to tools/bench/results/.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, rmSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_SHAPES, benchAdapter, stepFlops } from "@aflora/metrics";
import { METHOD_NAMES, SIZES } from "./methods.mjs";
import { afloraAverageTrainable, loraTrainable } from "./average-params.mjs";
import { renderMarkdown } from "./render-markdown.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
export const BENCH_DIR = join(HERE, "..");

export const DEFAULTS = {
  sizes: ["small", "base"],
  methods: METHOD_NAMES,
  /** Timed steps per configuration (a base step takes 4–12 s on this 2-core machine). */
  iters: { small: 5, base: 3 },
  warmup: { small: 1, base: 1 },
  /**
   * Per-layer recomputation: "auto" is the Trainer's path (the model recomputes only when its estimated
   * activations do not fit the backend's memory); `--recompute` forces it.
   */
  recompute: { small: "auto", base: "auto" },
  peer: true,
  /** Data-parallel worker threads per aflora run; several values run each variant. */
  workers: [1],
  /** "encoder": @aflora/encoder's BERT classifier (the product's step); "local": the bench's own model. */
  model: "encoder",
  stockGradients: false,
  /** "auto" selects as `aflora train` does (tfjs-node, else native with a CBLAS, else wasm); or force one. */
  backend: "auto",
  /** BLAS threads for the native backend (default: the BLAS's own, all cores). */
  threads: undefined,
  /** Per-kernel time table for each aflora run (one extra untimed step under tf.profile). */
  profile: false,
  /** Keep sizes this run did not measure from the previous results/latest.json. */
  carryOver: true,
  /** Also time full fine-tuning before/after freezing every encoder W0 (small only). */
  freezeCheck: true,
  maxSeconds: 300,
  /** Fresh processes per configuration, aflora and PyTorch alternating; the run with the median time is reported. */
  repeat: 1,
  outDir: join(BENCH_DIR, "results"),
  python: "/usr/bin/python3",
};

const USAGE = `usage: aflora bench [--sizes small,base] [--methods full,lora,elora,aflora-start,aflora-frozen]
                    [--iters N] [--base-iters N] [--warmup N] [--recompute] [--no-peer] [--no-freeze-check] [--workers 1,2] [--max-seconds S] [--repeat N]
                    [--render-only]  (rewrite results/latest.md from results/latest.json)
                    [--model encoder|local] [--backend auto|native|wasm|cpu|tensorflow] [--threads N] [--profile]
                    [--stock-gradients] [--out DIR]
  Times one training step (forward + backward + AdamW) per method on a BERT-shaped
  encoder (base: 12×768, FFN 3072, 12 heads, batch 8×128; small: 4×256, FFN 1024, 4 heads,
  batch 16×128) in aflora and, when python3-torch is installed, in PyTorch; writes
  results/<date>.json, results/latest.json and results/latest.md.`;

/** Parses `aflora bench` arguments; throws one clear error on a bad one. */
export function parseBenchArgs(argv) {
  const o = structuredClone({ ...DEFAULTS, methods: [...DEFAULTS.methods], sizes: [...DEFAULTS.sizes] });
  const list = (v, known, flag) => {
    const items = String(v).split(",").filter(Boolean);
    for (const i of items)
      if (!known.includes(i)) throw new Error(`bench ${flag}: unknown value "${i}" (known: ${known.join(", ")})`);
    return items;
  };
  const int = (v, flag) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`bench ${flag}: expected a non-negative integer, got "${v}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () =>
      inline ??
      argv[++i] ??
      (() => {
        throw new Error(`bench ${flag}: missing value`);
      })();
    switch (flag) {
      case "--sizes":
        o.sizes = list(value(), Object.keys(SIZES), flag);
        break;
      case "--methods":
        o.methods = list(value(), METHOD_NAMES, flag);
        break;
      case "--iters": {
        const n = int(value(), flag);
        o.iters = { small: n, base: Math.min(n, o.iters.base) };
        break;
      }
      case "--base-iters":
        o.iters.base = int(value(), flag);
        break;
      case "--warmup": {
        const n = int(value(), flag);
        o.warmup = { small: n, base: n };
        break;
      }
      case "--recompute":
        o.recompute = { small: true, base: true };
        break;
      case "--no-peer":
        o.peer = false;
        break;
      case "--no-freeze-check":
        o.freezeCheck = false;
        break;
      case "--no-carry-over":
        o.carryOver = false;
        break;
      case "--render-only":
        o.renderOnly = true;
        break;
      case "--max-seconds":
        o.maxSeconds = int(value(), flag);
        break;
      case "--repeat": {
        const n = int(value(), flag);
        if (n < 1) throw new Error(`bench ${flag}: expected at least 1`);
        o.repeat = n;
        break;
      }
      case "--model":
        o.model = list(value(), ["encoder", "local"], flag)[0];
        break;
      case "--workers":
        o.workers = String(value())
          .split(",")
          .map((w) => {
            const n = int(w, flag);
            if (n < 1) throw new Error(`bench ${flag}: expected at least 1 worker`);
            return n;
          });
        break;
      case "--stock-gradients":
        o.stockGradients = true;
        break;
      case "--backend":
        o.backend = list(value(), ["auto", "tensorflow-gpu", "tensorflow", "native", "wasm", "cpu"], flag)[0];
        break;
      case "--threads": {
        const n = int(value(), flag);
        if (n < 1) throw new Error(`bench ${flag}: expected at least 1 thread`);
        o.threads = n;
        break;
      }
      case "--profile":
        o.profile = true;
        break;
      case "--out":
        o.outDir = value();
        break;
      case "-h":
      case "--help":
        o.help = true;
        break;
      default:
        throw new Error(`bench: unknown option "${argv[i]}"\n${USAGE}`);
    }
  }
  return o;
}

export { USAGE as BENCH_USAGE };

function runChild(cmd, args, log) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => {
      err += d;
      for (const line of String(d).split("\n")) if (line.trim()) log(line);
    });
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median, min, max over the clean steps (others' CPU use ≤ 10 % of the step), else over all. */
function summarise(steps, iters) {
  const clean = steps.filter((s) => s.clean);
  const used = clean.length * 2 >= Math.max(1, iters) ? clean : steps;
  const ms = used.map((s) => s.ms);
  return {
    medianMs: median(ms),
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
    medianOwnCpuMs: used[0]?.ownCpuMs === undefined ? null : median(used.map((s) => s.ownCpuMs)),
    timedOn: used === clean ? "clean steps" : "all steps (too few clean ones)",
    nTimed: used.length,
  };
}

async function runAflora(size, method, o, log, workers) {
  const args = {
    workers,
    model: o.model,
    size,
    method,
    cfg: SIZES[size],
    warmup: o.warmup[size],
    iters: Math.max(1, o.iters[size]),
    recompute: o.recompute[size],
    stockGradients: o.stockGradients,
    maxSeconds: o.maxSeconds,
    backend: o.backend,
    threads: o.threads,
    profile: o.profile,
  };
  const r = await runChild(
    process.execPath,
    ["--max-old-space-size=4096", join(HERE, "step-child.mjs"), JSON.stringify(args)],
    log,
  );
  const line = r.out.split("\n").find((l) => l.startsWith("RESULT "));
  if (r.code !== 0 || !line) return { error: `exit ${r.code}: ${r.err.trim().split("\n").slice(-3).join(" | ")}` };
  const res = JSON.parse(line.slice(7));
  return { ...res, ...summarise(res.steps, args.iters) };
}

function peerAvailable(python) {
  const r = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

async function runPeer(size, method, o, log, tmpDir) {
  const out = join(tmpDir, `torch-${size}-${method}.json`);
  const r = await runChild(
    o.python,
    [
      join(BENCH_DIR, "peer", "torch_step.py"),
      "--size",
      size,
      "--method",
      method,
      "--warmup",
      String(Math.max(1, o.warmup[size])),
      "--iters",
      String(Math.max(3, o.iters[size])),
      "--max-seconds",
      String(o.maxSeconds),
      "--out",
      out,
    ],
    log,
  );
  if (r.code !== 0 || !existsSync(out))
    return { error: `exit ${r.code}: ${r.err.trim().split("\n").slice(-2).join(" | ")}` };
  const res = JSON.parse(readFileSync(out, "utf8"));
  const steps = res.steps.map((s) => ({
    ms: s.ms,
    ownCpuMs: s.own_cpu_ms,
    foreignCpuMs: s.foreign_cpu_ms,
    clean: s.clean,
  }));
  return {
    framework: "torch",
    torch: res.torch,
    openblas: res.openblas,
    size,
    method,
    steps,
    trainableParams: res.trainable_params,
    peakRssMiB: res.peak_rss_mib,
    losses: res.losses,
    ...summarise(steps, res.iters),
  };
}

function writeAtomic(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function flopsTable(recompute) {
  const out = {};
  for (const size of Object.keys(BENCH_SHAPES)) {
    out[size] = {};
    for (const m of METHOD_NAMES) {
      const f = stepFlops(BENCH_SHAPES[size], benchAdapter(m));
      out[size][m] = { ...f, executed: f.total + (recompute[size] ? f.recompute : 0) };
    }
  }
  return out;
}

/**
 * ELoRA/AFLoRA ratios compare the single-thread runs (like for like: wall and own CPU);
 * aflora/PyTorch uses aflora's fastest variant.
 */
export function computeRatios(runs, flops, sizes, methods) {
  const get = (size, method) => runs.find((r) => r.size === size && r.method === method);
  const ok = (r) => (r && !r.error ? r : null);
  const single = (size, method) => {
    const run = get(size, method);
    const w = run?.byWorkers
      ? Object.keys(run.byWorkers)
          .map(Number)
          .sort((a, b) => a - b)[0]
      : null;
    return ok(w !== null ? run.byWorkers[w] : run?.aflora);
  };
  const div = (a, b, key = "medianMs") => (a && b && a[key] != null && b[key] != null ? a[key] / b[key] : null);
  const ratios = {};
  for (const size of sizes) {
    const e = single(size, "elora");
    ratios[size] = {
      eloraOverAfloraStartTime: div(e, single(size, "aflora-start")),
      eloraOverAfloraFrozenTime: div(e, single(size, "aflora-frozen")),
      eloraOverAfloraStartCpu: div(e, single(size, "aflora-start"), "medianOwnCpuMs"),
      eloraOverAfloraFrozenCpu: div(e, single(size, "aflora-frozen"), "medianOwnCpuMs"),
      eloraOverAfloraFlops: flops[size].elora.total / flops[size]["aflora-start"].total,
      afloraStartOverFrozenTime: div(single(size, "aflora-start"), single(size, "aflora-frozen")),
      afloraOverTorch: Object.fromEntries(
        methods.map((m) => [m, div(ok(get(size, m)?.aflora), ok(get(size, m)?.peer))]),
      ),
      // Own CPU time (all threads): the robust comparison on a shared machine, exact when both use 1 thread.
      afloraOverTorchCpu: Object.fromEntries(
        methods.map((m) => [m, div(ok(get(size, m)?.aflora), ok(get(size, m)?.peer), "medianOwnCpuMs")]),
      ),
      torchEloraOverAfloraStartTime: div(ok(get(size, "elora")?.peer), ok(get(size, "aflora-start")?.peer)),
    };
  }
  return ratios;
}

/** What the aflora runs used: "native (openblas libopenblas.so.0, 2 threads)", or "wasm (… 1 thread)". */
export function describeRuns(runs) {
  const seen = new Set();
  for (const r of runs) {
    for (const a of Object.values(r.byWorkers ?? { 1: r.aflora })) {
      if (!a || a.error || !a.backend) continue;
      if (a.backend === "native")
        seen.add(`native (${a.blasVendor} ${a.blas}, ${a.threads} thread${a.threads === 1 ? "" : "s"})`);
      else if (a.backend === "wasm") seen.add("wasm (tfjs-backend-wasm 4.22, SIMD, 1 thread)");
      else seen.add(a.backend);
    }
  }
  return [...seen].join("; ") || "unknown";
}

/**
 * Of several fresh-process runs of one configuration, the one with the median time (a real run, not
 * an average), with every run's median in `repeatMedians`; a failed run only when all failed.
 */
export function medianRun(list) {
  const ok = list.filter((r) => !r.error).sort((a, b) => a.medianMs - b.medianMs);
  if (!ok.length) return list[0];
  const pick = ok[Math.floor((ok.length - 1) / 2)];
  return list.length > 1 ? { ...pick, repeatMedians: ok.map((r) => r.medianMs) } : pick;
}

/** Runs the benchmark; returns the results object (also written to `o.outDir`). */
export async function runBench(options = {}, log = (s) => process.stderr.write(`${s}\n`)) {
  const o = { ...DEFAULTS, ...options };
  const date = new Date().toISOString();
  const torch = o.peer ? peerAvailable(o.python) : null;
  if (o.peer && !torch)
    log(
      `bench: PyTorch not found (${o.python} -c "import torch"); install it for the side-by-side (apt-get install -y python3-torch libopenblas0-pthread). Timing aflora only.`,
    );
  const tmpDir = join(os.tmpdir(), `aflora-bench-${process.pid}`);
  mkdirSync(tmpDir, { recursive: true });
  const runs = [];
  for (const size of o.sizes) {
    for (const method of o.methods) {
      const tries = Object.fromEntries(o.workers.map((w) => [w, []]));
      const peerTries = [];
      for (let k = 0; k < o.repeat; k++) {
        const nth = o.repeat > 1 ? `, run ${k + 1}/${o.repeat}` : "";
        for (const w of o.workers) {
          log(`bench: ${size} ${method} (aflora, ${w} worker${w > 1 ? "s" : ""}${nth})`);
          tries[w].push(await runAflora(size, method, o, log, w));
        }
        if (torch) {
          log(`bench: ${size} ${method} (PyTorch${nth})`);
          peerTries.push(await runPeer(size, method, o, log, tmpDir));
        }
      }
      const byWorkers = Object.fromEntries(o.workers.map((w) => [w, medianRun(tries[w])]));
      // The fastest variant stands for aflora in the ratios.
      const ok = Object.values(byWorkers).filter((r) => !r.error);
      const aflora = ok.length ? ok.reduce((a, b) => (b.medianMs < a.medianMs ? b : a)) : Object.values(byWorkers)[0];
      const peer = torch ? medianRun(peerTries) : null;
      runs.push({ size, method, aflora, byWorkers, peer });
    }
  }
  rmSync(tmpDir, { recursive: true, force: true });
  let freezeCheck = null;
  if (o.freezeCheck && o.sizes.includes("small")) {
    log("bench: freeze check (small, full fine-tuning, then every encoder W0 frozen)");
    const r = await runChild(
      process.execPath,
      [
        join(HERE, "freeze-check-child.mjs"),
        JSON.stringify({ size: "small", cfg: SIZES.small, iters: 3, model: o.model }),
      ],
      log,
    );
    const line = r.out.split("\n").find((l) => l.startsWith("RESULT "));
    freezeCheck = line ? JSON.parse(line.slice(7)) : { error: `exit ${r.code}` };
  }
  // What the models decided ("auto"), per size: recomputation changes the FLOPs executed.
  const recomputed = Object.fromEntries(
    o.sizes.map((size) => [size, runs.some((r) => r.size === size && r.aflora?.recompute === true)]),
  );
  const recomputeReasons = Object.fromEntries(
    o.sizes.map((size) => [
      size,
      ((r) => (r ? `${r.aflora.recomputeReason}, for ${r.method}` : null))(
        runs.find((q) => q.size === size && q.aflora?.recomputeReason),
      ),
    ]),
  );
  const flops = flopsTable(recomputed);
  const mrpc = afloraAverageTrainable({ epochs: 20, stepsPerEpoch: 58 });
  const lora = loraTrainable();
  const ratios = computeRatios(runs, flops, o.sizes, o.methods);
  const results = {
    date,
    machine: {
      cpu: os.cpus()[0]?.model ?? "unknown",
      cores: os.cpus().length,
      memoryGiB: os.totalmem() / 2 ** 30,
      loadAverage: os.loadavg(),
    },
    node: process.version,
    backend: describeRuns(runs),
    fastGradients: !o.stockGradients,
    torch,
    options: {
      model: o.model,
      sizes: o.sizes,
      methods: o.methods,
      iters: o.iters,
      warmup: o.warmup,
      recompute: o.recompute,
      workers: o.workers,
      repeat: o.repeat,
      backend: o.backend,
      threads: o.threads ?? null,
    },
    runs,
    recomputed,
    recomputeReasons,
    flops,
    averageParams: {
      run: "MRPC-sized: 20 epochs × 58 steps, t_i = 1 epoch, t_f = 14 epochs, ΔT = 10 (DeBERTa-v3-base, r = 4, head excluded)",
      afloraAverage: mrpc.averageTrainable,
      afloraStart: mrpc.start,
      afloraEnd: mrpc.end,
      afloraLastFreezeStep: mrpc.lastFreezeStep,
      lora,
      loraOverAflora: lora / mrpc.averageTrainable,
    },
    ratios,
    freezeCheck,
    paper: { eloraOverAfloraTime: 1.86, eloraOverAfloraFlops: 2.96, loraOverAfloraParams: 9.5 },
  };
  // Sizes measured by an earlier run (e.g. `--sizes base` after `--sizes small`) are carried
  // over from the previous latest.json, with the date they were measured.
  const previousPath = join(o.outDir, "latest.json");
  if (o.carryOver && existsSync(previousPath)) {
    const prev = JSON.parse(readFileSync(previousPath, "utf8"));
    const carried = (prev.options?.sizes ?? []).filter((size) => !o.sizes.includes(size));
    for (const size of carried) {
      results.runs.push(
        ...prev.runs.filter((r) => r.size === size).map((r) => ({ ...r, measured: r.measured ?? prev.date })),
      );
      results.ratios[size] = prev.ratios[size];
      results.options.sizes.push(size);
      results.options.recompute[size] = prev.options.recompute[size];
      results.recomputed[size] = prev.recomputed?.[size] ?? prev.options.recompute[size] === true;
      results.recomputeReasons[size] = prev.recomputeReasons?.[size] ?? null;
      results.options.iters[size] = prev.options.iters[size];
    }
    if (carried.length)
      results.options.workers = [...new Set([...results.options.workers, ...(prev.options?.workers ?? [])])].sort(
        (a, b) => a - b,
      );
    if (!results.freezeCheck && prev.freezeCheck)
      results.freezeCheck = { ...prev.freezeCheck, measured: prev.freezeCheck.measured ?? prev.date };
    if (carried.length) results.carried = { sizes: carried, from: prev.date };
    const order = Object.keys(SIZES).reverse();
    results.options.sizes.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  }
  const md = renderMarkdown(results);
  const stamp = date.replace(/[:]/g, "-").replace(/\..*/, "");
  writeAtomic(join(o.outDir, `${stamp}.json`), `${JSON.stringify(results, null, 1)}\n`);
  writeAtomic(join(o.outDir, "latest.json"), `${JSON.stringify(results, null, 1)}\n`);
  writeAtomic(join(o.outDir, "latest.md"), md);
  log(md);
  return results;
}

/** CLI entry shared by `aflora bench` and `node tools/bench/run.mjs`; returns the exit code. */
export async function benchMain(argv) {
  let o;
  try {
    o = parseBenchArgs(argv);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  if (o.renderOnly) {
    const path = join(o.outDir, "latest.json");
    const res = JSON.parse(readFileSync(path, "utf8"));
    res.ratios = computeRatios(res.runs, res.flops, res.options.sizes, res.options.methods);
    writeAtomic(path, `${JSON.stringify(res, null, 1)}\n`);
    const md = renderMarkdown(res);
    writeAtomic(join(o.outDir, "latest.md"), md);
    process.stdout.write(md);
    return 0;
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  await runBench(o);
  return 0;
}
