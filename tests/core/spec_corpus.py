#!/usr/bin/env python3
"""spec_corpus.py — developer check of the core decoder against the spec test suite
(not part of `make check`; the conformance check proper is `weld wast`).

  tests/core/spec_corpus.py WELD [WAST...]

Converts each .wast (default: ../shared/testsuite/core/*.wast) with wabt's wast2json and
runs `WELD validate` on the modules it wrote:
  - every module of a `module` command must be accepted;
  - every binary module of an `assert_malformed` must be rejected;
  - `assert_invalid` modules are counted separately (listed with -v when accepted): with
    the full validator all should be rejected except the "multiple memories" cases, which
    weld accepts on purpose (multi-memory); a decode-only build rejects just those whose
    fault lies outside function bodies.
Prints one line per failure and `N passed, N failed` at the end."""
import json, os, subprocess, sys, tempfile, glob

def main():
    args = sys.argv[1:]
    verbose = '-v' in args
    args = [a for a in args if a != '-v']
    weld = args[0]
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'testsuite', 'core')
    wasts = args[1:] or sorted(glob.glob(os.path.join(root, '*.wast')))
    passed = failed = inv_rej = inv_acc = 0
    with tempfile.TemporaryDirectory() as tmp:
        for w in wasts:
            base = os.path.splitext(os.path.basename(w))[0]
            out = os.path.join(tmp, base + '.json')
            r = subprocess.run(['wast2json', w, '-o', out], capture_output=True, text=True)
            if r.returncode != 0:  # a few scripts need wabt's multi-memory parser
                r = subprocess.run(['wast2json', '--enable-multi-memory', w, '-o', out], capture_output=True, text=True)
            if r.returncode != 0:
                print(f'{base}: wast2json failed: {r.stderr.strip()[:200]}')
                continue
            cmds = json.load(open(out))['commands']
            checks = []
            for c in cmds:
                t = c['type']
                fn = c.get('filename')
                if not fn or not fn.endswith('.wasm'):
                    continue
                if t == 'module':
                    checks.append((fn, 'ok', c['line']))
                elif t == 'assert_malformed' and c.get('module_type') == 'binary':
                    checks.append((fn, 'error', c['line']))
                elif t == 'assert_invalid' and c.get('module_type') == 'binary':
                    checks.append((fn, 'invalid', f"{c['line']} ({c.get('text')})"))
            if not checks:
                continue
            files = [os.path.join(tmp, fn) for fn, _, _ in checks]
            r = subprocess.run([weld, 'validate'] + files, capture_output=True, text=True)
            res = {}
            for line in r.stdout.splitlines():
                path, _, rest = line.partition(': ')
                res[os.path.basename(path)] = rest
            for fn, want, line in checks:
                got = res.get(fn, 'missing')
                ok = got == 'ok'
                if want == 'invalid':
                    if ok:
                        inv_acc += 1
                        if verbose: print(f'{base}.wast:{line}: invalid module accepted')
                    else:
                        inv_rej += 1
                    continue
                if (want == 'ok') == ok:
                    passed += 1
                else:
                    failed += 1
                    print(f'{base}.wast:{line}: expected {want}, got {got}')
    print(f'assert_invalid: {inv_rej} rejected, {inv_acc} accepted')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0

sys.exit(main())
