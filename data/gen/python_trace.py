#!/usr/bin/env python3
"""Trace a Python program into a blobgraph sample folder (static.txt, names.tsv, *.bin.gz).

  python_trace.py PROGRAM.py --train ARG --test ARG --out DIR [--resolve any|same]

PROGRAM.py defines main(arg). Each run happens in a fresh interpreter (python3 -B -S,
PYTHONHASHSEED=0), with sys.setprofile installed BEFORE the program module is imported, so
its stdlib imports (import machinery, module bodies) are traced. One record per 'call'
event of a Python frame: caller = code of frame.f_back (zeros if there is none or it is the
harness), callee = the frame's code. Hash = sha256(marshal.dumps(code)).

static.txt is derived from code only: for every source file (or frozen module) one of whose
functions appears in either run, all its code objects; edges = nested code objects plus, for
every name in co_names, the functions of that name (a class body name also adds the class's
__init__), looked up in every traced file (--resolve any, default) or the caller's own file
(--resolve same). Code not in a source file (exec'd strings such as namedtuple/dataclass
methods) is named in names.tsv and declared in static.txt without edges.
"""
import sys, marshal

CO_OPTIMIZED = 0x1


def child(prog, arg, out, start):
    # Runs in the fresh interpreter. Keep imports minimal: only sys and marshal before tracing.
    import os.path as _p  # already imported at startup (frozen posixpath); not traced
    sys.path.insert(0, _p.dirname(_p.abspath(prog)))
    modname = _p.splitext(_p.basename(prog))[0]
    index = {}
    codes = []
    ev = []
    harness = set()

    def ix(c):
        i = index.get(id(c))
        if i is None:
            i = index[id(c)] = len(codes)
            codes.append(c)
        return i

    def prof(frame, event, a):
        if event != 'call':
            return
        b = frame.f_back
        if b is None or b.f_code in harness:
            ev.append(-1)
        else:
            ev.append(ix(b.f_code))
        ev.append(ix(frame.f_code))

    def run():
        if start == 'main':
            __import__(modname)
        sys.setprofile(prof)
        try:
            m = __import__(modname)
            m.main(arg)
        finally:
            sys.setprofile(None)
    harness.add(run.__code__)
    run()
    import _imp
    frozen = {}
    for c in codes:
        f = c.co_filename
        if f.startswith('<frozen ') and f not in frozen:
            name = f[8:-1]
            cands = [name, '_frozen_' + name.replace('._bootstrap', '').replace('importlib', 'importlib')]
            cands += ['_frozen_importlib' if name == 'importlib._bootstrap' else
                      '_frozen_importlib_external' if name == 'importlib._bootstrap_external' else name]
            for n in cands:
                try:
                    frozen[f] = marshal.dumps(_imp.get_frozen_object(n), 2)
                    break
                except Exception:
                    pass
    with open(out, 'wb') as fh:
        marshal.dump({'codes': [(c.co_filename, marshal.dumps(c, 2)) for c in codes],
                      'events': ev, 'frozen': frozen}, fh)


# ---------------------------------------------------------------- parent side
def run_child(prog, arg, tmp, start):
    import subprocess, os
    env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'PYTHONHASHSEED': '0',
           'LC_ALL': 'C.UTF-8', 'TZ': 'UTC'}
    subprocess.run([sys.executable, '-B', '-S', __file__, '--child', prog, arg, tmp, start],
                   check=True, env=env)
    with open(tmp, 'rb') as fh:
        return marshal.load(fh)


def walk(c, out, parent=None):
    out.append((c, parent))
    for k in c.co_consts:
        if isinstance(k, type(c)):
            walk(k, out, c)


