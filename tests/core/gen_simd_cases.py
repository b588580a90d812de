#!/usr/bin/env python3
"""gen_simd_cases.py — builds tests/core/simd_cases.inc, the table-driven cases of
tests/core/test_simd.c, from the SIMD spec scripts (../shared/testsuite/core/simd_*.wast).

Usage (from the project root):
    python3 tests/core/gen_simd_cases.py [TESTSUITE_CORE_DIR] > tests/core/simd_cases.inc

What it extracts: exported functions whose body is one expression tree made only of SIMD
instructions of src/core/opcodes.def (prefix 0xfd, no memory access), `local.get` and
constants; and the `assert_return (invoke ...)` commands calling them.  The C test rebuilds
each call from the tree, runs it through the simd_* functions and compares the result the
way the spec interpreter does (bit-exact, or any canonical / arithmetic NaN per lane).
Duplicate cases are merged and each function keeps at most CAP cases, so the output stays
small; the full scripts still run through `weld wast`.

Literals are converted here with exact rational arithmetic (round to nearest, ties to even),
independently of the C code under test.
"""
import os
import re
import sys
from fractions import Fraction

CAP = int(os.environ.get("SIMD_CASES_CAP", "40"))  # cases kept per exported function
MAXARGS = 4  # parameters of a function (simd_case_t.args)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --------------------------------------------------------------------------- opcodes.def
def load_ops():
    ops = {}
    with open(os.path.join(ROOT, "src/core/opcodes.def")) as f:
        for line in f:
            m = re.match(r'OP\((\w+), "([^"]+)", 0xfd, (\d+), (\w+), "([^"]*)", (\d+)\)', line)
            if m:
                ident, name, code, imm, sig, align = m.groups()
                ops[name] = dict(ident=ident, imm=imm, sig=sig)
    return ops


# --------------------------------------------------------------------------- s-expressions
TOKEN = re.compile(r'\(;|;;[^\n]*|\(|\)|"(?:[^"\\]|\\.)*"|[^\s()";]+|\s+')


