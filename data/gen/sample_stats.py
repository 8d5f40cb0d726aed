#!/usr/bin/env python3
"""Print statistics of blobgraph sample folders: sample_stats.py DIR [DIR ...]"""
import gzip, sys, os, collections

Z = bytes(32).hex()


def trace(p):
    b = gzip.open(p).read()
    assert len(b) % 64 == 0, p
    return [(b[i:i + 32].hex(), b[i + 32:i + 64].hex()) for i in range(0, len(b), 64)]


def stats(d):
    names = dict(l.rstrip('\n').split('\t') for l in open(os.path.join(d, 'names.tsv')))
    edges, funcs = set(), set()
    for l in open(os.path.join(d, 'static.txt')):
        p = l.split()
        funcs.update(p)
        if len(p) == 2:
            edges.add(tuple(p))
    callers = {e[0] for e in edges}
    tr, te = trace(os.path.join(d, 'train.bin.gz')), trace(os.path.join(d, 'test.bin.gz'))
    trd = {e for e in tr if e[0] != Z}
    ted = collections.Counter(e for e in te if e[0] != Z)
    n = sum(ted.values())
    trf = {c for e in tr for c in e}
    tef = {e[1] for e in te}
    unnamed = {c for e in tr + te for c in e if c != Z and c not in names}
    return dict(
        folder=os.path.basename(os.path.normpath(d)), functions=len(funcs), static_edges=len(edges),
        fanout=len(edges) / max(1, len(callers)), train_events=len(tr), test_events=len(te),
        train_distinct=len(trd), test_distinct=len(ted),
        listed_calls=sum(v for e, v in ted.items() if e in edges) / max(1, n),
        listed_edges=sum(1 for e in ted if e in edges) / max(1, len(ted)),
        ratio=len(edges) / max(1, len(trd | set(ted))),
        test_fn_in_train=len(tef & trf) / max(1, len(tef)),
        unnamed=len(unnamed))


cols = [('folder', '%-16s'), ('functions', '%6d'), ('static_edges', '%7d'), ('fanout', '%6.1f'),
        ('train_events', '%8d'), ('test_events', '%8d'), ('train_distinct', '%6d'),
        ('test_distinct', '%6d'), ('listed_calls', '%6.2f'), ('listed_edges', '%6.2f'),
        ('ratio', '%6.1f'), ('test_fn_in_train', '%6.2f'), ('unnamed', '%4d')]
hdr = ['folder', 'funcs', 'static', 'fanout', 'train_ev', 'test_ev', 'tr_dist', 'te_dist',
       'listed(calls)', 'listed(edges)', 'static/observed', 'test fns in train', 'unnamed']
print('| ' + ' | '.join(hdr) + ' |')
print('|' + '---|' * len(hdr))
for d in sys.argv[1:]:
    s = stats(d)
    print('| ' + ' | '.join((f % s[k]).strip() for k, f in cols) + ' |')
