"""A stand-in for HaveIBeenPwned's range API, for the contract check: every prefix answers 200
with a few deterministic `SUFFIX:COUNT` lines (as the real API answers every prefix), and the
ranges of "password" and "hunter2" hold them with their real counts, so evaluations made by the
fuzzer get breach checks that answer ("ok", breached or not).

Usage: python3 ranges.py PORT
"""

import hashlib
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KNOWN = {"password": 9545824, "hunter2": 65744}
HEX = "0123456789ABCDEF"


def lines(prefix):
    digest = hashlib.sha256(prefix.encode()).hexdigest().upper()
    rows = [f"{(digest * 2)[i:i + 35]}:{i + 1}" for i in range(0, 20, 4)]
    for password, count in KNOWN.items():
        full = hashlib.sha1(password.encode()).hexdigest().upper()
        if full.startswith(prefix):
            rows.append(f"{full[5:]}:{count}")
    return "\r\n".join(rows)


class Ranges(BaseHTTPRequestHandler):
    def do_GET(self):
        prefix = self.path.rsplit("/", 1)[-1].upper()
        if not self.path.startswith("/range/") or len(prefix) != 5 or any(c not in HEX for c in prefix):
            self.send_error(400)
            return
        body = lines(prefix).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Ranges).serve_forever()
