import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors, writeSafetensors } from "@aflora/core";
import { loadTokenizer, readEncoderConfig, readPytorchBin, readWeightFiles } from "@aflora/encoder";
import { describe, expect, it } from "vitest";
import { aflora, REPO, scratch } from "../helpers.js";
import { outside, pickle, stateDictPickle, storedZip } from "./hostile-files.js";

const BERT = join(REPO, "fixtures/hf-parity/bert-tiny-cls3");
const WORDPIECE = join(REPO, "fixtures/tokenizers/bert-wordpiece");

/** A model folder: the tiny BERT's config (with `config` merged in), its tokenizer, and `weights` as model.safetensors. */
function modelFolder(root: string, name: string, config: Record<string, unknown> = {}, weights?: Uint8Array): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const base = JSON.parse(readFileSync(join(BERT, "config.json"), "utf8"));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ ...base, ...config }));
  for (const f of ["tokenizer.json", "tokenizer_config.json"]) copyFileSync(join(WORDPIECE, f), join(dir, f));
  if (weights) writeFileSync(join(dir, "model.safetensors"), weights);
  return dir;
}

function withNaN(): Uint8Array {
  const { tensors } = readSafetensors(readFileSync(join(BERT, "model.safetensors")), "fixture");
  const w = tensors.get("bert.encoder.layer.0.attention.self.query.weight")!;
  (w.data as Float32Array)[3] = Number.NaN;
  return writeSafetensors(Object.fromEntries(tensors));
}

