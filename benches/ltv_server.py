#!/usr/bin/env python3
"""Local PKI services for benches/ltv.sh (mirrors tests/support/local_pki.rs).

Usage: python3 benches/ltv_server.py DIR PORTFILE
Serves on 127.0.0.1 (free port, written to PORTFILE), using the throw-away PKI in DIR:
  GET  /root.crl, /int.crl   DIR/root.crl, DIR/int.crl (DER)
  POST /ocsp                 `openssl ocsp` on the intermediate CA database (DIR/int)
  POST /tsa                  `openssl ts -reply -config DIR/ts.cnf`
Every request is appended to DIR/hits.log as "METHOD PATH MILLISECONDS" (time spent serving it).
"""
import itertools
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = os.path.abspath(sys.argv[1])
COUNTER = itertools.count()
LOCK = threading.Lock()


def run(cmd, cwd, body, out):
    n = next(COUNTER)
    q, r = os.path.join(DIR, f"q{n}"), os.path.join(DIR, f"r{n}")
    with open(q, "wb") as f:
        f.write(body)
    p = subprocess.run(cmd + [q, out, r], cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL)
    try:
        if p.returncode == 0:
            with open(r, "rb") as f:
                return f.read()
        sys.stderr.write(p.stderr.decode(errors="replace"))
        return None
    finally:
        for x in (q, r):
            if os.path.exists(x):
                os.remove(x)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def answer(self, status, ctype, body):
        with LOCK, open(os.path.join(DIR, "hits.log"), "a") as f:
            f.write(f"{self.command} {self.path} {(time.monotonic() - self.start) * 1000:.1f}\n")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.start = time.monotonic()
        if self.path in ("/root.crl", "/int.crl"):
            with open(os.path.join(DIR, self.path[1:]), "rb") as f:
                return self.answer(200, "application/pkix-crl", f.read())
        self.answer(404, "text/plain", b"not here")

    def do_POST(self):
        self.start = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/ocsp":
            cmd = ["openssl", "ocsp", "-index", "index.txt", "-CA", "ca.pem", "-rsigner", "ca.pem",
                   "-rkey", "ca.key", "-ndays", "7", "-reqin"]
            r = run(cmd, os.path.join(DIR, "int"), body, "-respout")
            ctype = "application/ocsp-response"
        elif self.path == "/tsa":
            cmd = ["openssl", "ts", "-reply", "-config", "ts.cnf", "-queryfile"]
            r = run(cmd, DIR, body, "-out")
            ctype = "application/timestamp-reply"
        else:
            return self.answer(404, "text/plain", b"not here")
        if r is None:
            return self.answer(500, "text/plain", b"openssl failed")
        self.answer(200, ctype, r)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
