// calc.js — the JS side of calc.wit, made into a component by build.sh with componentize-js.
// Kept deterministic (no Math.random / Date) so that the test needs no WASI at run time.
import { describe, maxOf, log } from 'weld:calc/host@0.1.0';

export function greet(name) {
  return `hello, ${name}!`;
}

export function sum(xs) {
  let s = 0n;
  for (const x of xs) s += BigInt(x);
  return s;
}

export function splitWords(s) {
  return s.split(/\s+/).filter((w) => w.length > 0);
}

export function addPoints(a, b) {
  return { x: a.x + b.x, y: a.y + b.y };
}

export function area(s) {
  switch (s.tag) {
    case 'circle': return BigInt(3 * s.val * s.val);
    case 'rect': return BigInt(Math.abs(s.val.x * s.val.y));
    case 'empty': return 0n;
  }
  throw new Error('bad shape');
}

export function makeShape(n) {
  if (n === 0) return { tag: 'empty' };
  if (n % 2 === 1) return { tag: 'circle', val: n };
  return { tag: 'rect', val: { x: n, y: -n } };
}

export function find(xs, needle) {
  const i = xs.indexOf(needle);
  return i < 0 ? undefined : i;
}

// result<s32, string>: returning gives ok, throwing gives err.
export function divide(a, b) {
  if (b === 0) throw 'division by zero';
  return Math.trunc(a / b);
}

export function toggle(p) {
  return { read: !p.read, write: !p.write, exec: !p.exec };
}

const order = ['red', 'green', 'blue'];
export function nextColor(c) {
  return order[(order.indexOf(c) + 1) % order.length];
}

export function callHost(label, xs) {
  const m = maxOf(xs);
  log(`max of ${xs.length} values: ${m === undefined ? 'none' : m}`);
  return describe(label, { x: xs.length, y: m === undefined ? -1 : m });
}

// Not a `result`: StarlingMonkey reports the uncaught exception (on stderr) and traps.
export function fail(msg) {
  throw new Error(msg);
}

class Counter {
  #value;
  constructor(start) { this.#value = start; }
  add(n) { this.#value += n; return this.#value; }
  get() { return this.#value; }
  name() { return `counter(${this.#value})`; }
}

export const counters = {
  Counter,
  total(c, extra) {
    let t = BigInt(c.get());
    for (const x of extra) t += BigInt(x);
    return t;
  },
};
