# GET /spread?n=N makes N requests to $BACKEND, each with a fresh DNS lookup and a new
# connection to the first address of the answer (a DNS round-robin client), and answers with
# how many each replica served, as JSON. gethostbyname_ex keeps the DNS server's order;
# getaddrinfo would re-sort the addresses by RFC 6724 (longest prefix shared with our own
# address), which on one subnet picks the same replica every time.
import http.client
import json
import os
import socket
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

HOST, PORT = os.environ.get("BACKEND", "whoami:8000").rsplit(":", 1)


def ask_once():
    addr = socket.gethostbyname_ex(HOST)[2][0]
    conn = http.client.HTTPConnection(addr, int(PORT), timeout=5)
    try:
        conn.request("GET", "/")
        return conn.getresponse().read().decode().strip()
    finally:
        conn.close()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/spread":
            self.send_error(404, "try /spread?n=100")
            return
        n = int(parse_qs(url.query).get("n", ["100"])[0])
        spread = Counter(ask_once() for _ in range(n))
        addresses = sorted(socket.gethostbyname_ex(HOST)[2])
        body = json.dumps({"requests": n, "backends": len(spread), "spread": dict(sorted(spread.items())),
                           "addresses": addresses}, indent=2).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
