// The dashboard page: plain DOM (no framework), charts by vega-embed from the server's Vega-Lite specs.
/* global vegaEmbed */
"use strict";

const main = document.getElementById("main");
const live = document.getElementById("live");
let cleanup = () => {};

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

const fmt = {
  num(v, digits = 6) {
    return typeof v === "number" && Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : "–";
  },
  params(v) {
    return typeof v === "number" && Number.isFinite(v) ? (Math.round(v * 10) / 10).toLocaleString("en-US") : "–";
  },
  duration(ms) {
    if (typeof ms !== "number" || !Number.isFinite(ms)) return "–";
    const s = Math.round(ms / 1000);
    return s >= 3600
      ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
      : s >= 60
        ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
        : `${s}s`;
  },
  best(b) {
    return b ? `${b.metric} ${fmt.num(b.value)} @ ${b.step}` : "–";
  },
};

const status = (s) => el("span", { class: `status ${s}` }, s);
const runLink = (id) => el("a", { href: `#/run/${encodeURIComponent(id)}` }, id);

async function getJson(url) {
  const r = await fetch(url, { credentials: "same-origin" });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.json();
}

// The freezing heatmap first: it is what only AFLoRA runs have.
const CHART_ORDER = ["freezing-heatmap", "loss", "lr", "metrics", "metric", "trainable-parameters", "step-time"];

/** Embeds each spec once, and again only when it changed; charts keep one order whatever arrives first. */
class Charts {
  constructor(container) {
    this.container = container;
    this.shown = new Map();
  }
  async show(specs) {
    for (const [key, spec] of Object.entries(specs)) {
      const text = JSON.stringify(spec);
      let entry = this.shown.get(key);
      if (!entry) {
        const div = el("div", {
          class: `chart${key === "freezing-heatmap" ? " wide" : ""}`,
          id: `chart-${key}`,
          "data-chart": key,
        });
        const rank = (k) => CHART_ORDER.indexOf(k) + 1 || 99;
        const after = [...this.container.children].find((c) => rank(c.dataset.chart) > rank(key));
        this.container.insertBefore(div, after ?? null);
        entry = { div, text: null, view: null };
        this.shown.set(key, entry);
      }
      if (entry.text === text) continue;
      entry.text = text;
      const result = await vegaEmbed(entry.div, spec, { actions: false, renderer: "svg" });
      entry.view?.finalize();
      entry.view = result.view;
    }
  }
  dispose() {
    for (const e of this.shown.values()) e.view?.finalize();
    this.shown.clear();
  }
}

