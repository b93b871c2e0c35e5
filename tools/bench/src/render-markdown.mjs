// Markdown for tools/bench/results/latest.md and the README's Benchmarks section.
const fmt = (x, d = 0) =>
  x === null || x === undefined || Number.isNaN(x)
    ? "–"
    : x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const ms = (r) => (!r ? "–" : r.error ? "failed" : `${fmt(r.medianMs)} (${fmt(r.minMs)}–${fmt(r.maxMs)})`);
const x = (v) => (v === null || v === undefined ? "–" : `${fmt(v, 2)}×`);

export function renderMarkdown(res) {
  const lines = [];
  lines.push(
    `Measured ${res.date.slice(0, 16).replace("T", " ")} UTC on ${res.machine.cpu} (${res.machine.cores} cores, shared: load average ${res.machine.loadAverage.map((l) => l.toFixed(1)).join(", ")} at the end), Node ${res.node}, backend ${res.backend}${res.fastGradients ? ", fast matmul gradients" : ", STOCK gradients"}; PyTorch ${res.torch ?? "not installed"}.`,
  );
  if (res.carried) {
    lines.push("");
    lines.push(
      `${res.carried.sizes.join(", ").toUpperCase()} rows measured ${res.carried.from.slice(0, 16).replace("T", " ")} UTC (an earlier run, same machine).`,
    );
  }
  lines.push("");
  lines.push(
    "Milliseconds per training step (forward + backward + AdamW): median (min–max) over the timed steps; a step counts as clean when other processes used under 10 % of a core during it, and only clean steps are used when there are enough. CPU ms is each framework's own CPU time per step, all threads (robust to other load; with one thread each, the fair comparison on a shared machine). Peak is the process’s peak RSS. “Trainer path”: the backend `aflora train` selects (header line). “N workers”: the batch split over N data-parallel worker threads, each with its own backend, exchanging gradients. aflora / PyTorch uses the fastest aflora variant.",
  );
  for (const size of res.options.sizes) {
    const r = res.recomputed?.[size] ?? res.options.recompute[size] === true;
    lines.push("");
    lines.push(`**${size.toUpperCase()}**${r ? " (per-layer recomputation in the backward pass)" : ""}`);
    const why = res.recomputeReasons?.[size];
    if (why) {
      lines.push("");
      lines.push(`Memory (the model's own choice, as in \`aflora train\`): ${why}.`);
    }
    lines.push("");
    const ws = res.options.workers;
    const head = ws
      .map((w) => `aflora ms (${w === 1 ? "Trainer path" : `${w} workers`}) | CPU ms | peak MiB`)
      .join(" | ");
    lines.push(
      `| method | ${head} | PyTorch ms | PyTorch CPU ms | PyTorch peak MiB | aflora / PyTorch | aflora / PyTorch, CPU | GFLOP/step | trainable params |`,
    );
    lines.push(`|---|${ws.map(() => "---:|---:|---:|").join("")}---:|---:|---:|---:|---:|---:|---:|`);
    for (const run of res.runs.filter((q) => q.size === size)) {
      const a = run.aflora;
      const p = run.peer;
      const f = res.flops[size][run.method];
      const cols = ws
        .map((w) => {
          const r = run.byWorkers?.[w];
          return `${ms(r)} | ${fmt(r?.medianOwnCpuMs)} | ${fmt(r?.peakRssMiB)}`;
        })
        .join(" | ");
      const cpuRatio = res.ratios[size].afloraOverTorchCpu?.[run.method];
      lines.push(
        `| ${run.method} | ${cols} | ${ms(p)} | ${fmt(p?.medianOwnCpuMs)} | ${fmt(p?.peakRssMiB)} | ${x(res.ratios[size].afloraOverTorch[run.method])} | ${x(cpuRatio)} | ${fmt(f.total / 1e9, 1)} | ${fmt(a?.trainableParams)} |`,
      );
    }
    if ((res.options.repeat ?? 1) > 1) {
      const list = (q) => (q?.repeatMedians ?? []).map((v) => fmt(v)).join(" / ");
      lines.push("");
      lines.push(
        `Each configuration ran in ${res.options.repeat} fresh processes, aflora and PyTorch alternating; the table shows the run with the median time. Every run's median (ms), aflora | PyTorch: ${res.runs
          .filter((q) => q.size === size)
          .map((q) => `${q.method} ${list(q.aflora)} | ${list(q.peer)}`)
          .join("; ")}.`,
      );
    }
    if (r) {
      const ex = res.runs
        .filter((q) => q.size === size)
        .map((q) => `${q.method} ${fmt(res.flops[size][q.method].executed / 1e9, 0)}`);
      lines.push("");
      lines.push(
        `GFLOP/step counts each matmul once; with per-layer recomputation aflora executes the encoder forward twice: ${ex.join(", ")} GFLOP executed per step (PyTorch keeps the whole graph).`,
      );
    }
  }
  lines.push("");
  lines.push("| claim | paper | aflora (measured) |");
  lines.push("|---|---:|---|");
  const sizes = res.options.sizes;
  const cpu = (v) => (v === null || v === undefined ? "" : `, CPU ${x(v)}`);
  lines.push(
    `| ELoRA / AFLoRA time (1 thread) | 1.86× | ${sizes.map((s) => `${s}: ${x(res.ratios[s].eloraOverAfloraStartTime)}${cpu(res.ratios[s].eloraOverAfloraStartCpu)} (A/B trainable), ${x(res.ratios[s].eloraOverAfloraFrozenTime)}${cpu(res.ratios[s].eloraOverAfloraFrozenCpu)} (frozen); PyTorch ${x(res.ratios[s].torchEloraOverAfloraStartTime)}`).join("; ")} |`,
  );
  lines.push(
    `| ELoRA / AFLoRA FLOPs | 2.96× | ${sizes.map((s) => `${s}: ${x(res.ratios[s].eloraOverAfloraFlops)}`).join("; ")} (matmul FLOPs of a step, @aflora/metrics stepFlops) |`,
  );
  const p = res.averageParams;
  lines.push(
    `| LoRA / AFLoRA average trainable params | 9.5× | ${x(p.loraOverAflora)} (${fmt(p.lora)} / ${fmt(p.afloraAverage)}; AFLoRA ${fmt(p.afloraStart)} → ${fmt(p.afloraEnd)}, all A/B frozen by step ${p.afloraLastFreezeStep}; ${p.run}) |`,
  );
  const fc = res.freezeCheck;
  if (fc && !fc.error) {
    lines.push("");
    lines.push(
      `Freezing removes weight-gradient work (small, full fine-tuning, then all ${fc.frozenKernels} encoder W0 kernels frozen mid-run): own CPU per step ${fmt(fc.before.medianCpuMs)} → ${fmt(fc.after.medianCpuMs)} ms (${x(fc.cpuRatio)}); matmul FLOPs ${fmt(fc.flopsBefore / 1e9, 1)} → ${fmt(fc.flopsAfter / 1e9, 1)} GFLOP (${x(fc.flopsRatio)}).`,
    );
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
}
