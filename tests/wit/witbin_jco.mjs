// witbin_jco.mjs — reference world encodings for test_witbin_diff: reads a JSON array of
// jobs {"wit": PATH, "world": NAME, "features": [...]} (PATH a .wit file, a directory with deps/, or a WIT
// package binary), embeds each world into a dummy core module with wasm-tools
// (`componentEmbed` of the pinned jco, node_modules/@bytecodealliance/jco; what
// `jco embed --wit PATH -n NAME` does) and writes a JSON array of {"b": "<hex of the
// module>"} or {"e": "<message>"} in the same order.
//
//   node --import ./tools/js/preload.mjs tests/wit/witbin_jco.mjs IN.json OUT.json
//
// (the preload gives jco's WASI shim access to the file system, see tools/js/preload.mjs).
//
// Exit status 3 when jco is not installed (the test then reports a skip).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const api = join(root, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'api.js');
if (!existsSync(api)) {
  console.error(`jco not found at ${api} (run npm ci)`);
  process.exit(3);
}
const { componentEmbed } = await import(pathToFileURL(api).href);
// the smallest core module: the section is appended to it
const empty = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = [];
for (let k = 0; k < jobs.length; k++) {
  const j = jobs[k];
  try {
    const opts = { binary: empty, witPath: j.wit, world: j.world };
    if (j.features && j.features.length) opts.features = { tag: 'list', val: j.features };
    const m = await componentEmbed(opts);
    out.push({ b: Buffer.from(m).toString('hex') });
  } catch (e) {
    const msg = String(e && e.message ? e.message : e);
    out.push({ e: msg.slice(0, 300) });
    if (/unreachable|cannot enter component instance/.test(msg) && k + 1 < jobs.length) {
      // a panic leaves the wasm-tools instance unusable: the rest in a fresh process
      const depth = Number(process.env.WITBIN_JCO_DEPTH || 0) + 1;
      if (depth > 20) {
        for (let r = k + 1; r < jobs.length; r++) out.push({ e: 'not run: wasm-tools panicked too often' });
        break;
      }
      const restIn = `${process.argv[2]}.rest${depth}`, rest = `${process.argv[3]}.rest${depth}`;
      writeFileSync(restIn, JSON.stringify(jobs.slice(k + 1)));
      const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1], restIn, rest], {
        stdio: 'inherit',
        env: { ...process.env, WITBIN_JCO_DEPTH: String(depth) },
      });
      if (r.status !== 0) process.exit(r.status ?? 1);
      out.push(...JSON.parse(readFileSync(rest, 'utf8')));
      break;
    }
  }
}
writeFileSync(process.argv[3], JSON.stringify(out));
