#!/usr/bin/env python3
"""Scores `blobgraph replay --decisions` output against the trace it replayed,
independently of blobgraph's own code (README, "Replay").

usage: scripts/rescore.py DECISIONS TRACE [--min-lead N]

DECISIONS: `EVENT_INDEX HASH` lines (-1: the start set). TRACE: a binary
trace (64-byte records, caller then callee; gzip is fine). Prints one JSON
line: cold loads, covered (prefetched at least --min-lead events before the
first use), coverage, prefetched, wasted (never used), waste, and coverage
at lead >= 1, 10 and 100."""
import gzip
import json
import sys


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    min_lead = int(argv[argv.index('--min-lead') + 1]) if '--min-lead' in argv else 1
    prefetched = {}
    with open(argv[1]) as decisions:
        for number, line in enumerate(decisions, 1):
            event, digest = line.split()
            prefetched.setdefault(bytes.fromhex(digest), int(event))
    with open(argv[2], 'rb') as raw:
        data = raw.read()
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    if len(data) % 64:
        sys.exit(f'{argv[2]}: {len(data)} bytes is not a whole number of 64-byte records')
    seen, leads, cold = set(), [], 0
    for index in range(len(data) // 64):
        callee = data[index * 64 + 32:index * 64 + 64]
        if callee in seen:
            continue
        seen.add(callee)
        cold += 1
        if callee in prefetched:
            leads.append(index - prefetched[callee])
    covered = sum(1 for lead in leads if lead >= min_lead)
    wasted = sum(1 for digest in prefetched if digest not in seen)
    share = lambda n: n / cold if cold else 0.0
    print(json.dumps({
        'cold_loads': cold, 'covered': covered, 'coverage': round(share(covered), 6),
        'prefetched': len(prefetched), 'wasted': wasted,
        'waste': round(wasted / len(prefetched), 6) if prefetched else 0.0,
        'coverage_at_lead': {str(n): round(share(sum(1 for l in leads if l >= n)), 6)
                             for n in (1, 10, 100)}}))


if __name__ == '__main__':
    main(sys.argv)
