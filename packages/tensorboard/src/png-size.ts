const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Channels per PNG colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

/** Width, height and channel count from a PNG's IHDR chunk (TensorBoard's Image summary needs them). */
export function pngSize(png: Uint8Array): { width: number; height: number; channels: number } {
  if (png.length < 26 || SIGNATURE.some((b, i) => png[i] !== b))
    throw new Error("addImage: expected PNG bytes (no PNG signature)");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const channels = CHANNELS[png[25]!];
  if (channels === undefined) throw new Error(`addImage: unknown PNG colour type ${png[25]}`);
  return { width: view.getUint32(16), height: view.getUint32(20), channels };
}