async function listPage() {
  const render = async () => {
    const { runs, sweeps } = await getJson("/api/runs");
    const selected = new Set([...document.querySelectorAll("input[data-run]:checked")].map((i) => i.dataset.run));
    const button = el(
      "button",
      {
        id: "compare-button",
        disabled: true,
        onclick: () => {
          const ids = [...document.querySelectorAll("input[data-run]:checked")].map((i) =>
            encodeURIComponent(i.dataset.run),
          );
          location.hash = `#/compare/${ids.join(",")}`;
        },
      },
      "Compare selected",
    );
    const update = () => {
      const n = document.querySelectorAll("input[data-run]:checked").length;
      button.disabled = n < 2 || n > 8;
      button.textContent = `Compare selected (${n})`;
    };
    const rows = runs.map((r) =>
      el(
        "tr",
        { "data-run-row": r.id },
        el(
          "td",
          {},
          el("input", {
            type: "checkbox",
            "data-run": r.id,
            checked: selected.has(r.id),
            onchange: update,
            "aria-label": `select ${r.id}`,
          }),
        ),
        el("td", {}, runLink(r.id)),
        el("td", {}, status(r.status)),
        el("td", {}, r.method ?? "–"),
        el("td", {}, r.task ?? "–"),
        el("td", { class: "num" }, `${r.step}/${r.totalSteps || "?"}`),
        el("td", {}, fmt.best(r.best)),
        el("td", { class: "num" }, fmt.params(r.averageTrainable)),
        el("td", { class: "num" }, r.startedAt ? new Date(r.startedAt).toLocaleString() : "–"),
      ),
    );
    const content = [
      el("h1", {}, "Runs"),
      runs.length
        ? el(
            "table",
            { id: "runs-table" },
            el(
              "thead",
              {},
              el(
                "tr",
                {},
                ["", "run", "status", "method", "task", "step", "best metric", "avg trainable params", "started"].map(
                  (h) => el("th", {}, h),
                ),
              ),
            ),
            el("tbody", {}, rows),
          )
        : el(
            "p",
            { class: "muted" },
            "No runs in this folder yet: start one with `aflora train --output <this folder>`.",
          ),
      el("p", {}, button),
    ];
    if (sweeps.length) {
      content.push(
        el("h2", {}, "Sweeps"),
        el(
          "table",
          { id: "sweeps-table" },
          el(
            "thead",
            {},
            el(
              "tr",
              {},
              ["sweep", "trials", "done", "failed", "running", "updated"].map((h) => el("th", {}, h)),
            ),
          ),
          el(
            "tbody",
            {},
            sweeps.map((s) =>
              el(
                "tr",
                {},
                el("td", {}, el("a", { href: `#/sweep/${encodeURIComponent(s.id)}` }, s.name)),
                el("td", { class: "num" }, s.trials),
                el("td", { class: "num" }, s.done),
                el("td", { class: "num" }, s.failed),
                el("td", { class: "num" }, s.running),
                el("td", {}, s.updatedAt ?? "–"),
              ),
            ),
          ),
        ),
      );
    }
    main.replaceChildren(...content);
    update();
  };
  await render();
  const timer = setInterval(() => render().catch(showError), 5000);
  cleanup = () => clearInterval(timer);
}

function runPage(id) {
  const stats = el("div", { class: "stats" });
  const charts = new Charts(el("div", { class: "charts" }));
  const config = el("pre", { id: "config" });
  const title = el("h1", {}, id);
  main.replaceChildren(title, stats, charts.container, el("h2", {}, "Config"), config);
  const stat = (label, valueEl) => el("div", { class: "stat" }, valueEl, label);
  const source = new EventSource(`/api/run/stream?id=${encodeURIComponent(id)}`);
  const show = (ev) => {
    const view = JSON.parse(ev.data);
    const s = view.summary;
    title.replaceChildren(`${s.runId} `, status(s.status));
    stats.replaceChildren(
      stat("step", el("b", {}, el("span", { id: "step-counter" }, s.step), ` / ${s.totalSteps || "?"}`)),
      stat(
        "frozen matrices",
        el("b", {}, el("span", { id: "frozen-count" }, view.heatmap.frozen), ` / ${view.heatmap.cells}`),
      ),
      stat("best", el("b", { id: "best" }, fmt.best(s.best))),
      stat("avg trainable params", el("b", { id: "avg-trainable" }, fmt.params(s.averageTrainable))),
      stat("wall time", el("b", {}, fmt.duration(s.wallTimeMs))),
      stat("method · task", el("b", {}, `${s.method ?? "–"} · ${s.task ?? "–"}`)),
      ...(s.skippedLines ? [stat("lines skipped", el("b", {}, s.skippedLines))] : []),
      ...(s.error ? [el("div", { class: "error" }, s.error)] : []),
    );
    config.textContent = JSON.stringify(view.config, null, 2);
    live.hidden = s.status !== "running";
    charts.show(view.specs).catch(showError);
  };
  source.addEventListener("snapshot", show);
  source.addEventListener("update", show);
  cleanup = () => {
    source.close();
    charts.dispose();
    live.hidden = true;
  };
}

