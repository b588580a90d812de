#!/usr/bin/env python3
"""dev_corpus.py — run weld's component decoder/validator over the component-validation
test suite (developer tool; not part of `make check`, it needs node and jco).

The scripts are in the component *text* format, which weld cannot parse yet.  This tool
splits each .wast into its top-level forms, converts every `(component ...)` form (and the
component inside `assert_invalid` / `assert_malformed`) to binary with wasm-tools-in-JS
(jco, pinned in node_modules; one node process converts everything), and runs
`test_compdec --validate` on the binaries:

  * `(component ...)`                     must be accepted
  * `(assert_invalid (component ...))`    must be rejected
  * `(assert_malformed (component ...))`  must be rejected (if jco could encode it at all;
                                          most are textual errors jco already rejects)

Files whose `;; RUN:` line enables features (`-f ...`) are reported as skipped unless
--all is given; a rejection whose message starts with "not supported:" is counted as
"unsupported" (a construct weld deliberately does not implement), never as passed.

usage: tests/component/dev_corpus.py [--driver PATH] [--all] [--verbose] [FILE.wast ...]
  default FILEs: ../shared/testsuite/component-validation/component-model/**/*.wast
  default driver: build-compdec/tests/test_compdec (or $BUILD/tests/test_compdec)
"""
import argparse
import base64
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SUITE = os.path.join(ROOT, '..', 'shared', 'testsuite', 'component-validation')