def tokenize(text):
    i, n, out = 0, len(text), []
    line, counted = 1, 0
    while i < n:
        if text.startswith("(;", i):
            depth, i = 1, i + 2
            while depth and i < n:
                if text.startswith("(;", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith(";)", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            continue
        m = TOKEN.match(text, i)
        if not m:
            raise SystemExit("cannot tokenize at %d" % i)
        tok = m.group(0)
        i = m.end()
        if tok.isspace() or tok.startswith(";;"):
            continue
        line += text.count("\n", counted, m.start())
        counted = m.start()
        out.append((tok, line))
    return out


def parse(tokens):
    """Returns a list of top-level forms; a form is a list [line, item...]."""
    stack, top = [], []
    for tok, line in tokens:
        if tok == "(":
            stack.append([line])
        elif tok == ")":
            form = stack.pop()
            (stack[-1] if stack else top).append(form)
        else:
            (stack[-1] if stack else top).append(tok)
    return top


def head(form):
    return form[1] if isinstance(form, list) and len(form) > 1 and isinstance(form[1], str) else None


# --------------------------------------------------------------------------- literals
def parse_int(s, bits):
    s = s.replace("_", "")
    neg = s.startswith("-")
    if s[0] in "+-":
        s = s[1:]
    v = int(s, 16) if s.lower().startswith("0x") else int(s, 10)
    if neg:
        v = -v
    return v & ((1 << bits) - 1)


FMT = {32: (8, 23), 64: (11, 52)}


def round_float(q, bits):
    """Nonnegative Fraction q -> IEEE bits (without sign), round to nearest even."""
    ebits, mbits = FMT[bits]
    bias = (1 << (ebits - 1)) - 1
    emin, emax = 1 - bias, bias
    if q == 0:
        return 0
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** e > q:
        e -= 1
    while Fraction(2) ** (e + 1) <= q:
        e += 1
    if e < emin:
        e = emin  # subnormal: fixed scale
    scaled = q / (Fraction(2) ** (e - mbits))
    m = scaled.numerator // scaled.denominator
    rem = scaled - m
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and m % 2 == 1):
        m += 1
    if m == 1 << (mbits + 1):
        m >>= 1
        e += 1
    if m < (1 << mbits):  # subnormal (or zero)
        return m
    if e > emax:
        return ((1 << ebits) - 1) << mbits  # infinity
    return ((e + bias) << mbits) | (m - (1 << mbits))


def parse_float(s, bits):
    """Returns (bits, nan_kind) with nan_kind 0 exact, 1 canonical, 2 arithmetic."""
    ebits, mbits = FMT[bits]
    s = s.replace("_", "")
    sign = 0
    if s[0] in "+-":
        sign = 1 if s[0] == "-" else 0
        s = s[1:]
    top = 1 << (bits - 1)
    expmask = ((1 << ebits) - 1) << mbits
    if s == "inf":
        return (sign * top) | expmask, 0
    if s.startswith("nan"):
        if s == "nan:canonical":
            return expmask | (1 << (mbits - 1)), 1
        if s == "nan:arithmetic":
            return expmask | (1 << (mbits - 1)), 2
        payload = 1 << (mbits - 1) if s == "nan" else int(s[4:], 16)
        return (sign * top) | expmask | payload, 0
    if s.lower().startswith("0x"):
        body = s[2:]
        m = re.match(r"([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$", body)
        ip, fp, ex = m.group(1) or "", m.group(2) or "", int(m.group(3) or 0)
        q = Fraction(int(ip + fp or "0", 16), 16 ** len(fp)) * Fraction(2) ** ex
    else:
        q = Fraction(s)
    return (sign * top) | round_float(q, bits), 0


LANES = {"i8x16": (16, 8), "i16x8": (8, 16), "i32x4": (4, 32), "i64x2": (2, 64),
         "f32x4": (4, 32), "f64x2": (2, 64)}


def v128_const(items):
    """items: [shape, lane...] -> (16 bytes, shape, nan flags per lane)."""
    shape, lanes = items[0], items[1:]
    n, w = LANES[shape]
    if len(lanes) != n:
        raise ValueError("lane count")
    data, nan = b"", []
    for lit in lanes:
        if shape[0] == "f":
            v, k = parse_float(lit, w)
        else:
            v, k = parse_int(lit, w), 0
        data += v.to_bytes(w // 8, "little")
        nan.append(k)
    return data, shape, nan


def const_value(form):
    """(i32.const x) & co -> value tuple (kind, 16 bytes, shape, nan flags) or None."""
    h = head(form)
    if h == "v128.const":
        data, shape, nan = v128_const(form[2:])
        return ("V", data, shape, nan)
    if h in ("i32.const", "i64.const"):
        w = 32 if h[1:3] == "32" else 64
        return ("I" if w == 32 else "L", parse_int(form[2], w).to_bytes(w // 8, "little").ljust(16, b"\0"), h[:3], [0])
    if h in ("f32.const", "f64.const"):
        w = 32 if h[1:3] == "32" else 64
        v, k = parse_float(form[2], w)
        return ("F" if w == 32 else "D", v.to_bytes(w // 8, "little").ljust(16, b"\0"), h[:3], [k])
    return None


# --------------------------------------------------------------------------- functions
class Unsupported(Exception):
    pass


def compile_expr(form, params, ops, nodes):
    """Appends the tree's nodes (children first) and returns the root node index."""
    if not isinstance(form, list):
        raise Unsupported()
    h = head(form)
    if h == "local.get":
        ref = form[2]
        idx = params.index(ref) if ref in params else int(ref)
        nodes.append(("arg", idx))
        return len(nodes) - 1
    c = const_value(form)
    if c is not None:
        nodes.append(("const", c))
        return len(nodes) - 1
    if h not in ops:
        raise Unsupported()
    op = ops[h]
    if op["imm"] not in ("IMM_NONE", "IMM_LANE", "IMM_SHUFFLE"):
        raise Unsupported()
    rest = form[2:]
    imm = []
    if op["imm"] == "IMM_LANE":
        imm = [int(rest[0])]
        rest = rest[1:]
    elif op["imm"] == "IMM_SHUFFLE":
        imm = [int(x) for x in rest[:16]]
        rest = rest[16:]
    nparams = len(op["sig"].split(":")[0])
    if len(rest) != nparams:
        raise Unsupported()
    kids = [compile_expr(k, params, ops, nodes) for k in rest]
    nodes.append(("op", op["ident"], imm, kids))
    return len(nodes) - 1


def compile_func(form, ops):
    """(func (export "n") (param ..) (result ..) body) -> (export names, nodes, root)."""
    names, params, body = [], [], []
    for item in form[2:]:
        h = head(item)
        if h == "export":
            names.append(item[2].strip('"'))
        elif h == "param":
            ps = item[2:]
            if ps and ps[0].startswith("$"):
                params.append(ps[0])
            else:
                params.extend([None] * len(ps))
        elif h in ("result", "type"):
            pass
        elif h == "local":
            raise Unsupported()
        elif isinstance(item, str) and item.startswith("$"):
            pass
        else:
            body.append(item)
    if not names or len(body) != 1:
        raise Unsupported()
    nodes = []
    root = compile_expr(body[0], params, ops, nodes)
    if nodes[root][0] != "op":
        raise Unsupported()
    return names, nodes, root


# --------------------------------------------------------------------------- driver
def main():
    core = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "../shared/testsuite/core")
    ops = load_ops()
    files = sorted(f for f in os.listdir(core) if f.startswith("simd_") and f.endswith(".wast"))
    funcs = []           # (file index, line, nodes, root)
    cases = []           # (func index, line, args, expected)
    per_func = {}
    seen = set()
    for fi, fname in enumerate(files):
        forms = parse(tokenize(open(os.path.join(core, fname)).read()))
        exports = {}
        for form in forms:
            h = head(form)
            if h == "module":
                if len(form) > 2 and form[2] in ("quote", "binary"):
                    continue
                exports = {}
                for item in form[2:]:
                    if head(item) == "func":
                        try:
                            names, nodes, root = compile_func(item, ops)
                        except (Unsupported, ValueError, IndexError):
                            continue
                        funcs.append((fi, item[0], nodes, root))
                        for n in names:
                            exports[n] = len(funcs) - 1
            elif h == "assert_return":
                inv = form[2]
                if head(inv) != "invoke" or len(form) != 4:
                    continue
                items = inv[2:]
                if items and items[0].startswith("$"):
                    continue
                name = items[0].strip('"')
                if name not in exports:
                    continue
                try:
                    args = [const_value(a) for a in items[1:]]
                    exp = const_value(form[3])
                except (ValueError, IndexError):
                    continue
                if exp is None or any(a is None for a in args) or len(args) > MAXARGS:
                    continue
                f = exports[name]
                key = (f, tuple((a[0], a[1]) for a in args), exp[1], tuple(exp[3]))
                if key in seen or per_func.get(f, 0) >= CAP:
                    continue
                seen.add(key)
                per_func[f] = per_func.get(f, 0) + 1
                cases.append((f, form[0], args, exp))
    emit(files, funcs, cases, ops)


SCALAR = {"i": "i32", "I": "i64", "f": "f32", "F": "f64"}
KIND = {"i": "'I'", "I": "'L'", "f": "'F'", "F": "'D'", "v": "'V'"}


def emit_apply(ops):
    """simd_apply(): one call per register-only SIMD instruction, shaped by its sig."""
    out = ["/* Calls the simd_* function of instruction op on in[] (immediates in imm). */",
           "static int simd_apply(int op, const uint8_t imm[16], const simd_val_t *in, simd_val_t *out) {",
           "  switch (op) {"]
    for name, op in ops.items():
        ident, imm, sig = op["ident"], op["imm"], op["sig"]
        if imm not in ("IMM_NONE", "IMM_LANE", "IMM_SHUFFLE"):
            continue
        params, result = sig.split(":")
        args = []
        for k, p in enumerate(params):
            args.append("in[%d].%s" % (k, "v" if p == "v" else SCALAR[p]))
        if imm == "IMM_LANE":
            args.append("imm[0]")
        elif imm == "IMM_SHUFFLE":
            args.append("imm")
        field = "v" if result == "v" else SCALAR[result]
        out.append("  case OPX_%s: out->%s = simd_%s(%s); out->kind = %s; return 1;"
                   % (ident, field, ident, ", ".join(args), KIND[result]))
    out += ["  default: return 0;", "  }", "}"]
    return out


def emit(files, funcs, cases, ops):
    used = sorted({f for f, _, _, _ in cases})
    remap = {f: i for i, f in enumerate(used)}
    pool, pool_index = [], {}

    def val(v):
        kind, data, shape, nan = v
        key = (kind, data, shape, tuple(nan))
        if key not in pool_index:
            pool_index[key] = len(pool)
            pool.append(key)
        return pool_index[key]

    out = []
    out.append("/* simd_cases.inc — GENERATED by tests/core/gen_simd_cases.py from the SIMD spec")
    out.append(" * scripts (WebAssembly/testsuite simd_*.wast); do not edit.  %d functions, %d cases. */"
               % (len(used), len(cases)))
    out.extend(emit_apply(ops))
    out.append("static const char *const simd_files[] = {")
    out.extend('  "%s",' % f for f in files)
    out.append("};")
    # nodes
    nodes_out, funcs_out = [], []
    for f in used:
        fi, line, nodes, root = funcs[f]
        base = len(nodes_out)
        for n in nodes:
            if n[0] == "arg":
                nodes_out.append("  {N_ARG, 0, %d, {0}, {0}}," % n[1])
            elif n[0] == "const":
                nodes_out.append("  {N_CONST, 0, %d, {0}, {0}}," % val(n[1]))
            else:
                _, ident, imm, kids = n
                kids = [base + k for k in kids] + [0] * (3 - len(kids))
                immv = imm + [0] * (16 - len(imm))
                nodes_out.append("  {N_OP, OPX_%s, %d, {%s}, {%s}}," % (
                    ident, len(n[3]), ", ".join(map(str, kids)), ", ".join(map(str, immv))))
        funcs_out.append("  {%d, %d, %d}," % (fi, line, base + root))
    out.append("static const simd_node_t simd_nodes[] = {")
    out.extend(nodes_out)
    out.append("};")
    out.append("static const simd_func_t simd_funcs[] = {")
    out.extend(funcs_out)
    out.append("};")
    cases_out = []
    for f, line, args, exp in cases:
        a = [val(x) for x in args] + [-1] * (MAXARGS - len(args))
        cases_out.append("  {%d, %d, {%s}, %d}," % (remap[f], line, ", ".join(map(str, a)), val(exp)))
    out.append("static const simd_value_t simd_values[] = {")
    for kind, data, shape, nan in pool:
        flags = sum(k << (2 * i) for i, k in enumerate(nan))
        out.append("  {'%s', SH_%s, 0x%x, {%s}}," % (kind, shape.upper(), flags,
                                                     ",".join("0x%02x" % b for b in data)))
    out.append("};")
    out.append("static const simd_case_t simd_cases[] = {")
    out.extend(cases_out)
    out.append("};")
    print("\n".join(out))


if __name__ == "__main__":
    main()
