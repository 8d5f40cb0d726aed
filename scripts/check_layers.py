#!/usr/bin/env python3
"""The layer rule, checked on the include graph.

    tools -> server -> engine -> storage -> schema -> core
                 \\-> formats (beside storage) --/
    capi: the public headers (include/blobgraph) only

Each source directory may include headers of the directories listed for it
below (and the public headers, include/blobgraph/, always). A quoted
#include of any other project directory is an edge the diagram does not
have: the script names the file, line and header, and exits 1.

    scripts/check_layers.py [--graph]   (--graph: print the layer edges seen)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What each directory may include besides itself and blobgraph/ (public).
ALLOWED = {
    "core": set(),
    "schema": {"core"},
    "storage": {"core"},
    "formats": {"schema", "core"},
    "engine": {"core"},
    "server": {"engine", "schema", "core"},
    "capi": set(),
    "tools": {"server", "engine", "formats", "storage", "schema", "core"},
    "examples": set(),
}
LAYERS = set(ALLOWED) | {"bench", "tests", "include"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]+"')


def edges():
    """Yields (directory, file, line number, included directory, header)."""
    for layer in sorted(ALLOWED):
        top = os.path.join(ROOT, layer)
        for folder, _, files in os.walk(top):
            for name in sorted(files):
                if not name.endswith((".h", ".cc", ".c")):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as source:
                    for number, line in enumerate(source, 1):
                        match = INCLUDE.match(line)
                        if match and match.group(1) in LAYERS | {"blobgraph"}:
                            header = line.split('"')[1]
                            yield layer, os.path.relpath(path, ROOT), number, match.group(1), header


def main():
    graph = {}
    violations = []
    for layer, path, number, included, header in edges():
        if included == layer or included == "blobgraph":
            continue
        graph.setdefault((layer, included), 0)
        graph[(layer, included)] += 1
        if included not in ALLOWED[layer]:
            violations.append(f"{path}:{number}: {layer}/ includes \"{header}\" "
                              f"({included}/ is not below {layer}/ in the layer rule)")
    if "--graph" in sys.argv:
        for (layer, included), count in sorted(graph.items()):
            print(f"{layer} -> {included} ({count} includes)")
    for violation in violations:
        print(violation, file=sys.stderr)
    if violations:
        print(f"check_layers: {len(violations)} includes break the layer rule", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
