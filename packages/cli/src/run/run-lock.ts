import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";

/** A takeover marker older than this belongs to a process that died mid-takeover. */
const STALE_TAKEOVER_MS = 10_000;

function createExclusive(path: string): boolean {
  try {
    const fd = openSync(path, "wx");
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

function holder(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * An exclusive lock file holding the pid of the process writing a run folder, so a resume never
 * writes into a folder another live process is still using. A lock whose process is gone (SIGKILL)
 * is stale and taken over; the takeover itself is serialised by a second exclusive file, so two
 * processes that both find the same stale lock can never both end up holding it.
 */
export function acquireRunLock(path: string): () => void {
  const takeover = `${path}.takeover`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (createExclusive(path)) return () => rmSync(path, { force: true });
    const pid = holder(path);
    if (pid !== null && isAlive(pid)) throw new Error(`${path}: the run is in use by process ${pid}`);
    if (createExclusive(takeover)) {
      try {
        // Re-check under the takeover: another process may have replaced the stale lock meanwhile.
        const now = holder(path);
        if (now === pid) rmSync(path, { force: true });
        if (createExclusive(path)) return () => rmSync(path, { force: true });
      } finally {
        rmSync(takeover, { force: true });
      }
    } else {
      try {
        if (Date.now() - statSync(takeover).mtimeMs > STALE_TAKEOVER_MS) rmSync(takeover, { force: true });
      } catch {
        // the takeover finished meanwhile
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + attempt);
    }
  }
  throw new Error(`${path}: could not lock the run folder`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
