"""Demo API standing in for the Rails backend.

GET /up          liveness, no dependencies
POST /api/login  sets a session cookie *without* security flags: the proxy must add Secure, HttpOnly and
                 SameSite (NET-07), and the live audit checks that it does. No credentials are checked.
GET /api/db      select 1 and the server's password_encryption over DATABASE_URL (DB-01, DB-02)
"""
import json
import os
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

MAX_BODY = 64 * 1024


class Handler(BaseHTTPRequestHandler):
    server_version = "demo-backend"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def _send(self, status, payload, headers=()):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/up":
            self._send(200, {"status": "ok"})
        elif path == "/api/db":
            self._db()
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(413, {"error": "body too large"})
            self.close_connection = True
            return
        self.rfile.read(length)
        if path == "/api/login":
            token = secrets.token_urlsafe(32)
            self._send(200, {"ok": True}, [("Set-Cookie", f"session={token}; Path=/")])
        else:
            self._send(404, {"error": "not found"})

    def _db(self):
        try:
            conn = psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=5)
            try:
                with conn.cursor() as cur:
                    cur.execute("select 1, current_setting('password_encryption'), current_user")
                    one, encryption, user = cur.fetchone()
            finally:
                conn.close()
            self._send(200, {"select1": one, "password_encryption": encryption, "user": user})
        except Exception as e:  # the message never includes the DSN; the type is enough to debug
            print(f"database check failed: {type(e).__name__}", file=sys.stderr)
            self._send(503, {"error": "database unavailable", "type": type(e).__name__})

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


class Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops SYNs when the proxy opens connections in a burst (each drop
    # costs the client a 1 s retransmit); 128 is the usual listen backlog.
    request_queue_size = 128
    daemon_threads = True


def main():
    port = int(os.environ.get("PORT", "3000"))
    server = Server(("0.0.0.0", port), Handler)
    print(f"demo-backend listening on :{port}", file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    main()
