// node_runner.mjs — the V8 runner of the benchmark suite.
//   node node_runner.mjs FILE.wasm N
//       instantiates FILE and times one call of bench_run(N) with process.hrtime
//       (compilation and instantiation not included); prints "<checksum> <seconds>".
//   node node_runner.mjs --validate FILE.wasm [SECONDS]
//       repeats WebAssembly.validate (V8's decode + validate) for about SECONDS
//       (default 1); prints "<MB/s>" for comparison with weld's figure.
//
// The kernels import nothing; should a toolchain change make libc import something,
// every imported function is stubbed with one that returns 0 (the same rule as the
// weld runner), and the import is named on stderr.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const now = () => Number(process.hrtime.bigint()) / 1e9;

if (args[0] === '--validate' && args.length >= 2) {
  const bytes = readFileSync(args[1]);
  const seconds = Number(args[2] ?? 1) || 1;
  const start = now();
  let end = start, iterations = 0;
  do {
    if (!WebAssembly.validate(bytes)) throw new Error(`${args[1]}: invalid module`);
    iterations++;
    end = now();
  } while (end - start < seconds || iterations < 3);
  console.log(((bytes.length * iterations) / (end - start) / 1e6).toFixed(1));
} else if (args.length === 2) {
  const [file, nArg] = args;
  const module = await WebAssembly.compile(readFileSync(file));
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') throw new Error(`cannot stub ${imp.kind} import ${imp.module}.${imp.name}`);
    console.error(`stubbing import ${imp.module}.${imp.name}`);
    (imports[imp.module] ??= {})[imp.name] = () => 0;
  }
  const instance = await WebAssembly.instantiate(module, imports);
  const { _initialize, bench_run } = instance.exports;
  if (typeof bench_run !== 'function') throw new Error(`${file}: no bench_run export`);
  if (typeof _initialize === 'function') _initialize();

  const n = Number(nArg) >>> 0;
  const t0 = process.hrtime.bigint();
  const sum = bench_run(n) >>> 0;
  const t1 = process.hrtime.bigint();
  console.log(`${sum} ${(Number(t1 - t0) / 1e9).toFixed(6)}`);
} else {
  console.error('usage: node node_runner.mjs FILE.wasm N\n       node node_runner.mjs --validate FILE.wasm [SECONDS]');
  process.exit(2);
}
