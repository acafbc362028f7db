#!/usr/bin/python3
"""HTTP server for the unit tests.

Usage: webhook_sink.py DIRECTORY STATUS

Listens on a free port of 127.0.0.1 and prints it on a line; answers every POST with STATUS
(body "ok", or "invalid_payload" for an error status) after writing the request to
DIRECTORY/<n>.json (under a temporary name, then renamed).
"""
import http.server
import json
import os
import sys

directory, status = sys.argv[1], int(sys.argv[2])


class Handler(http.server.BaseHTTPRequestHandler):
    received = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        record = {
            "path": self.path,
            "content_type": self.headers["Content-Type"],
            "body": body.decode("utf-8"),
        }
        Handler.received += 1
        path = os.path.join(directory, f"{Handler.received}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.rename(path + ".tmp", path)
        answer = b"ok" if status < 300 else b"invalid_payload"
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
