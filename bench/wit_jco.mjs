// wit_jco.mjs — the closest jco (JavaScript component tooling, wasm-tools compiled to
// wasm) comes to `wit_bench`: componentEmbed({ witSource, dummy: true }) parses and
// resolves the same WIT, then also builds a dummy core module and encodes the world into
// it, so its time is an upper bound for jco's parse+resolve, not an exact match.
//
//   BENCH_JCO=DIR node bench/wit_jco.mjs ../shared/wit/wasi-0.2 [ROUNDS]
//
// DIR holds node_modules/@bytecodealliance/jco (the project root, where package.json pins
// it, or any `npm install --prefix DIR @bytecodealliance/jco`).  All packages are joined
// into one source: http.wit on top, the others as nested `package ... { }` blocks.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [dir, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg || 50);
const prefix = process.env.BENCH_JCO || '.';
const require = createRequire(pathToFileURL(`${prefix}/node_modules/`).href);
const { componentEmbed } = await import(pathToFileURL(require.resolve('@bytecodealliance/jco')).href);

const files = readdirSync(dir).filter((f) => f.endsWith('.wit')).sort();
let src = readFileSync(`${dir}/http.wit`, 'utf8');
for (const f of files) {
  if (f === 'http.wit') continue;
  const text = readFileSync(`${dir}/${f}`, 'utf8').replace(/^package ([^;]+);/m, 'package $1 {');
  src += `\n${text}\n}\n`;
}
const world = src.match(/^package ([^;@]+)(@[^;]+)?;/m);
const times = [];
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  await componentEmbed({ witSource: src, dummy: true, world: `${world[1]}/proxy${world[2] || ''}` });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`jco: componentEmbed(dummy) best ${times[0].toFixed(3)} ms, median ${times[rounds >> 1].toFixed(3)} ms (${rounds} rounds; also encodes)`);