def tokens(src):
    """Yields (kind, text, pos) with kind in '(' ')' 'str' 'atom'; skips comments."""
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in ' \t\r\n':
            i += 1
        elif src.startswith(';;', i):
            j = src.find('\n', i)
            i = n if j < 0 else j + 1
        elif src.startswith('(;', i):
            depth, i = 1, i + 2
            while i < n and depth:
                if src.startswith('(;', i):
                    depth, i = depth + 1, i + 2
                elif src.startswith(';)', i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == '(':
            yield '(', c, i
            i += 1
        elif c == ')':
            yield ')', c, i
            i += 1
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == '\\' else 1
            yield 'str', src[i:j + 1], i
            i = j + 1
        else:
            j = i
            while j < n and src[j] not in ' \t\r\n()"' and not src.startswith(';;', j):
                j += 1
            yield 'atom', src[i:j], i
            i = j


def parse(src):
    """Top-level forms as nested lists of (kind, text, pos) leaves; each list carries its
    source span as the first element (start, end)."""
    stack, out = [], []
    for kind, text, pos in tokens(src):
        if kind == '(':
            stack.append([(pos, None)])
        elif kind == ')':
            if not stack:
                continue
            node = stack.pop()
            node[0] = (node[0][0], pos + 1)
            (stack[-1] if stack else out).append(node)
        else:
            if stack:
                stack[-1].append((kind, text, pos))
    return out


def unescape(s):
    """Bytes of a wast string literal."""
    body, out, i = s[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != '\\':
            out += c.encode('utf-8')
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in '0123456789abcdefABCDEF' and i + 2 < len(body) and body[i + 2] in '0123456789abcdefABCDEF':
            out.append(int(body[i + 1:i + 3], 16))
            i += 3
        elif nxt == 'u':
            j = body.index('}', i)
            out += chr(int(body[i + 3:j], 16)).encode('utf-8')
            i = j + 1
        else:
            out += {'n': b'\n', 't': b'\t', 'r': b'\r', '\\': b'\\', "'": b"'", '"': b'"'}[nxt]
            i += 2
    return bytes(out)


def head(node):
    return node[1][1] if len(node) > 1 and node[1][0] == 'atom' else None


def component_job(node, src):
    """A `(component ...)` node -> ('text', wat) or ('binary', bytes)."""
    items = node[1:]
    k = 1  # after `component`
    while k < len(items) and items[k][0] == 'atom' and (items[k][1] == 'definition' or items[k][1].startswith('$')):
        k += 1
    if k < len(items) and isinstance(items[k], tuple) and items[k][0] == 'atom' and items[k][1] in ('binary', 'quote'):
        data = b''.join(unescape(t[1]) for t in items[k + 1:] if isinstance(t, tuple) and t[0] == 'str')
        if items[k][1] == 'binary':
            return 'binary', data
        return 'text', '(component ' + data.decode('utf-8', 'replace') + ')'
    start, end = node[0]
    text = src[start:end]
    text = re.sub(r'^\(component((\s+\$[^\s()]+)?)\s+definition\b', r'(component\1', text)
    text = re.sub(r'^\(component\s+definition((\s+\$[^\s()]+)?)', r'(component\1', text)
    return 'text', text


def run_features(src):
    m = re.search(r';;\s*RUN:[^\n]*(\n;;[^\n]*)?', src)
    if not m:
        return None
    line = m.group(0)
    if 'WAST_STRICT_COMPONENT_INDICES=0' in line:
        return 'lenient-indices'
    f = re.search(r'(?:-f|--features)[= ]?([^\s%]+)', line)
    return f.group(1) if f else ''


def collect(files, include_gated):
    jobs, skipped = [], []
    for path in files:
        src = open(path, encoding='utf-8').read()
        feats = run_features(src)
        if feats is None:
            skipped.append((path, 'no RUN line'))
            continue
        values = 'cm-values' in feats and '-cm-values' not in feats
        gated = feats not in ('', '-exceptions', '=-exceptions') and not (values and feats.strip('=') == 'cm-values')
        if gated and not include_gated:
            skipped.append((path, feats))
            continue
        for node in parse(src):
            h = head(node)
            line = src.count('\n', 0, node[0][0]) + 1
            if h == 'component':
                kind, data = component_job(node, src)
                jobs.append(dict(file=path, line=line, expect='valid', kind=kind, data=data, values=values))
            elif h in ('assert_invalid', 'assert_malformed'):
                inner = next((x for x in node[1:] if isinstance(x, list) and head(x) == 'component'), None)
                if inner is None:
                    continue
                kind, data = component_job(inner, src)
                msg = next((unescape(x[1]).decode('utf-8', 'replace') for x in node[1:]
                            if isinstance(x, tuple) and x[0] == 'str'), '')
                jobs.append(dict(file=path, line=line, expect='invalid' if h == 'assert_invalid' else 'malformed',
                                 kind=kind, data=data, values=values, message=msg))
    return jobs, skipped


NODE_CONVERT = r"""
import { parse } from '%s';
import { readFileSync, writeFileSync } from 'node:fs';
const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = [];
for (const t of jobs) {
  try { out.push({ok: Buffer.from(await parse(t)).toString('base64')}); }
  catch (e) { out.push({err: String(e && e.message || e).slice(0, 300)}); }
}
writeFileSync(process.argv[3], JSON.stringify(out));
"""


def convert(texts, tmp):
    api = os.path.join(ROOT, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'api.js')
    script = os.path.join(tmp, 'convert.mjs')
    with open(script, 'w') as f:
        f.write(NODE_CONVERT % api)
    inp, outp = os.path.join(tmp, 'in.json'), os.path.join(tmp, 'out.json')
    json.dump(texts, open(inp, 'w'))
    preload = os.path.join(ROOT, 'tools', 'js', 'preload.mjs')
    subprocess.run(['node', '--import', preload, script, inp, outp], check=True)
    return json.load(open(outp))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--driver')
    ap.add_argument('--all', action='store_true', help='also run feature-gated files')
    ap.add_argument('--verbose', '-v', action='store_true')
    ap.add_argument('--messages', action='store_true', help='print expected and actual messages of rejections')
    ap.add_argument('--save', metavar='DIR', help='also write every converted binary to DIR (e.g. a fuzzing seed corpus)')
    ap.add_argument('files', nargs='*')
    args = ap.parse_args()
    files = args.files
    if not files:
        base = os.path.join(SUITE, 'component-model')
        for d, _, fs in os.walk(base):
            files += [os.path.join(d, f) for f in fs if f.endswith('.wast')]
        files.sort()
    driver = args.driver or os.path.join(os.environ.get('BUILD', os.path.join(ROOT, 'build-compdec')), 'tests', 'test_compdec')

    jobs, skipped = collect(files, args.all)
    with tempfile.TemporaryDirectory() as tmp:
        texts = [j['data'] for j in jobs if j['kind'] == 'text']
        converted = iter(convert(texts, tmp)) if texts else iter(())
        todo = {False: [], True: []}
        for i, j in enumerate(jobs):
            if j['kind'] == 'text':
                r = next(converted)
                if 'err' in r:
                    j['jco_error'] = r['err']
                    continue
                j['bytes'] = base64.b64decode(r['ok'])
            else:
                j['bytes'] = j['data']
            j['path'] = os.path.join(tmp, '%d.wasm' % i)
            open(j['path'], 'wb').write(j['bytes'])
            if args.save:
                os.makedirs(args.save, exist_ok=True)
                name = '%s-%d-%s.wasm' % (os.path.basename(j['file'])[:-5], j['line'], j['expect'])
                open(os.path.join(args.save, name), 'wb').write(j['bytes'])
            todo[j['values']].append(j)
        for values, group in todo.items():
            if not group:
                continue
            cmd = [driver, '--validate'] + (['--values'] if values else [])
            res = {}
            for k in range(0, len(group), 500):
                chunk = group[k:k + 500]
                out = subprocess.run(cmd + [j['path'] for j in chunk], capture_output=True, text=True)
                if out.returncode not in (0, 1):
                    print(out.stderr, file=sys.stderr)
                    sys.exit('driver failed (exit %d)' % out.returncode)
                for ln in out.stdout.splitlines():
                    p, _, rest = ln.partition(': ')
                    res[p] = rest
            for j in group:
                j['result'] = res.get(j['path'], 'error: (no output)')

    counts = {}
    def bump(k):
        counts[k] = counts.get(k, 0) + 1
    failures = []
    for j in jobs:
        where = '%s:%d' % (os.path.relpath(j['file'], SUITE), j['line'])
        if 'jco_error' in j:
            bump('%s: jco rejects (textual, skipped)' % j['expect'])
            continue
        r = j['result']
        if r.startswith('error: not supported:'):
            bump('%s: unsupported' % j['expect'])
            if args.verbose:
                print('UNSUPPORTED %s: %s' % (where, r[7:]))
            continue
        ok = r == 'ok'
        if j['expect'] == 'valid' and r.startswith('error: invalid core module:'):
            # The core engine rejects a core module of a proposal it does not implement
            # (memory64, exception tags, GC types): not a component-level failure.
            bump('valid: unsupported by the core engine')
            print('CORE %s: %s' % (where, r[7:]))
            continue
        if (j['expect'] == 'valid') == ok:
            bump('%s: passed' % j['expect'])
            if args.messages and not ok:
                print('MSG %s\n    expected: %s\n    weld:     %s' % (where, j.get('message', ''), r[7:]))
        else:
            bump('%s: FAILED' % j['expect'])
            failures.append('%s: expected %s, got %s' % (where, j['expect'], r))
    for f in failures:
        print('FAIL ' + f)
    for path, why in skipped:
        if args.verbose:
            print('SKIP %s (%s)' % (os.path.relpath(path, SUITE), why))
    print('files: %d run, %d skipped (feature-gated)' % (len(files) - len(skipped), len(skipped)))
    for k in sorted(counts):
        print('  %-45s %d' % (k, counts[k]))
    passed = sum(v for k, v in counts.items() if k.endswith('passed'))
    failed = sum(v for k, v in counts.items() if k.endswith('FAILED'))
    unsup = sum(v for k, v in counts.items() if 'unsupported' in k)
    print('%d passed, %d failed, %d skipped' % (passed, failed, unsup))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
