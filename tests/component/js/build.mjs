// build.mjs — makes calc.wasm from calc.js + calc.wit with componentize-js (the JS API).
// Usage: node build.mjs OUT.wasm   (build.sh is the entry point)
import { componentize } from '@bytecodealliance/componentize-js';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs OUT.wasm');
  process.exit(2);
}
// Default features (stdio, random, clocks, http, fetch-event) are kept on purpose: the
// component then imports the usual set of wasi:* interfaces, which the test defines as
// traps (or, for the few StarlingMonkey calls at run time, as small deterministic hosts).
const { component } = await componentize({
  sourcePath: join(here, 'calc.js'),
  witPath: join(here, 'calc.wit'),
  worldName: 'calc',
});
await writeFile(out, component);
console.log(`${out}: ${component.length} bytes`);