def main():
    import argparse, hashlib, gzip, os, types, tempfile
    ap = argparse.ArgumentParser()
    ap.add_argument('program')
    ap.add_argument('--train', required=True)
    ap.add_argument('--test', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--resolve', choices=['any', 'same'], default='any')
    ap.add_argument('--start', choices=['imports', 'main'], default='imports',
                    help="imports: trace from before the program's imports (default); "
                         "main: import the program first, trace only main(arg)")
    a = ap.parse_args()
    prog = os.path.abspath(a.program)
    runs = {}
    with tempfile.TemporaryDirectory() as td:
        for which in ('train', 'test'):
            runs[which] = run_child(prog, getattr(a, which), os.path.join(td, which), a.start)

    keep = []          # keep code objects alive so hashes stay stable
    hcache = {}

    def H(c):
        h = hcache.get(id(c))
        if h is None:
            keep.append(c)
            h = hcache[id(c)] = hashlib.sha256(marshal.dumps(c)).digest()
        return h

    # files seen in either run
    files = {}
    frozen = {}
    for r in runs.values():
        frozen.update(r['frozen'])
        for f, _ in r['codes']:
            files.setdefault(f, None)
    allcodes = []      # (code, parent) of every traced source file
    byv2 = {}
    for f in sorted(files):
        top = None
        if f in frozen:
            top = marshal.loads(frozen[f])
        elif not f.startswith('<') and os.path.exists(f):
            with open(f, 'rb') as fh:
                src = fh.read()
            top = compile(src, f, 'exec', dont_inherit=True)
        if top is None:
            continue
        lst = []
        walk(top, lst)
        files[f] = lst
        allcodes += lst
        for c, _ in lst:
            byv2.setdefault(marshal.dumps(c, 2), c)

    # map each run's code table onto canonical code objects
    extra = []         # code not in a source file (or not found in it)
    def canon(r):
        out = []
        for f, v2 in r['codes']:
            c = byv2.get(v2)
            if c is None:
                c = marshal.loads(v2)
                byv2[v2] = c
                extra.append(c)
            out.append(c)
        return out
    Z = bytes(32)
    traces = {}
    for which, r in runs.items():
        tab = canon(r)
        hs = [H(c) for c in tab]
        ev = r['events']
        buf = bytearray()
        for i in range(0, len(ev), 2):
            buf += Z if ev[i] < 0 else hs[ev[i]]
            buf += hs[ev[i + 1]]
        traces[which] = bytes(buf)

    # static edges from code only
    byname = {}
    for c, p in allcodes:
        if c.co_name != '<module>':
            byname.setdefault(c.co_name, []).append(c)

    def is_class(c):
        return not (c.co_flags & CO_OPTIMIZED) and c.co_name != '<module>'

    def targets(c):
        t = [k for k in c.co_consts if isinstance(k, types.CodeType)]
        for n in c.co_names:
            for d in byname.get(n, ()):
                if a.resolve == 'same' and d.co_filename != c.co_filename:
                    continue
                t.append(d)
                if is_class(d):
                    t += [k for k in d.co_consts
                          if isinstance(k, types.CodeType) and k.co_name == '__init__']
        return t

    names = {}
    edges = set()
    decl = set()
    for c, p in allcodes:
        h = H(c)
        names.setdefault(h, '%s:%s' % (os.path.basename(c.co_filename), c.co_qualname))
        ts = targets(c)
        if not ts:
            decl.add(h)
        for d in ts:
            edges.add((h, H(d)))
    for c in extra:
        h = H(c)
        if h not in names:
            names[h] = '%s:%s' % (os.path.basename(c.co_filename), c.co_qualname)
            decl.add(h)
    callers = {e[0] for e in edges}
    os.makedirs(a.out, exist_ok=True)
    lines = sorted(['%s %s' % (x.hex(), y.hex()) for x, y in edges] +
                   [h.hex() for h in decl if h not in callers])
    with open(os.path.join(a.out, 'static.txt'), 'w') as fh:
        fh.write('\n'.join(lines) + '\n')
    with open(os.path.join(a.out, 'names.tsv'), 'w') as fh:
        for h in sorted(names):
            fh.write('%s\t%s\n' % (h.hex(), names[h]))
    for which, b in traces.items():
        with open(os.path.join(a.out, which + '.bin.gz'), 'wb') as raw:
            with gzip.GzipFile(fileobj=raw, mode='wb', mtime=0, filename='') as gz:
                gz.write(b)
    print('%s: %d functions (%d not in a source file), %d static edges, train %d, test %d events'
          % (a.out, len(names), len(set(map(H, extra))), len(edges),
             len(traces['train']) // 64, len(traces['test']) // 64), file=sys.stderr)


if __name__ == '__main__':
    if len(sys.argv) == 6 and sys.argv[1] == '--child':
        child(*sys.argv[2:])
    else:
        main()
