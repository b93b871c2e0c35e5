import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";

/**
 * An exclusive lock file holding the pid of the process writing a run folder, so a
 * resume never writes into a folder another live process is still using. A lock whose
 * process is gone (SIGKILL) is stale and taken over.
 */
export function acquireRunLock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(readFileSync(path, "utf8"));
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid))
        throw new Error(`${path}: the run is in use by process ${pid}`);
      rmSync(path, { force: true });
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
