import { homedir } from "node:os";
import { join } from "node:path";
import { validateRepoName } from "./validate-hub-names.js";

/** A Hugging Face Hub repository: a model (`microsoft/deberta-v3-base`) or a dataset (`nyu-mll/glue`). */
export interface HubRepo {
  type: "model" | "dataset";
  name: string;
}

export const DEFAULT_HUB_URL = "https://huggingface.co";

/** `$HF_ENDPOINT` when set (mirrors, tests), else huggingface.co. */
export function defaultHubUrl(): string {
  return process.env["HF_ENDPOINT"] || DEFAULT_HUB_URL;
}

/**
 * The cache huggingface_hub uses, so a model downloaded with Python is reused: `$HF_HUB_CACHE`,
 * else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else ~/.cache/huggingface/hub.
 * `$AFLORA_HUB_CACHE` overrides all of them.
 */
export function defaultHubCacheDir(): string {
  const env = process.env;
  if (env["AFLORA_HUB_CACHE"]) return env["AFLORA_HUB_CACHE"];
  if (env["HF_HUB_CACHE"]) return env["HF_HUB_CACHE"];
  const home = env["HF_HOME"] || join(env["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "huggingface");
  return join(home, "hub");
}

/** `HF_HUB_OFFLINE=1` (the Hugging Face convention) or `AFLORA_OFFLINE=1`. */
export function offlineByEnvironment(): boolean {
  const on = (v: string | undefined) => v !== undefined && ["1", "true", "yes", "on"].includes(v.toLowerCase());
  return on(process.env["HF_HUB_OFFLINE"]) || on(process.env["AFLORA_OFFLINE"]);
}

/** huggingface_hub's folder name: `models--org--name`, `datasets--org--name`. */
export function repoFolderName(repo: HubRepo): string {
  validateRepoName(repo.name);
  return `${repo.type}s--${repo.name.split("/").join("--")}`;
}

/** `<cache>/models--org--name`: `blobs/`, `snapshots/<commit>/` and `refs/<revision>`, as huggingface_hub lays them out. */
export function repoCacheFolder(cacheDir: string, repo: HubRepo): string {
  return join(cacheDir, repoFolderName(repo));
}

/** Repo names as the Hub allows them: `name` or `org/name`, letters, digits, `-`, `_`, `.`. */
export function isHubRepoName(s: string): boolean {
  return (
    /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(s) &&
    !s.includes("..") &&
    !s.includes("--") &&
    s.length <= 96 * 2 + 1
  );
}
