#!/usr/bin/env python3
"""contasimples_sim.py - a local Conta Simples users API simulator for cpuser tests.

It serves what shared/seeds/004_7113574440836bb2.txt documents, over HTTP/1.1
or HTTPS, with an OAuth 2.0 client-credentials token endpoint beside it.
Python 3 standard library only; command-line conventions of ampeco_sim.py
(--port 0 --port-file F --log F --tls-cert/--tls-key). Run with --help.

Endpoints:
  DELETE /users/v1/users/{userId}   204; 400 when userId is not a v4 UUID or
                                    the user has the MAIN role; 401 without a
                                    valid bearer token; 404 for an unknown
                                    user; 500 (with a requestId) for the first
                                    N deletes of a user named by --fail-500
  POST   /oauth2/token              grant_type=client_credentials with
                                    client_id and client_secret (form body,
                                    or HTTP Basic) -> {"access_token",
                                    "token_type": "Bearer", "expires_in"}

Error bodies: {"error", "message", "code", "details": [{"field",
"message"}], "requestId"} as in the document; the token endpoint answers
RFC 6749 errors ({"error": "invalid_client"} ...).

Tokens: static ones from --token / --token-file, and issued ones: each is
"cs_" + random hex, valid for --token-valid seconds on the server side
(default: the --expires-in it announces). --token-valid shorter than
--expires-in makes a token the client still thinks fresh fail with 401.

Users: --main-user UUID (the MAIN user, default
00000000-0000-4000-8000-000000000001) and --user UUID (repeatable) exist;
--seed-users N adds 00000000-0000-4000-8000-{n:012d} for n = 2..N+1.

Logs: --log FILE gets "METHOD PATH STATUS" per request; --capture FILE gets
one JSON object per request with the method, path, headers and body as
received (for tests that look for secrets where they must not be). The
simulator itself never prints a token or the client secret.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse

import simlib

UUID_V4 = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}")
USER_ROUTE = re.compile(r"/users/v1/users/([^/]*)")
TOKEN_PATH = "/oauth2/token"
MAX_BODY = 65536
DEFAULT_MAIN = "00000000-0000-4000-8000-000000000001"

PHRASES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
           413: "Payload Too Large", 500: "Internal Server Error"}


def error_body(code: int, message: str, details=None, request_id=None) -> dict:
    body = {"error": PHRASES.get(code, "Error"), "message": message, "code": code}
    if details:
        body["details"] = [{"field": f, "message": m} for f, m in details]
    if request_id:
        body["requestId"] = request_id
    return body


class State:
    """Users, issued tokens and the failure budget, behind one lock."""

    def __init__(self, cfg):
        self.lock = threading.Lock()
        self.main = cfg.main_user.lower()
        self.users = {self.main}
        self.users.update(u.lower() for u in cfg.user or [])
        for n in range(2, cfg.seed_users + 2):
            self.users.add("00000000-0000-4000-8000-%012d" % n)
        self.fail_500 = {}
        for spec in cfg.fail_500 or []:
            uid, _, count = spec.partition("=")
            self.fail_500[uid.lower()] = int(count or "1")
        self.static_tokens = list(cfg.tokens)
        self.issued = {}          # token -> server-side expiry (monotonic)
        self.tokens_issued = 0
        self.request_seq = 0

    def next_request_id(self) -> str:
        self.request_seq += 1
        return "req_%010d" % self.request_seq


class Handler(simlib.SimHandler):
    server_version = "contasimples-sim/1.0"

    def send_error(self, code, message=None, explain=None):
        self.close_connection = True
        self.respond(code, error_body(code, message or PHRASES.get(code, "Error")))

    def read_body(self):
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding") is not None:
            return None
        if length is None:
            return b""
        if not length.strip().isdigit() or int(length) > MAX_BODY:
            return None
        data = self.rfile.read(int(length))
        return data if len(data) == int(length) else None

    def dispatch(self):
        try:
            raw = self.read_body()
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        self.server.capture(self.command, self.path, self.headers, raw)
        if raw is None:
            self.close_connection = True
            self.respond(400, error_body(400, "The request body could not be read"))
            return
        path = urllib.parse.urlsplit(self.path).path
        if path == TOKEN_PATH:
            if self.command != "POST":
                self.respond(405, error_body(405, "Use POST"), {"Allow": "POST"})
            else:
                self.token_endpoint(raw)
            return
        match = USER_ROUTE.fullmatch(path)
        if match is None:
            self.respond(404, error_body(404, "The requested resource was not found"))
            return
        if self.command != "DELETE":
            self.respond(405, error_body(405, "Only DELETE is simulated"), {"Allow": "DELETE"})
            return
        self.delete_user(urllib.parse.unquote(match.group(1)))

    # ---- OAuth 2.0 client credentials (RFC 6749 section 4.4)
    def token_endpoint(self, raw: bytes):
        cfg = self.server.cfg
        state = self.server.state
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            self.respond(400, {"error": "invalid_request",
                               "error_description": "the body must be application/x-www-form-urlencoded"})
            return
        try:
            form = urllib.parse.parse_qs(raw.decode("ascii"), keep_blank_values=True,
                                         strict_parsing=bool(raw), max_num_fields=16)
        except (ValueError, UnicodeDecodeError):
            self.respond(400, {"error": "invalid_request", "error_description": "malformed form body"})
            return
        if any(len(v) != 1 for v in form.values()):
            self.respond(400, {"error": "invalid_request", "error_description": "repeated parameter"})
            return
        form = {k: v[0] for k, v in form.items()}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = re.fullmatch(r"\s*Basic\s+(\S+)\s*", self.headers.get("Authorization") or "", re.I)
        if basic:
            try:
                pair = base64.b64decode(basic.group(1), validate=True).decode("utf-8")
                client_id, _, secret = (urllib.parse.unquote_plus(p) for p in pair.partition(":"))
            except (binascii.Error, UnicodeDecodeError):
                client_id = secret = None
        if form.get("grant_type") != "client_credentials":
            self.respond(400, {"error": "unsupported_grant_type"})
            return
        if (client_id is None or secret is None
                or not hmac.compare_digest(client_id.encode(), cfg.client_id.encode())
                or not hmac.compare_digest(secret.encode(), cfg.client_secret.encode())):
            self.respond(401, {"error": "invalid_client"}, {"WWW-Authenticate": 'Basic realm="token"'})
            return
        if cfg.scope is not None and form.get("scope") != cfg.scope:
            self.respond(400, {"error": "invalid_scope"})
            return
        token = "cs_" + secrets.token_hex(24)
        with state.lock:
            state.issued[token] = time.monotonic() + cfg.token_valid
            state.tokens_issued += 1
        self.respond(200, {"access_token": token, "token_type": "Bearer", "expires_in": cfg.expires_in},
                     {"Cache-Control": "no-store", "Pragma": "no-cache"})

    def authenticated(self) -> bool:
        match = re.fullmatch(r"\s*Bearer\s+(\S+)\s*", self.headers.get("Authorization") or "", re.I)
        if not match:
            return False
        offered = match.group(1)
        state = self.server.state
        with state.lock:
            if any(hmac.compare_digest(offered.encode(), t.encode()) for t in state.static_tokens):
                return True
            expiry = state.issued.get(offered)
            return expiry is not None and time.monotonic() < expiry

    # ---- the users API
    def delete_user(self, user_id: str):
        state = self.server.state
        if not self.authenticated():
            self.respond(401, error_body(401, "Authentication required. Please provide a valid API token"),
                         {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            return
        if not UUID_V4.fullmatch(user_id):
            self.respond(400, error_body(400, "The request contains invalid parameters or malformed data",
                                         [("userId", "must be a valid v4 UUID")]))
            return
        key = user_id.lower()
        with state.lock:
            if state.fail_500.get(key, 0) > 0:
                state.fail_500[key] -= 1
                status, body = 500, error_body(500, "An unexpected error occurred on the server",
                                               request_id=state.next_request_id())
            elif key not in state.users:
                status, body = 404, error_body(404, "The requested resource was not found")
            elif key == state.main:
                status, body = 400, error_body(400, "The user has the MAIN role and cannot be removed",
                                               [("userId", "the MAIN user cannot be deleted")])
            else:
                state.users.discard(key)
                status, body = 204, None
        self.respond(status, body)

    def respond(self, status: int, payload, headers=None):
        self.send_json(status, payload, headers)


class SimServer(simlib.SimServer):
    def __init__(self, cfg):
        self.state = State(cfg)
        self.capture_file = open(cfg.capture, "a", encoding="utf-8") if cfg.capture else None
        super().__init__("contasimples-sim", cfg, Handler)

    def capture(self, method, path, headers, raw):
        if self.capture_file is not None:
            record = {"method": method, "path": path, "headers": [[k, v] for k, v in headers.items()],
                      "body": None if raw is None else raw.decode("utf-8", "replace")}
            self.append_line("capture_file", json.dumps(record))

    def server_close(self):
        super().server_close()
        with self.log_lock:
            if self.capture_file is not None:
                self.capture_file.close()
                self.capture_file = None


def read_secret_file(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read().rstrip("\r\n")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="contasimples_sim.py",
        description="Local Conta Simples users API simulator (delete user) with an OAuth 2.0 "
                    "client-credentials token endpoint. In-memory, standard library only.",
        epilog="Stop it with SIGTERM or SIGINT. Tokens and the client secret are never printed.")
    simlib.add_listen_args(parser, 8081)
    simlib.add_token_args(parser, "a static bearer token accepted as is (repeatable)",
                          "file whose non-empty lines are static tokens")
    parser.add_argument("--client-id", default="cpuser-client", help="the OAuth2 client id (default cpuser-client)")
    parser.add_argument("--client-secret-file", metavar="FILE",
                        help="file holding the OAuth2 client secret (default: $CS_SIM_CLIENT_SECRET, "
                             "else 'sim-secret'); never an argument")
    parser.add_argument("--scope", help="the scope a token request must ask for (default: any or none)")
    parser.add_argument("--expires-in", type=int, default=3600, metavar="SECONDS",
                        help="expires_in announced with each token (default 3600)")
    parser.add_argument("--token-valid", type=float, metavar="SECONDS",
                        help="how long an issued token is accepted (default: --expires-in)")
    parser.add_argument("--main-user", default=DEFAULT_MAIN, metavar="UUID", help="the MAIN user's id")
    parser.add_argument("--user", action="append", metavar="UUID", help="another existing user (repeatable)")
    parser.add_argument("--seed-users", type=int, default=0, metavar="N",
                        help="add users 00000000-0000-4000-8000-{n:012d}, n = 2..N+1")
    parser.add_argument("--fail-500", action="append", metavar="UUID[=N]",
                        help="the first N (default 1) deletes of this user answer 500 (repeatable)")
    parser.add_argument("--capture", metavar="FILE",
                        help="append each request (method, path, headers, body) as one JSON line")
    simlib.add_server_args(parser)
    args = parser.parse_args(argv)
    args.tokens = simlib.read_tokens(args)
    if args.client_secret_file:
        args.client_secret = read_secret_file(args.client_secret_file)
    else:
        args.client_secret = os.environ.get("CS_SIM_CLIENT_SECRET", "sim-secret")
    if args.token_valid is None:
        args.token_valid = float(args.expires_in)
    simlib.check_server_args(parser, args)
    if args.expires_in < 0 or args.token_valid < 0 or args.seed_users < 0:
        parser.error("--expires-in, --token-valid and --seed-users must be >= 0")
    for uid in [args.main_user] + list(args.user or []):
        if not UUID_V4.fullmatch(uid):
            parser.error("not a v4 UUID: %s" % uid)
    for spec in args.fail_500 or []:
        uid, _, count = spec.partition("=")
        if not UUID_V4.fullmatch(uid) or (count and not count.isdigit()):
            parser.error("--fail-500 takes UUID or UUID=N: %s" % spec)
    return args


def main(argv=None) -> int:
    cfg = parse_args(argv)
    return simlib.serve("contasimples-sim", cfg, lambda: SimServer(cfg),
                        lambda server: " (%d users)" % len(server.state.users))


if __name__ == "__main__":
    sys.exit(main())