/** `aflora train` on a model folder with the demo data, one step; cwd is the scratch root. */
function train(root: string, model: string, extra: string[] = []) {
  const started = Date.now();
  const r = aflora(
    ["train", "--model", model, "--data", "spam-assassin", "--max-steps", "1", "--quiet", "--output", "runs", ...extra],
    {
      cwd: root,
      env: { HOME: join(root, "home"), HF_HUB_OFFLINE: "1", HF_HUB_CACHE: join(root, "cache") },
      timeoutMs: 60_000,
    },
  );
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

describe("hostile model files through the CLI (exit 2, one message naming the file, nothing written outside runs/)", () => {
  it("model.safetensors symlinked to /dev/zero is refused without reading it", () => {
    const root = scratch("hostile-zero");
    const dir = modelFolder(root, "zero");
    symlinkSync("/dev/zero", join(dir, "model.safetensors"));
    const before = outside(root, []);
    const r = train(root, dir);
    expect(r.stderr).toContain(`${join(dir, "model.safetensors")}: is a character device, not a regular file`);
    expect(r.status).toBe(2);
    expect(r.seconds).toBeLessThan(45);
    expect(outside(root, ["runs", "home"], before)).toEqual([]);
  });

  it("weights holding NaN are refused at load, naming the tensor and the file", () => {
    const root = scratch("hostile-nan");
    const dir = modelFolder(root, "nan", {}, withNaN());
    const r = train(root, dir);
    expect(r.stderr).toContain(
      `${join(dir, "model.safetensors")}: tensor "bert.encoder.layer.0.attention.self.query.weight" holds a non-finite value (NaN`,
    );
    expect(r.status).toBe(2);
  });

  it("an impossible config (layer_norm_eps -1) is a config error naming the file and key", () => {
    const root = scratch("hostile-eps");
    const dir = modelFolder(root, "eps", { layer_norm_eps: -1 }, readFileSync(join(BERT, "model.safetensors")));
    const r = train(root, dir);
    expect(r.stderr).toContain(`${join(dir, "config.json")}: layer_norm_eps must be > 0, got -1`);
    expect(r.status).toBe(2);
  });

  it("aflora params on a million-layer config says how much memory it would need instead of running out of it", () => {
    const root = scratch("hostile-params");
    const file = join(root, "config.json");
    // bert-base with a million layers: every key given, so only the size is wrong.
    const bertBase = {
      model_type: "bert",
      hidden_size: 768,
      intermediate_size: 3072,
      num_attention_heads: 12,
      vocab_size: 30522,
    };
    writeFileSync(
      file,
      JSON.stringify({ ...bertBase, max_position_embeddings: 512, type_vocab_size: 2, num_hidden_layers: 1_000_000 }),
    );
    const started = Date.now();
    const r = aflora(["params", "--model-config", file], { cwd: root, timeoutMs: 30_000 });
    expect(r.stderr).toMatch(
      /config\.json: num_hidden_layers 1000000 \(hidden_size 768, intermediate_size 3072\) gives 7\.088e\+12 parameters, which need 28\.4 TB/,
    );
    expect(r.status).toBe(2);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describe("hostile model files through the library (bounded time, one error naming file and field)", () => {
  const timed = async <T>(limitMs: number, f: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await f();
    } finally {
      expect(performance.now() - started).toBeLessThan(limitMs);
    }
  };

  it("special files are refused as weights: a FIFO does not hang the reader", async () => {
    const root = scratch("hostile-fifo");
    const dir = modelFolder(root, "fifo");
    execFileSync("mkfifo", [join(dir, "model.safetensors")]);
    await timed(2000, () =>
      expect(readWeightFiles(dir)).rejects.toThrow(
        `${join(dir, "model.safetensors")}: is a FIFO (named pipe), not a regular file`,
      ),
    );
  });

  it("a 400-byte pytorch_model.bin whose stride-0 view claims 28000×28000 floats is refused before allocating", async () => {
    const root = scratch("hostile-bin");
    const dir = modelFolder(root, "stride0");
    const zip = storedZip({
      "archive/data.pkl": stateDictPickle("w", 1, [28000, 28000], [0, 0]),
      "archive/data/0": new Uint8Array(4),
    });
    writeFileSync(join(dir, "pytorch_model.bin"), zip);
    await timed(2000, () =>
      expect(readWeightFiles(dir)).rejects.toThrow(
        /pytorch_model\.bin: tensor "w": view .* has stride 0 in dimension 0 of size 28000/,
      ),
    );
    expect(() =>
      readPytorchBin(
        storedZip({
          "archive/data.pkl": stateDictPickle("w", 6, [3, 2], [1, 1]),
          "archive/data/0": new Uint8Array(24),
        }),
        "overlap.bin",
      ),
    ).toThrow(/overlap\.bin: tensor "w": view .* overlaps itself/);
  });

  it("a 2-million-item pickle list does not overflow the stack; an unreferenced corrupt entry is never inflated", async () => {
    const list = Buffer.concat([
      Buffer.from([0x80, 2, 0x5d, 0x28]),
      Buffer.alloc(2_000_000, 0x4e),
      Buffer.from([0x65, 0x2e]),
    ]);
    await timed(5000, async () =>
      expect(() => readPytorchBin(storedZip({ "archive/data.pkl": list }), "list.bin")).toThrow(
        "list.bin: the pickled object is not a state dict",
      ),
    );
    const evil = storedZip({ "archive/data.pkl": pickle({ g: "os\nsystem" }, "touch pwned", 0x85, 0x52) });
    expect(() => readPytorchBin(evil, "evil.bin")).toThrow(/refusing to load global "os\.system"/);
  });

  it("impossible model configs name the file and key", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ hidden_dropout_prob: 5 }, "c.json: hidden_dropout_prob must be a probability in [0, 1), got 5"],
      [
        { attention_probs_dropout_prob: -0.5 },
        "c.json: attention_probs_dropout_prob must be a probability in [0, 1), got -0.5",
      ],
      [{ layer_norm_eps: 0 }, "c.json: layer_norm_eps must be > 0, got 0"],
    ];
    for (const [patch, message] of bad)
      expect(() => readEncoderConfig({ model_type: "bert", ...patch }, "c.json")).toThrow(message);
  });

  it("tokenizers: an empty vocab.txt and an unknown tokenizer.json model type are refused; a tokenizer.json path works", async () => {
    const root = scratch("hostile-tok");
    const empty = join(root, "empty");
    mkdirSync(empty);
    writeFileSync(join(empty, "vocab.txt"), "");
    await expect(loadTokenizer(empty)).rejects.toThrow(`${join(empty, "vocab.txt")}: the vocabulary is empty`);
    const odd = join(root, "odd");
    mkdirSync(odd);
    const json = JSON.parse(readFileSync(join(WORDPIECE, "tokenizer.json"), "utf8"));
    writeFileSync(
      join(odd, "tokenizer.json"),
      JSON.stringify({ ...json, model: { ...json.model, type: "Gibberish" } }),
    );
    await expect(loadTokenizer(odd)).rejects.toThrow(
      `${join(odd, "tokenizer.json")}: model.type "Gibberish" is not supported`,
    );
    const tok = await loadTokenizer(join(WORDPIECE, "tokenizer.json"));
    expect(tok.tokenize("the cats")).toEqual((await loadTokenizer(WORDPIECE)).tokenize("the cats"));
  });
});
