import { homedir } from "node:os";
import { join } from "node:path";

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

/** `$AFLORA_HUB_CACHE` when set, else ~/.cache/aflora/hub. */
export function defaultHubCacheDir(): string {
  return process.env["AFLORA_HUB_CACHE"] || join(homedir(), ".cache", "aflora", "hub");
}

/** `HF_HUB_OFFLINE=1` (the Hugging Face convention) or `AFLORA_OFFLINE=1`. */
export function offlineByEnvironment(): boolean {
  const on = (v: string | undefined) => v !== undefined && ["1", "true", "yes", "on"].includes(v.toLowerCase());
  return on(process.env["HF_HUB_OFFLINE"]) || on(process.env["AFLORA_OFFLINE"]);
}

/** Models live at `<cache>/<org>/<name>`, datasets at `<cache>/datasets/<org>/<name>`; a revision other than main adds `@<rev>`. */
export function repoCacheFolder(cacheDir: string, repo: HubRepo, revision = "main"): string {
  const base = repo.type === "dataset" ? join(cacheDir, "datasets", ...repo.name.split("/")) : join(cacheDir, ...repo.name.split("/"));
  return revision === "main" ? base : `${base}@${revision.replace(/[^\w.-]/g, "_")}`;
}

/** Repo names as the Hub allows them: `name` or `org/name`, letters, digits, `-`, `_`, `.`. */
export function isHubRepoName(s: string): boolean {
  return /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(s) && !s.includes("..");
}
