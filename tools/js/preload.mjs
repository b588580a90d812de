// Node preload for jco 1.35: its bundled WASI shim preopens no directory, so every file
// argument fails with "No such file or directory (os error 44)".  Importing each installed
// copy of the shim's filesystem module and preopening "/" fixes that.
// Usage: node --import ./tools/js/preload.mjs node_modules/@bytecodealliance/jco/src/jco.js ...
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');
const found = [];
function walk(dir, depth) {
  if (depth > 6 || !existsSync(dir)) return;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    if (!ent.isDirectory()) continue;
    const p = join(dir, ent.name);
    if (ent.name === 'preview2-shim') {
      const fs = join(p, 'dist', 'nodejs', 'filesystem.js');
      if (existsSync(fs)) found.push(fs);
    } else if (ent.name === 'node_modules' || ent.name.startsWith('@') || depth > 0) {
      walk(p, depth + 1);
    }
  }
}
walk(root, 0);
for (const f of found) {
  const m = await import(pathToFileURL(f).href);
  if (typeof m._addPreopen === 'function') m._addPreopen('/', '/');
}
