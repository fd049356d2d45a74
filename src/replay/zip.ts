// The first file of a zip archive (Binance's public data comes one CSV per zip): found through
// the central directory, inflated with zlib. Enough for stored and deflated entries; anything
// else is an error that says so.
import { inflateRawSync } from "node:zlib";

export function firstZipEntry(zip: Uint8Array): { name: string; data: Buffer } {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end-of-central-directory record: the last 22 bytes, or earlier if it has a comment.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a zip archive (no end of central directory)");
  const central = view.getUint32(eocd + 16, true);
  if (view.getUint32(central, true) !== 0x02014b50) throw new Error("damaged zip archive (central directory)");
  const method = view.getUint16(central + 10, true);
  const compressedSize = view.getUint32(central + 20, true);
  const nameLength = view.getUint16(central + 28, true);
  const local = view.getUint32(central + 42, true);
  const name = new TextDecoder().decode(zip.subarray(central + 46, central + 46 + nameLength));
  if (compressedSize === 0xffffffff) throw new Error(`${name}: zip64 entries are not supported; unzip it first`);
  const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  const raw = zip.subarray(dataStart, dataStart + compressedSize);
  if (method === 0) return { name, data: Buffer.from(raw) };
  if (method === 8) return { name, data: inflateRawSync(raw) };
  throw new Error(`${name}: zip compression method ${method} is not supported (only stored and deflate)`);
}
