#!/usr/bin/env python3
"""dev_exec.py — run the component execution tests (shared/testsuite/component-exec) through
weld's component runtime, before weld can parse component text itself (developer tool; not
part of `make check`: it needs node and jco).

Each .wast is split into its top-level forms (dev_corpus.py's reader); every component is
converted to binary with jco (one node process), and the script is handed to
`test_crt --script FILE` as simple lines:

  component PATH [NAME]          compile and instantiate (the current instance; NAME too)
  definition PATH NAME           compile only
  instance NAME DEF              instantiate a definition (the current instance)
  return LINE FUNC ARGS -> RES   invoke FUNC on the current instance, expect RES
  trap LINE FUNC ARGS            invoke, expect a trap
  unlinkable LINE PATH           instantiation must fail (error or trap)
  trapinst LINE PATH             instantiation must trap
  invalid LINE PATH              compilation must fail

Values are tokens: u32:5 s8:-1 bool:1 char:97 f32:BITS f64:BITS str:HEX enum:HEX
variant:HEX:1 (then the payload) variant:HEX:0, tuple:N / list:N / record:N (then N values),
option:0 / option:1 (then the payload), result:ok:1 / result:err:0 ...  A function name is
hex.  The host is shared/testsuite/HOST.md's (test_crt.c host_linker).

usage: tests/component/dev_exec.py [--driver PATH] [-v] [FILE.wast ...]
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dev_corpus as dc  # noqa: E402

ROOT = dc.ROOT
SUITE = os.path.join(ROOT, '..', 'shared', 'testsuite', 'component-exec', 'component-model')


def hexs(b):
    return b.hex() if b else '-'


class Unsupported(Exception):
    pass


def value(node):
    """A value form -> list of tokens."""
    h = dc.head(node)
    args = node[2:]
    if h is None:
        raise Unsupported('bad value')
    kind = h.split('.')[0]
    if kind in ('u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64'):
        t = args[0][1].replace('_', '')
        v = int(t, 0)
        return ['%s:%d' % (kind, v)]
    if kind == 'bool':
        return ['bool:%d' % (args[0][1] == 'true')]
    if kind == 'char':
        s = dc.unescape(args[0][1]).decode('utf-8')
        return ['char:%d' % ord(s)]
    if kind in ('f32', 'f64'):
        raise Unsupported('float values')
    if kind == 'str':
        return ['str:' + hexs(dc.unescape(args[0][1]))]
    if kind == 'enum':
        return ['enum:' + hexs(dc.unescape(args[0][1]))]
    if kind == 'variant':
        name = dc.unescape(args[0][1])
        rest = [a for a in args[1:] if isinstance(a, list)]
        out = ['variant:%s:%d' % (hexs(name), len(rest))]
        for r in rest:
            out += value(r)
        return out
    if kind in ('tuple', 'list', 'record'):
        rest = [a for a in args if isinstance(a, list)]
        out = ['%s:%d' % (kind, len(rest))]
        for r in rest:
            out += value(r)
        return out
    raise Unsupported('value %s' % h)


def invoke_parts(node):
    if dc.head(node) != 'invoke':
        raise Unsupported('action %s' % dc.head(node))
    items = node[2:]
    if items and items[0][0] == 'atom' and items[0][1].startswith('$'):
        raise Unsupported('invoke on a named instance')
    name = dc.unescape(items[0][1])
    args = []
    for a in items[1:]:
        if isinstance(a, list):
            args += value(a)
    return hexs(name), args


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--driver')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--all', action='store_true', help='also run feature-gated files')
    ap.add_argument('files', nargs='*')
    args = ap.parse_args()
    files = args.files or sorted(os.path.join(SUITE, f) for f in os.listdir(SUITE) if f.endswith('.wast'))
    driver = args.driver or os.path.join(os.environ.get('BUILD', os.path.join(ROOT, 'build-crt')), 'tests', 'test_crt')
    total_p = total_f = total_s = 0
    os.environ['WAST_STRICT_COMPONENT_INDICES'] = '0'  # accept the legacy `(memory $i "n")` forms
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            src = open(path, encoding='utf-8').read()
            feats = [l for l in src.splitlines() if l.startswith(';;!')]
            gated = [l for l in feats if 'true' in l and not any(k in l for k in ('bulk_memory', 'reference_types'))]
            if gated and not args.all:
                print('SKIP %s (%s)' % (os.path.basename(path), '; '.join(x[3:].strip() for x in gated)))
                total_s += 1
                continue
            forms = dc.parse(src)
            texts, cmds, skipped = [], [], 0

            def comp(node):
                kind, data = dc.component_job(node, src)
                if kind == 'binary':
                    p = os.path.join(tmp, 'b%d.wasm' % len(texts + cmds))
                    open(p, 'wb').write(data)
                    texts.append(None)
                    return ('file', p)
                texts.append(data)
                return ('text', len(texts) - 1)

            for node in forms:
                h = dc.head(node)
                line = src.count('\n', 0, node[0][0]) + 1
                try:
                    if h == 'component':
                        items = node[2:]
                        name = next((x[1] for x in items[:2] if isinstance(x, tuple) and x[1].startswith('$')), None)
                        if items and isinstance(items[0], tuple) and items[0][1] == 'instance':
                            cmds.append(('instance %s %s' % (items[1][1], items[2][1]), None))
                            continue
                        is_def = any(isinstance(x, tuple) and x[1] == 'definition' for x in items[:2])
                        c = comp(node)
                        if is_def:
                            cmds.append(('definition {} %s' % (name or '$anon%d' % line), c))
                        else:
                            cmds.append(('component {} %s' % (name or '-'), c))
                    elif h in ('assert_return', 'assert_trap'):
                        inner = next(x for x in node[2:] if isinstance(x, list))
                        if dc.head(inner) == 'component':
                            c = comp(inner)
                            cmds.append(('trapinst %d {}' % line, c))
                            continue
                        fn, a = invoke_parts(inner)
                        if h == 'assert_trap':
                            cmds.append(('trap %d %s %s' % (line, fn, ' '.join(a)), None))
                        else:
                            res = []
                            for r in [x for x in node[2:] if isinstance(x, list)][1:]:
                                res += value(r)
                            cmds.append(('return %d %s %s -> %s' % (line, fn, ' '.join(a), ' '.join(res)), None))
                    elif h == 'assert_unlinkable':
                        inner = next(x for x in node[2:] if isinstance(x, list))
                        cmds.append(('unlinkable %d {}' % line, comp(inner)))
                    elif h in ('assert_invalid', 'assert_malformed'):
                        inner = next((x for x in node[2:] if isinstance(x, list) and dc.head(x) == 'component'), None)
                        if inner is None:
                            raise Unsupported(h)
                        cmds.append(('invalid %d {}' % line, comp(inner)))
                    else:
                        raise Unsupported(h or '?')
                except (Unsupported, StopIteration, IndexError, ValueError) as e:
                    skipped += 1
                    if args.verbose:
                        print('  skip %s:%d (%s)' % (os.path.basename(path), line, e))
            todo = [t for t in texts if t is not None]
            conv = iter(dc.convert(todo, tmp)) if todo else iter(())
            paths = []
            for i, t in enumerate(texts):
                if t is None:
                    paths.append(None)
                    continue
                r = next(conv)
                if 'err' in r:
                    paths.append(('err', r['err']))
                    continue
                p = os.path.join(tmp, 't%d.wasm' % i)
                open(p, 'wb').write(__import__('base64').b64decode(r['ok']))
                paths.append(p)
            lines = []
            for cmd, c in cmds:
                if c is None:
                    lines.append(cmd)
                    continue
                kind, v = c
                p = v if kind == 'file' else paths[v]
                if isinstance(p, tuple):
                    if cmd.startswith('invalid'):
                        continue  # jco rejects the text: nothing for weld to check
                    lines.append('jcoerror ' + cmd.split()[0] + ' ' + p[1].replace('\n', ' ')[:200])
                    continue
                lines.append(cmd.format(p))
            script = os.path.join(tmp, 'script.txt')
            open(script, 'w').write('\n'.join(lines) + '\n')
            out = subprocess.run([driver, '--script', script], capture_output=True, text=True)
            last = (out.stdout.strip().splitlines() or ['?'])[-1]
            bad = [l for l in out.stdout.splitlines() if l.startswith('FAIL') or l.startswith('ERROR')]
            print('%-55s %s (+%d forms not convertible)' % (os.path.basename(path), last, skipped))
            for b in bad:
                print('   ' + b)
            if out.returncode not in (0, 1):
                print('   driver crashed (exit %d): %s' % (out.returncode, out.stderr[-500:]))
                total_f += 1
            parts = last.split(',')
            try:
                total_p += int(parts[0].split()[0])
                total_f += int(parts[1].split()[0])
                if len(parts) > 2:
                    total_s += int(parts[2].split()[0])
            except (ValueError, IndexError):
                total_f += 1
            total_s += skipped
    print('%d passed, %d failed, %d skipped' % (total_p, total_f, total_s))
    return 1 if total_f else 0


if __name__ == '__main__':
    sys.exit(main())
