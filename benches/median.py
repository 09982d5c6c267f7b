#!/usr/bin/env python3
"""Median wall times of commands, run interleaved (A B C A B C ...) so that a busy machine
disturbs them alike; whole processes, as a document system sees them.

Usage: python3 benches/median.py RUNS 'COMMAND A' ['COMMAND B' ...]
Each command is a command line (through /bin/sh only when it has &, |, ;, < or >); prints one median in seconds per command, one a line.
A command that fails (exit status not 0, or not in MEDIAN_OK, e.g. "0,3") stops the run.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
cmds = sys.argv[2:]
ok = {int(c) for c in os.environ.get("MEDIAN_OK", "0").split(",")}
times = [[] for _ in cmds]
for _ in range(runs):
    for i, cmd in enumerate(cmds):
        argv = ["/bin/sh", "-c", cmd] if any(c in cmd for c in "&|;<>") else shlex.split(cmd)
        start = time.perf_counter()
        rc = subprocess.run(
            argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ).returncode
        times[i].append(time.perf_counter() - start)
        if rc not in ok:
            sys.exit(f"failed (exit {rc}): {cmd}")
for t in times:
    print(f"{statistics.median(t):.4f}")
