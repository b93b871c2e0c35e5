import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** fixtures/tfevents/ at the repository root. */
export const TFEVENTS_FIXTURES = fileURLToPath(new URL("../../../fixtures/tfevents/", import.meta.url));
export const TF2_EVENT_FILE = `${TFEVENTS_FIXTURES}events.out.tfevents.1585499054.tf2-scalars.v2`;

/** `protoc --decode_raw` of one message: the wire fields as protoc reads them, without our schema. */
export function protocDecodeRaw(message: Uint8Array): string {
  const r = spawnSync("protoc", ["--decode_raw"], { input: message, encoding: "utf8" });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error(
      "protoc not found: install the Debian package protobuf-compiler (apt-get install protobuf-compiler)",
    );
  }
  if (r.status !== 0) throw new Error(`protoc --decode_raw failed: ${r.stderr}`);
  return r.stdout;
}

/** The bits of a float32 as protoc prints a fixed32 field (0x3f000000 for 0.5). */
export function float32Hex(x: number): string {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return `0x${b.readUInt32LE(0).toString(16).padStart(8, "0")}`;
}
