// Reads QR codes with zxing-cpp (the zxing-wasm build) for giayto's qr-bench command.
// Usage: node scan.mjs < list-of-image-paths
// Prints one JSON line per image: {"file": ..., "texts": [...], "ms": ...}.
// The WebAssembly binary is read from node_modules: nothing is fetched from the network.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";

const require = createRequire(import.meta.url);
const wasmPath = require.resolve("zxing-wasm/reader/zxing_reader.wasm");
await prepareZXingModule({
  overrides: { wasmBinary: readFileSync(wasmPath).buffer },
  fireImmediately: true,
});

const options = {
  formats: ["QRCode"],
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
  maxNumberOfSymbols: 8,
};

const lines = createInterface({ input: process.stdin });
for await (const file of lines) {
  if (!file) continue;
  const bytes = readFileSync(file);
  const start = process.hrtime.bigint();
  let texts = [];
  try {
    const results = await readBarcodes(new Uint8Array(bytes), options);
    texts = results.filter((r) => r.isValid).map((r) => r.text);
  } catch (e) {
    texts = [];
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(JSON.stringify({ file, texts, ms }) + "\n");
}
