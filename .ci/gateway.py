"""A stand-in for API Gateway in front of `cargo lambda watch`, for the contract check only.

API Gateway hands a function a body that is not UTF-8 base64-encoded, and the functions answer it
with INVALID_JSON_BODY. cargo lambda watch instead answers such a body with its own 500 when the
request says it is text. This proxy marks non-UTF-8 bodies as application/octet-stream, so watch
base64-encodes them as API Gateway would. Likewise, a header value with bytes beyond ASCII (which
API Gateway hands over as a string in the event's JSON) makes watch answer 500: the proxy passes
such values on as UTF-8 text. Everything else passes through unchanged.

Usage: python3 gateway.py LISTEN_PORT UPSTREAM_PORT
"""

import http.client
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = ("127.0.0.1", int(sys.argv[2]))
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


class Gateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {
            k: v if v.isascii() else v.encode("utf-8")
            for k, v in self.headers.items()
            if k.lower() not in HOP_BY_HOP
        }
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            headers["Content-Type"] = "application/octet-stream"
        upstream = http.client.HTTPConnection(*UPSTREAM, timeout=120)
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        upstream.close()

    def __getattr__(self, name):
        # Every method (GET, POST, TRACE, QUERY, ...) is forwarded.
        if name.startswith("do_"):
            return self.forward
        raise AttributeError(name)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Gateway).serve_forever()
