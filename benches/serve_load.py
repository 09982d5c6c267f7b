#!/usr/bin/env python3
"""Requests per second of POST /v1/verify on a running `kyso serve`, from CLIENTS threads for
SECONDS seconds, one connection per request (the service answers Connection: close).

Usage: python3 benches/serve_load.py PORT FILE.pdf [CLIENTS] [SECONDS]
Every answer must be 200 with a JSON report whose exit_code is 0, or the run stops.
"""
import http.client
import json
import sys
import threading
import time

port, path = int(sys.argv[1]), sys.argv[2]
clients = int(sys.argv[3]) if len(sys.argv) > 3 else 2
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 5
body = open(path, "rb").read()
done = [0] * clients
errors = []
stop = time.monotonic() + seconds


def client(n):
    while time.monotonic() < stop and not errors:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("POST", "/v1/verify?lang=en", body, {"Content-Type": "application/pdf"})
        r = c.getresponse()
        data = r.read()
        c.close()
        if r.status != 200 or json.loads(data).get("exit_code") != 0:
            errors.append(f"{r.status}: {data[:200]!r}")
            return
        done[n] += 1


start = time.monotonic()
threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if errors:
    sys.exit("failed: " + errors[0])
print(f"{sum(done) / (time.monotonic() - start):.0f}")
