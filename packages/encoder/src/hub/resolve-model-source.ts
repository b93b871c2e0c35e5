import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { downloadRepoFiles, NotInCacheError, PoisonedCacheError, type HubFile } from "./download-repo-files.js";
import type { HubTimeouts } from "./fetch-with-timeouts.js";
import { defaultHubCacheDir, defaultHubUrl, isHubRepoName, offlineByEnvironment, repoCacheFolder } from "./hub-repo.js";
import { HubNameError, validateRevision } from "./validate-hub-names.js";

export interface ResolveModelSourceOptions extends HubTimeouts {
  /** Default: huggingface_hub's cache (`$HF_HUB_CACHE`, `$HF_HOME/hub`, ~/.cache/huggingface/hub). */
  cacheDir?: string;
  /** Default `$HF_ENDPOINT` or https://huggingface.co. */
  hubUrl?: string;
  /** Never touch the network (default: `HF_HUB_OFFLINE=1` or `AFLORA_OFFLINE=1`). */
  offline?: boolean;
  /** Branch, tag, `refs/pr/N` or commit id (default "main"), like `from_pretrained(revision=…)`. */
  revision?: string;
  /** Default `$HF_TOKEN`. */
  accessToken?: string;
  fetch?: typeof fetch;
  /** Notes such as "Hub unreachable, using the cached snapshot" (default console.warn). */
  warn?: (message: string) => void;
}

export interface ModelSource {
  /** A local folder holding config.json, weights and tokenizer files. */
  folder: string;
  origin: "local" | "cache" | "download";
  /** The Hub id, when it was one. */
  id?: string;
  /** The commit the revision resolved to, for a Hub id. */
  commit?: string;
}

const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "added_tokens.json",
  "spm.model",
  "tokenizer.model",
  "vocab.txt",
  "vocab.json",
  "merges.txt",
];

export const MODEL_FOLDER_CONTENTS =
  "config.json; model.safetensors (or model.safetensors.index.json with its shards, or pytorch_model.bin); " +
  "and the tokenizer: tokenizer.json, or spm.model (DeBERTa-v2/v3), vocab.txt (BERT) or vocab.json + merges.txt (RoBERTa), with tokenizer_config.json";

/**
 * Turns what a user typed into a local model folder: an existing folder is used as it is; a
 * Hub id (`microsoft/deberta-v3-base`) is downloaded once into the cache (config, tokenizer
 * files, and one set of weights) and reused from then on. Offline, or when the Hub cannot be
 * reached, the one error says which folder to provide and what it must contain.
 */
export async function resolveModelSource(idOrPath: string, opts: ResolveModelSourceOptions = {}): Promise<ModelSource> {
  const local = await folderKind(idOrPath);
  if (local === "folder") return { folder: resolve(idOrPath), origin: "local" };
  if (local === "file")
    throw new Error(`"${idOrPath}" is a file; give the model folder that contains it (${MODEL_FOLDER_CONTENTS})`);
  if (!isHubRepoName(idOrPath)) {
    throw new Error(
      `model folder "${idOrPath}" does not exist (and it is not a Hugging Face Hub id like "microsoft/deberta-v3-base")`,
    );
  }

  const repo = { type: "model" as const, name: idOrPath };
  const revision = validateRevision(opts.revision ?? "main");
  const cacheDir = opts.cacheDir ?? defaultHubCacheDir();
  const hubUrl = opts.hubUrl ?? defaultHubUrl();
  const offline = opts.offline ?? offlineByEnvironment();
  const unavailable = (why: string) =>
    new Error(
      `model "${idOrPath}" (revision ${revision}) is not on this machine and ${why}. Download it where the Hub is reachable ` +
        `(e.g. huggingface-cli download ${idOrPath}) into the cache ${repoCacheFolder(cacheDir, repo)}, or pass a local folder. ` +
        `The folder needs ${MODEL_FOLDER_CONTENTS}.`,
    );
  try {
    const result = await downloadRepoFiles({
      repo,
      cacheDir,
      revision,
      hubUrl,
      offline,
      fetch: opts.fetch,
      accessToken: opts.accessToken ?? process.env["HF_TOKEN"],
      select: (files) => selectModelFiles(idOrPath, files),
      ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
      ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      ...(opts.warn ? { warn: opts.warn } : {}),
    });
    return {
      folder: result.folder,
      origin: result.downloaded ? "download" : "cache",
      id: idOrPath,
      commit: result.commit,
    };
  } catch (e) {
    if (e instanceof PoisonedCacheError || e instanceof HubNameError) throw e;
    if (e instanceof NotInCacheError)
      throw unavailable("offline mode is on (offline option, HF_HUB_OFFLINE or AFLORA_OFFLINE)");
    throw unavailable(`downloading it from ${hubUrl} failed: ${describe(e)}`);
  }
}

/** config.json, the tokenizer files present, and one set of weights (safetensors preferred). */
export function selectModelFiles(id: string, files: HubFile[]): string[] {
  const root = new Set(files.map((f) => f.path).filter((p) => !p.includes("/")));
  if (!root.has("config.json")) throw new Error(`the repository has no config.json, so it is not a Transformers model`);
  const picked = ["config.json", ...TOKENIZER_FILES.filter((f) => root.has(f))];
  const shards = (re: RegExp) => [...root].filter((p) => re.test(p)).sort();
  if (root.has("model.safetensors")) picked.push("model.safetensors");
  else if (root.has("model.safetensors.index.json"))
    picked.push("model.safetensors.index.json", ...shards(/^model-\d+-of-\d+\.safetensors$/));
  else if (root.has("pytorch_model.bin")) picked.push("pytorch_model.bin");
  else if (root.has("pytorch_model.bin.index.json"))
    picked.push("pytorch_model.bin.index.json", ...shards(/^pytorch_model-\d+-of-\d+\.bin$/));
  else throw new Error(`the repository ${id} has no model.safetensors or pytorch_model.bin`);
  return picked;
}

async function folderKind(p: string): Promise<"folder" | "file" | null> {
  try {
    return (await stat(p)).isDirectory() ? "folder" : "file";
  } catch {
    return null;
  }
}

function describe(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string }; statusCode?: number };
  const cause = err.cause?.code ?? err.cause?.message;
  const msg = (err.message ?? String(e)).replace(/\. URL: .*$/, "");
  return cause ? `${msg} (${cause})` : msg;
}
