import { open } from "node:fs/promises";

/**
 * Checks that a downloaded file is what its name says, catching an HTML error page or a login
 * wall served with status 200: JSON must parse, parquet starts and ends with `PAR1`, a
 * safetensors header fits the file, a PyTorch `.bin` is a zip. Returns the problem or null.
 */
export async function contentProblem(path: string, repoPath: string, size: number): Promise<string | null> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(Math.min(size, 64));
    await handle.read(head, 0, head.length, 0);
    const text = head.toString("latin1").trimStart().toLowerCase();
    const lower = repoPath.toLowerCase();
    if (
      !lower.endsWith(".html") &&
      !lower.endsWith(".md") &&
      (text.startsWith("<!doctype html") || text.startsWith("<html"))
    ) {
      return "it is an HTML page, not the file (a proxy, login or error page?)";
    }
    if (lower.endsWith(".json")) {
      if (size > 512 * 1024 * 1024) return null;
      try {
        JSON.parse(await handle.readFile("utf8"));
      } catch (e) {
        return `it is not valid JSON (${(e as Error).message})`;
      }
    } else if (lower.endsWith(".parquet")) {
      const tail = Buffer.alloc(4);
      if (size >= 12) await handle.read(tail, 0, 4, size - 4);
      if (size < 12 || head.subarray(0, 4).toString("latin1") !== "PAR1" || tail.toString("latin1") !== "PAR1") {
        return "it is not a parquet file (no PAR1 magic number at its start and end)";
      }
    } else if (lower.endsWith(".safetensors")) {
      const n = size >= 8 ? head.readBigUInt64LE(0) : -1n;
      if (n < 2n || n > BigInt(size - 8) || head[8] !== 0x7b)
        return "it is not a safetensors file (bad header length or no JSON header)";
    } else if (lower.endsWith(".bin") && !lower.includes("training_args")) {
      if (head.subarray(0, 4).toString("latin1") !== "PK\x03\x04")
        return "it is not a torch.save zip archive (no PK magic number)";
    }
    return null;
  } finally {
    await handle.close();
  }
}