async function comparePage(ids) {
  const view = await getJson(`/api/compare?ids=${ids.map(encodeURIComponent).join(",")}`);
  const charts = new Charts(el("div", { class: "charts" }));
  const cell = (run, field, value, text) =>
    el("td", { class: "num", "data-run": run, "data-field": field, "data-value": value ?? "" }, text);
  const table = el(
    "table",
    { id: "compare-table" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", {}, "run"),
        el("th", {}, "status"),
        el("th", {}, "method"),
        el("th", {}, "task"),
        el("th", { class: "num" }, "steps"),
        view.metrics.map((m) => el("th", { class: "num" }, `final ${m}`)),
        el("th", {}, "best"),
        el("th", { class: "num" }, "avg trainable params"),
        el("th", { class: "num" }, "wall time"),
      ),
    ),
    el(
      "tbody",
      {},
      view.runs.map((r) =>
        el(
          "tr",
          {},
          el("td", {}, runLink(r.id)),
          el("td", {}, status(r.status)),
          el("td", {}, r.method ?? "–"),
          el("td", {}, r.task ?? "–"),
          cell(r.id, "steps", r.step, r.step),
          view.metrics.map((m) => cell(r.id, `final.${m}`, r.final?.metrics[m], fmt.num(r.final?.metrics[m]))),
          cell(r.id, "best", r.best?.value, fmt.best(r.best)),
          cell(r.id, "averageTrainable", r.averageTrainable, fmt.params(r.averageTrainable)),
          cell(r.id, "wallTimeMs", r.wallTimeMs, fmt.duration(r.wallTimeMs)),
        ),
      ),
    ),
  );
  const diff = view.configDiff.length
    ? el(
        "table",
        { id: "config-diff" },
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", {}, "config"),
            view.runs.map((r) => el("th", {}, r.id.split("/").pop())),
          ),
        ),
        el(
          "tbody",
          {},
          view.configDiff.map((d) =>
            el(
              "tr",
              {},
              el("td", {}, d.key),
              d.values.map((v) => el("td", {}, v ?? "–")),
            ),
          ),
        ),
      )
    : el("p", { class: "muted" }, "The configs are identical.");
  main.replaceChildren(
    el("h1", {}, `Compare ${view.runs.length} runs`),
    table,
    charts.container,
    el("h2", {}, "Config differences"),
    diff,
  );
  await charts.show(view.specs);
  cleanup = () => charts.dispose();
}

async function sweepPage(id) {
  const s = await getJson(`/api/sweep?id=${encodeURIComponent(id)}`);
  const metrics = [...new Set(s.trials.flatMap((t) => Object.keys(t.eval ?? {})))];
  main.replaceChildren(
    el("h1", {}, `Sweep ${s.name}`),
    el(
      "table",
      { id: "sweep-table" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          ["trial", "label", "state", "attempts", "step", ...metrics, "elapsed", "run"].map((h) => el("th", {}, h)),
        ),
      ),
      el(
        "tbody",
        {},
        s.trials.map((t) =>
          el(
            "tr",
            {},
            el("td", {}, t.id),
            el("td", {}, t.label),
            el("td", {}, status(t.state)),
            el("td", { class: "num" }, t.attempts),
            el("td", { class: "num" }, t.step === null ? "–" : `${t.step}/${t.totalSteps ?? "?"}`),
            metrics.map((m) => el("td", { class: "num" }, fmt.num(t.eval?.[m]))),
            el("td", { class: "num" }, fmt.duration(t.elapsedMs)),
            el("td", {}, t.runId ? runLink(t.runId) : t.error ? el("span", { class: "error" }, t.error) : "–"),
          ),
        ),
      ),
    ),
  );
}

function showError(e) {
  console.error(e);
  main.append(el("p", { class: "error" }, String(e.message ?? e)));
}

async function route() {
  cleanup();
  cleanup = () => {};
  const [page, arg = ""] = location.hash.replace(/^#\/?/, "").split(/\/(.*)/s);
  try {
    if (page === "run") runPage(decodeURIComponent(arg));
    else if (page === "compare") await comparePage(arg.split(",").filter(Boolean).map(decodeURIComponent));
    else if (page === "sweep") await sweepPage(decodeURIComponent(arg));
    else await listPage();
  } catch (e) {
    showError(e);
  }
}

window.addEventListener("hashchange", route);
route();
