#!/usr/bin/env python3
"""The import picture of the kyso library: which top module names which (`crate::X` paths in
code, test code and comments left out). Writes docs/architecture.md; `--print` only prints.
Re-run after moving code:  python3 scripts/import-graph.py"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "crates", "kyso", "src")
MARKER = "<!-- written by hand below; kept by scripts/import-graph.py -->"
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip_comments_and_strings(text):
    """Code only: comments dropped, string and char literals emptied."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            out.append('""')
            i = n if j < 0 else j + len(end)
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            out.append('""')
            i += 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'", text[i:i + 12]):
            m = re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'", text[i:])
            out.append("' '")
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_test_items(code):
    """Drops every item under #[cfg(test)]; returns the code and the names of test-only
    `mod x;` declarations (their files are test code too)."""
    test_mods = []
    while True:
        k = code.find("#[cfg(test)]")
        if k < 0:
            return code, test_mods
        i = k + len("#[cfg(test)]")
        depth = 0
        while i < len(code):
            ch = code[i]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            elif ch == ";" and depth == 0:
                m = re.search(r"\bmod\s+([A-Za-z_][A-Za-z0-9_]*)\s*$", code[k:i])
                if m:
                    test_mods.append(m.group(1))
                i += 1
                break
            i += 1
        code = code[:k] + code[i:]


def crate_paths(code):
    """Top-level modules named by `crate::x` or `crate::{x, y::z}`."""
    found = set()
    for m in re.finditer(r"(?<![A-Za-z0-9_])crate\s*::\s*", code):
        i = m.end()
        if code.startswith("{", i):
            depth, j, start = 1, i + 1, i + 1
            parts = []
            while j < len(code) and depth:
                if code[j] == "{":
                    depth += 1
                elif code[j] == "}":
                    depth -= 1
                    if depth == 0:
                        parts.append(code[start:j])
                elif code[j] == "," and depth == 1:
                    parts.append(code[start:j])
                    start = j + 1
                j += 1
            for p in parts:
                t = IDENT.match(p.strip())
                if t:
                    found.add(t.group(0))
        else:
            t = IDENT.match(code, i)
            if t:
                found.add(t.group(0))
    return found


def module_files():
    """(top module, path) of every non-test source file."""
    skip = set()
    files = []
    for dirpath, _, names in os.walk(SRC):
        for name in sorted(names):
            if name.endswith(".rs"):
                files.append(os.path.join(dirpath, name))
    parsed = {}
    for f in files:
        code = strip_comments_and_strings(open(f, encoding="utf-8").read())
        code, test_mods = strip_test_items(code)
        parsed[f] = code
        d = os.path.dirname(f) if os.path.basename(f) in ("mod.rs", "lib.rs") else os.path.splitext(f)[0]
        for t in test_mods:
            skip.add(os.path.join(d, t + ".rs"))
            skip.add(os.path.join(d, t, "mod.rs"))
    out = []
    for f in files:
        if f in skip or any(f.startswith(os.path.splitext(s)[0] + os.sep) for s in skip if s.endswith(".rs") and not s.endswith("mod.rs")):
            continue
        rel = os.path.relpath(f, SRC)
        if rel == "lib.rs":
            continue
        top = rel.split(os.sep)[0]
        top = top[:-3] if top.endswith(".rs") else top
        out.append((top, rel, parsed[f]))
    return out


def graph():
    """{top module: set of top modules it imports}; names re-exported by lib.rs
    (`crate::Error`) count as their module."""
    files = module_files()
    tops = {top for top, _, _ in files}
    lib = strip_comments_and_strings(open(os.path.join(SRC, "lib.rs"), encoding="utf-8").read())
    alias = {}
    for m in re.finditer(r"pub\s+use\s+([A-Za-z_][A-Za-z0-9_]*)::\{([^}]*)\}", lib):
        for name in m.group(2).split(","):
            alias[name.strip()] = m.group(1)
    for m in re.finditer(r"pub\s+use\s+([A-Za-z_][A-Za-z0-9_]*)::(?:[A-Za-z0-9_]+::)*([A-Za-z_][A-Za-z0-9_]*)\s*;", lib):
        alias[m.group(2)] = m.group(1)
    g = {}
    for top, _, code in files:
        deps = g.setdefault(top, set())
        for x in crate_paths(code):
            x = alias.get(x, x)
            if x in tops and x != top:
                deps.add(x)
    return g


def components(g):
    """Strongly connected components (Tarjan), each a sorted tuple."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(tuple(sorted(comp)))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def render(g):
    lines = [
        "# Architecture: the import picture",
        "",
        "Generated by `python3 scripts/import-graph.py` from `crates/kyso/src` (the `crate::x` paths",
        "in code; comments and `#[cfg(test)]` code left out). Re-run it after moving code.",
        "Imports go downward only: `error` names nothing above it, `crypto` does not import `pki`,",
        "`sign` knows nothing of `ltv`, `pdf` and `asn1` sit on the ground, `verify` and `decree30`",
        "name no words (`text`), and no module imports another that imports it back; `tests/layers.rs`",
        "keeps these rules.",
        "",
        "| module | imports |",
        "|---|---|",
    ]
    for top in sorted(g):
        deps = ", ".join(f"`{d}`" for d in sorted(g[top])) or "(nothing)"
        lines.append(f"| `{top}` | {deps} |")
    lines.append("")
    # Floors: one above the highest floor imported; modules in an import cycle share a floor.
    comps = components(g)
    comp_of = {m: c for c in comps for m in c}
    floor = {}
    for c in comps:  # Tarjan gives components in reverse topological order (imports first)
        deps = {comp_of[d] for m in c for d in g[m]} - {c}
        floor[c] = 1 + max((floor[d] for d in deps), default=-1)
    lines += ["## Floors (a module imports only from floors below it)", ""]
    for v in sorted(set(floor.values())):
        names = []
        for c in sorted(c for c in comps if floor[c] == v):
            names.append(" ↔ ".join(f"`{m}`" for m in c) + (" (import cycle)" if len(c) > 1 else ""))
        lines.append(f"{v}. " + ", ".join(names))
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    text = render(graph())
    if "--print" in sys.argv:
        print(text)
    else:
        os.makedirs(os.path.join(ROOT, "docs"), exist_ok=True)
        path = os.path.join(ROOT, "docs", "architecture.md")
        # What follows the marker in the existing file is written by hand and kept.
        kept = ""
        if os.path.exists(path):
            old = open(path, encoding="utf-8").read()
            if MARKER in old:
                kept = old[old.index(MARKER):]
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + ("\n" + kept if kept else ""))
        print("wrote docs/architecture.md")
