// cwat_jco.mjs — reference encodings for test_cwat_diff: reads a JSON array of component
// texts, encodes each with wasm-tools' text parser (the `parse` API of the pinned jco,
// node_modules/@bytecodealliance/jco), and writes a JSON array of {"b": "<hex>"} or
// {"e": "<message>"} in the same order.
//
//   node tests/text/cwat_jco.mjs IN.json OUT.json
//
// Exit status 3 when jco is not installed (the test then reports a skip).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const api = join(root, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'api.js');
if (!existsSync(api)) {
  console.error(`jco not found at ${api} (run npm ci)`);
  process.exit(3);
}
const { parse } = await import(pathToFileURL(api).href);
const texts = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = [];
for (const t of texts) {
  try {
    out.push({ b: Buffer.from(await parse(t)).toString('hex') });
  } catch (e) {
    let m = String(e && e.message ? e.message : e);
    const k = m.match(/kind: Custom\("((?:[^"\\]|\\.)*)"\)/);
    if (k) m = k[1];
    out.push({ e: m.slice(0, 300) });
  }
}
writeFileSync(process.argv[3], JSON.stringify(out));
