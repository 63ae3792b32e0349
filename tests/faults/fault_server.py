#!/usr/bin/env python3
"""fault_server.py - an HTTP/1.1 server that misbehaves on purpose, for the
cpuser fault-injection tests (tests/faults/test_faults.c).

Every request is served by one named scenario, chosen in this order:
  1. the path: /fault/<name> or /fault/<name>/anything;
  2. the bearer token: "Authorization: Bearer <name>" (the users API paths
     are fixed by the library, its token is not);
  3. the --scenario default;
  4. else 404.
A scenario answers each request by the number of requests it has received
so far (n = 1, 2, ...): "429 then 200" sends 429 to n = 1 and 200 after.

The server counts, per scenario, the requests it received (counted once the
whole request, body included, was read, before any answer), the connections
that carried them, and for the users endpoints the creates (POST) and lists
(GET) among them. Control endpoints (never counted, always Connection: close):
  GET /__count/<name>   200 "requests=N connections=N creates=N lists=N\\n"
  GET /__reset          forget every count and every stored user
  GET /__listen/<port>  also listen on <host>:<port> from now on; 200 once
                        listening, 409 when the port cannot be bound
  GET /__scenarios      one line per scenario: name, then what it does

Typical test use:
    python3 tests/faults/fault_server.py --port 0 --port-file /tmp/p
then read the port from /tmp/p. `--list` prints the scenarios. SIGTERM or
SIGINT stops it (exit status 0), stalled connections included.
Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sim"))
import simlib  # noqa: E402  (tests/sim/simlib.py: options, port file, signals)

USERS_PATH = "/public-api/resources/users/v1.0"

REASONS = {
    100: "Continue", 101: "Switching Protocols", 103: "Early Hints",
    200: "OK", 201: "Created", 204: "No Content", 302: "Found",
    401: "Unauthorized", 404: "Not Found", 409: "Conflict",
    422: "Unprocessable Content", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}

STOP = threading.Event()          # set on SIGTERM/SIGINT: stalls end early


# --------------------------------------------------------------------------
# Bytes on the wire
# --------------------------------------------------------------------------

def to_bytes(data) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8")


def response(status: int, body=b"", headers=(), reason=None,
             ctype="application/json", length=True, version="HTTP/1.1") -> bytes:
    """A whole response: status line, Content-Type (unless None), the given
    headers in order (duplicates allowed), Content-Length (unless length is
    False), then the body."""
    body = to_bytes(body)
    lines = ["%s %d %s" % (version, status, reason or REASONS.get(status, "Status"))]
    if ctype:
        lines.append("Content-Type: " + ctype)
    lines += ["%s: %s" % (k, v) for k, v in headers]
    if length:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def ok_body(n: int) -> bytes:
    return b'{"ok":true,"n":%d}' % n


def ok(n: int, status=200, headers=()) -> bytes:
    return response(status, ok_body(n), headers)


def message(status: int, text: str, headers=()) -> bytes:
    return response(status, json.dumps({"message": text}), headers)


def http_date(t: float) -> str:
    return email.utils.formatdate(t, usegmt=True)


# --------------------------------------------------------------------------
# One client connection
# --------------------------------------------------------------------------

class Request:
    def __init__(self, method, target, version, headers, body):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers            # lower-case name -> last value
        self.body = body
        parts = urllib.parse.urlsplit(target)
        self.path = parts.path
        self.query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        auth = headers.get("authorization", "")
        self.token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        self.close = headers.get("connection", "").lower() == "close"


class Conn:
    """A client socket with the primitives scenarios are made of."""

    def __init__(self, sock: socket.socket, idle: float):
        self.sock = sock
        self.idle = idle
        self.buf = b""
        self.gone = False                 # reset or closed by a scenario

    def _fill(self) -> bool:
        try:
            data = self.sock.recv(65536)
        except (socket.timeout, OSError):
            return False
        if not data:
            return False
        self.buf += data
        return True

    def read_request(self):
        """The next request, or None (EOF, idle timeout, garbage)."""
        self.sock.settimeout(self.idle)
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 65536 or not self._fill():
                return None
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        first = lines[0].split(" ")
        if len(first) != 3:
            return None
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            return None
        while len(self.buf) < length:
            if not self._fill():
                return None
        body, self.buf = self.buf[:length], self.buf[length:]
        return Request(first[0], first[1], first[2], headers, body)

    def send(self, data) -> bool:
        if self.gone:
            return False
        try:
            self.sock.sendall(to_bytes(data))
            return True
        except OSError:
            return False

    def drip(self, data, delay: float) -> bool:
        """Send one byte every `delay` seconds."""
        for i in range(len(data)):
            if not self.send(data[i:i + 1]) or STOP.wait(delay):
                return False
        return True

    def pause(self, seconds: float):
        STOP.wait(seconds)

    def stall(self, seconds: float):
        """Say nothing for a while (the client's timeouts run out), then close."""
        STOP.wait(seconds)
        self.close()

    def reset(self):
        """Abort the connection: SO_LINGER 0 then close sends RST."""
        if self.gone:
            return
        self.gone = True
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.close()
        except OSError:
            pass

    def close(self):
        """Orderly close (FIN). The request was read whole, so no RST."""
        if self.gone:
            return
        self.gone = True
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


class Ctx:
    """What a scenario sees: the connection, the request, its number n
    (1-based, per scenario), the scenario's users store, the server state."""

    def __init__(self, conn, req, n, name, state):
        self.conn = conn
        self.req = req
        self.n = n
        self.name = name
        self.state = state


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------

SCENARIOS: dict = {}
KEEP, CLOSE = True, False   # what a scenario returns: keep reading, or close


def scenario(name: str, doc: str):
    def register(fn):
        if name in SCENARIOS:
            raise ValueError("duplicate scenario " + name)
        SCENARIOS[name] = (fn, doc)
        return fn
    return register


def fixed(name: str, doc: str, data, after=CLOSE):
    """A scenario that always sends the same bytes, then closes (or not)."""
    def send_fixed(ctx):
        ctx.conn.send(data)
        return after
    scenario(name, doc)(send_fixed)


def first_then_ok(name: str, doc: str, first):
    """`first(ctx)` for request 1, a 200 for every later one."""
    def run(ctx):
        if ctx.n == 1:
            return first(ctx)
        ctx.conn.send(ok(ctx.n))
        return KEEP
    scenario(name, doc)(run)


OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
OK_11 = b'{"ok":true}'

# ---- timing ----

@scenario("slow-headers", "drips the response head one byte per 0.2 s (a slowloris)")
def _slow_headers(ctx):
    ctx.conn.drip(OK_HEAD + OK_11, 0.2)
    return CLOSE


@scenario("slow-body", "head at once, then a 64-byte body one byte per 0.2 s")
def _slow_body(ctx):
    body = b'{"pad":"' + b"x" * 54 + b'"}'
    ctx.conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                  % len(body))
    ctx.conn.drip(body, 0.2)
    return CLOSE


@scenario("slow-body-ok", "head at once, then {\"ok\":true} one byte per 0.05 s")
def _slow_body_ok(ctx):
    ctx.conn.send(OK_HEAD)
    ctx.conn.drip(OK_11, 0.05)
    return KEEP


@scenario("stall-after-headers", "a head announcing 10 body bytes, then 5 s of silence")
def _stall_after_headers(ctx):
    ctx.conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n")
    ctx.conn.stall(5)
    return CLOSE


first_then_ok("stall-then-ok", "request 1: 5 s of silence; then 200",
              lambda ctx: ctx.conn.stall(5) or CLOSE)


@scenario("post-timeout", "reads the request, then 3 s of silence")
def _post_timeout(ctx):
    ctx.conn.stall(3)
    return CLOSE


# ---- resets and closes ----

def reset_after(data, wait=0.05):
    def run(ctx):
        ctx.conn.send(data)
        ctx.conn.pause(wait)    # let the client read what was sent
        ctx.conn.reset()
        return CLOSE
    return run


scenario("reset-mid-headers", "half a head, then RST")(
    reset_after(b"HTTP/1.1 200 OK\r\nContent-Ty"))
scenario("reset-mid-body", "a head announcing 100 bytes, 40 of them, then RST")(
    reset_after(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                + b"x" * 40))
scenario("post-reset-mid-body", "as reset-mid-body (for a POST)")(
    reset_after(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                + b"x" * 40))
first_then_ok("reset-then-ok", "request 1: RST without a byte; then 200",
              lambda ctx: ctx.conn.reset() or CLOSE)


@scenario("close-before-response", "reads the request, closes (FIN) without a byte")
def _close_before_response(ctx):
    ctx.conn.close()
    return CLOSE


scenario("post-close-before-response", "as close-before-response (for a POST)")(_close_before_response)
first_then_ok("close-then-ok", "request 1: FIN without a byte; then 200",
              lambda ctx: ctx.conn.close() or CLOSE)


@scenario("post-refused-then-ok", "201 (the test makes its first connect fail)")
def _post_refused_then_ok(ctx):
    ctx.conn.send(ok(ctx.n, 201))
    return KEEP


@scenario("keepalive-closed", "request 1: 200 without Connection: close, then FIN; then 200")
def _keepalive_closed(ctx):
    ctx.conn.send(ok(ctx.n))
    return CLOSE if ctx.n == 1 else KEEP


scenario("keepalive-closed-post", "as keepalive-closed (a POST follows)")(_keepalive_closed)


@scenario("keepalive-reset", "request 1: 200 without Connection: close, RST 0.1 s later; then 200")
def _keepalive_reset(ctx):
    ctx.conn.send(ok(ctx.n))
    if ctx.n == 1:
        ctx.conn.pause(0.1)
        ctx.conn.reset()
        return CLOSE
    return KEEP


# ---- the response head ----

fixed("garbage-status", "a status line that is not HTTP",
      b"HTTQ/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n")
fixed("http10", "an HTTP/1.0 200 whose body runs to the close",
      b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + OK_11)
fixed("http2-status", "an HTTP/2 status line over HTTP/1.1",
      b"HTTP/2 200\r\nContent-Length: 0\r\n\r\n")
fixed("huge-header-line", "a 2,000-byte header line",
      response(200, OK_11, [("X-Big", "a" * 2000)]), KEEP)
fixed("too-many-headers", "100 header fields",
      response(200, OK_11, [("X-H-%d" % i, "v") for i in range(100)]), KEEP)
fixed("head-too-big", "50 header lines of 100 bytes: a 5 KB head",
      response(200, OK_11, [("X-Pad-%02d" % i, "p" * 90) for i in range(50)]), KEEP)
fixed("status-101", "101 Switching Protocols",
      b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
fixed("obs-fold", "a header continued on the next line (obsolete folding)",
      b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 11\r\n\r\n" + OK_11)
fixed("nul-in-header", "a NUL byte in a header value",
      b"HTTP/1.1 200 OK\r\nX-Nul: a\x00b\r\nContent-Length: 11\r\n\r\n" + OK_11)
fixed("gzip", "Content-Encoding: gzip (never asked for)",
      response(200, gzip.compress(OK_11), [("Content-Encoding", "gzip")]), KEEP)
fixed("redirect", "302 Found with a Location",
      response(302, b"", [("Location", "/fault/elsewhere")], ctype=None), KEEP)
fixed("interim-storm", "20 x 100 Continue, then 200",
      b"HTTP/1.1 100 Continue\r\n\r\n" * 20 + OK_HEAD + OK_11, KEEP)
fixed("interim-few", "3 x 100 Continue and a 103 Early Hints, then 200",
      b"HTTP/1.1 100 Continue\r\n\r\n" * 3
      + b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" + OK_HEAD + OK_11, KEEP)
fixed("interim-then-close", "100 Continue, then FIN",
      b"HTTP/1.1 100 Continue\r\n\r\n")

# ---- framing ----

fixed("dup-equal-content-length", "Content-Length: 11 twice (allowed)",
      b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
      b"Content-Length: 11\r\n\r\n" + OK_11, KEEP)
fixed("conflicting-content-length", "Content-Length: 11 and 12",
      b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Length: 12\r\n\r\n" + OK_11 + b" ")
fixed("content-length-and-chunked", "Content-Length with Transfer-Encoding: chunked",
      b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nTransfer-Encoding: chunked\r\n\r\n"
      b"b\r\n" + OK_11 + b"\r\n0\r\n\r\n")
fixed("content-length-negative", "Content-Length: -1",
      b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n" + OK_11)
fixed("content-length-hex", "Content-Length: 0xb",
      b"HTTP/1.1 200 OK\r\nContent-Length: 0xb\r\n\r\n" + OK_11)
fixed("content-length-overflow", "Content-Length above 2^64",
      b"HTTP/1.1 200 OK\r\nContent-Length: 184467440737095516160\r\n\r\n" + OK_11)
fixed("bad-chunk-size", "a chunk-size line 'zz'",
      b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + OK_11 + b"\r\n0\r\n\r\n")
fixed("chunk-size-overflow", "a chunk size of 2^64",
      b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n" + OK_11)
fixed("chunked-ok", "{\"ok\":true} in three chunks, a chunk extension and a trailer",
      b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      b"4;name=value\r\n{\"ok\r\n5\r\n\":tru\r\n2\r\ne}\r\n0\r\nX-Trailer: 1\r\n\r\n", KEEP)
fixed("missing-final-chunk", "one chunk, then FIN without the last chunk",
      b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      b"b\r\n" + OK_11 + b"\r\n")
fixed("truncated-body", "Content-Length: 100, 50 bytes, FIN",
      b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n" + b"y" * 50)
fixed("extra-after-body", "a complete 200, then bytes nobody asked for",
      OK_HEAD + OK_11 + b"GARBAGE\r\n\r\n", KEEP)
BIG_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n"
fixed("body-too-big", "a 10,000-byte body (the test's buffer is 4,096)",
      BIG_HEAD + b'{"pad":"' + b"z" * 9990 + b'"}')

# ---- statuses and retries ----

def rate_limited(ctx, headers=()):
    ctx.conn.send(message(429, "Too Many Attempts.", headers))
    return KEEP


first_then_ok("rl-retry-after-secs", "request 1: 429 Retry-After: 1; then 200",
              lambda ctx: rate_limited(ctx, [("Retry-After", "1")]))


def _rl_date(ctx):
    now = int(time.time())
    return rate_limited(ctx, [("Date", http_date(now)), ("Retry-After", http_date(now + 1))])


first_then_ok("rl-retry-after-date", "request 1: 429 Retry-After as an HTTP-date 1 s after Date; then 200",
              _rl_date)
first_then_ok("rl-no-headers", "request 1: 429 without Retry-After; then 200", rate_limited)
scenario("rl-always", "429 without Retry-After, every time")(rate_limited)
scenario("rl-retry-after-too-long", "429 Retry-After: 3600, every time")(
    lambda ctx: rate_limited(ctx, [("Retry-After", "3600")]))
scenario("rl-past-deadline", "429 Retry-After: 2, every time")(
    lambda ctx: rate_limited(ctx, [("Retry-After", "2")]))
first_then_ok("rl-retry-after-garbage", "request 1: 429 Retry-After: soon; then 200",
              lambda ctx: rate_limited(ctx, [("Retry-After", "soon")]))


def _rl_reset(ctx):
    now = int(time.time())
    return rate_limited(ctx, [("Date", http_date(now)), ("X-RateLimit-Limit", "60"),
                              ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", str(now + 1))])


first_then_ok("rl-reset-then-ok",
              "request 1: 429 with X-RateLimit-Reset (Unix time) 1 s after Date; then 200", _rl_reset)
scenario("post-429", "429 without Retry-After, every time (for a POST)")(rate_limited)


def status_json(status, text):
    def run(ctx):
        ctx.conn.send(message(status, text))
        return KEEP
    return run


def status_html(status):
    def run(ctx):
        ctx.conn.send(response(status, "<html><body><h1>%d %s</h1></body></html>"
                               % (status, REASONS[status]), ctype="text/html"))
        return KEEP
    return run


scenario("post-503", "503 with a JSON message, every time (for a POST)")(
    status_json(503, "Service Unavailable"))
first_then_ok("s503-then-ok", "request 1: 503; then 200", status_json(503, "Service Unavailable"))
first_then_ok("s502-html-then-ok", "request 1: 502 with an HTML page; then 200", status_html(502))
first_then_ok("s504-then-ok", "request 1: 504; then 200", status_json(504, "Gateway Timeout"))
scenario("s502-html-always", "502 with an HTML page, every time")(status_html(502))
scenario("s500-json", "500 with a JSON message")(status_json(500, "Server Error"))
scenario("s401-json", "401 with a JSON message")(status_json(401, "Unauthenticated."))
scenario("s404-html", "404 with an HTML page")(status_html(404))


def unprocessable(count):
    def run(ctx):
        errors = {"field%d" % i: ["The field%d is invalid." % i] for i in range(count)}
        ctx.conn.send(response(422, json.dumps({"message": "The given data was invalid.",
                                                "errors": errors}, separators=(",", ":"))))
        return KEEP
    return run


scenario("s422-many", "422 with 50 field errors")(unprocessable(50))
scenario("s422-eleven", "422 with 11 field errors")(unprocessable(11))

# ---- users: JSON documents (chosen by the token) ----

def render_user(user: dict) -> dict:
    return {
        "id": user["id"],
        "email": user["email"],
        "emailVerified": None,
        "requirePasswordReset": False,
        "firstName": user.get("firstName"),
        "middleName": None,
        "lastName": user.get("lastName"),
        "phone": None,
        "country": None,
        "state": None,
        "city": None,
        "postCode": None,
        "address": None,
        "vehicleNo": None,
        "personalId": None,
        "locale": "en",
        "balance": 0,
        "status": "enabled",
        "userGroupIds": [],
        "externalId": user.get("externalId"),
        "subscriptionId": None,
        "options": {"sessionsAllowed": "single_session"},
        "lastUpdatedAt": user["createdAt"],
        "createdAt": user["createdAt"],
        "createdBy": "api",
        "receiveNewsAndPromotions": False,
    }


def sample_user(uid="7", email="user7@example.com") -> dict:
    return render_user({"id": uid, "email": email, "firstName": "Ana", "lastName": "Ivanova",
                        "externalId": "ext-7", "createdAt": "2024-01-01T00:00:00.000000Z"})


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def user_document(text):
    """A scenario answering every request with 200 and the body `text`."""
    def run(ctx):
        ctx.conn.send(response(200, to_bytes(text)))
        return KEEP
    return run


def user_with(**changes) -> dict:
    user = sample_user()
    user.update(changes)
    return user


scenario("user-ok", "a well-formed user")(user_document(compact({"data": sample_user()})))
_unknown = user_with(futureField={"a": [1, 2, {"b": None}], "c": "x"}, anotherOne=[True, False],
                     zzz="ignored")
scenario("user-unknown-fields", "a user with fields the library does not know")(
    user_document(compact({"data": _unknown})))
scenario("user-deep-json", "\"data\" nested 2,000 arrays deep")(
    user_document('{"data":' + "[" * 2000 + "]" * 2000 + "}"))
scenario("user-invalid-utf8", "a firstName with the byte 0xFF")(
    user_document(compact({"data": user_with(firstName="Xx")}).encode().replace(b"Xx", b"X\xff")))
scenario("user-lone-surrogate", "a firstName with a lone \\ud800 escape")(
    user_document(compact({"data": user_with(firstName="Xx")}).replace('"Xx"', '"X\\ud800"')))
scenario("user-huge-number", "a balance of 1e400")(
    user_document(compact({"data": user_with(balance=0)}).replace('"balance":0', '"balance":1e400')))
scenario("user-huge-int", "a subscriptionId of 99999999999999999999")(
    user_document(compact({"data": user_with(subscriptionId=0)})
                  .replace('"subscriptionId":0', '"subscriptionId":99999999999999999999')))
scenario("user-duplicate-keys", "\"email\" twice: first@example.com, then second@example.com")(
    user_document(compact({"data": user_with(email="first@example.com")})
                  .replace('"emailVerified"', '"email":"second@example.com","emailVerified"')))
scenario("user-wrong-shape", "\"data\" is an array of users")(
    user_document(compact({"data": [sample_user()]})))
scenario("user-truncated-json", "a complete body holding half a JSON document")(
    user_document(compact({"data": sample_user()})[:120]))


def list_page(users, before=""):
    """A cursor-paginated list body, the shape of tests/sim/ampeco_sim.py."""
    return ('{' + before + '"data":[' + ",".join(compact(u) for u in users) + '],'
            '"links":{"first":null,"last":null,"prev":null,"next":null},'
            '"meta":{"path":"http://127.0.0.1' + USERS_PATH + '","per_page":100,'
            '"next_cursor":null,"prev_cursor":null}}')


TWO_USERS = [sample_user("1", "user1@example.com"), sample_user("2", "user2@example.com")]
scenario("list-deep-member", "a list whose first member is nested 2,000 arrays deep")(
    user_document(list_page(TWO_USERS, '"x":' + "[" * 2000 + "]" * 2000 + ",")))


def broken_page(end):
    def run(ctx):
        body = list_page(TWO_USERS + [sample_user("3", "user3@example.com")]).encode()
        cut = body.index(b',{"id":"3"') + 20     # two users whole, the third begun
        ctx.conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                      % len(body) + body[:cut])
        ctx.conn.pause(0.05)
        end(ctx.conn)
        return CLOSE
    return run


scenario("list-reset-mid-page", "a page: two users, then RST in the third")(
    broken_page(lambda conn: conn.reset()))
scenario("list-stall-mid-page", "a page: two users, then 3 s of silence in the third")(
    broken_page(lambda conn: conn.stall(3)))

# ---- users: create, and what happens to its answer ----

def users_api(after_create=None, store=True):
    """Minimal users endpoints: POST create (stored, 201), GET list with
    filter[externalId] / filter[email], GET one. after_create(ctx, body)
    replaces the 201 (drop, reset, stall...)."""
    def run(ctx):
        req = ctx.req
        st = ctx.state
        if req.method == "POST" and req.path == USERS_PATH:
            st.bump(ctx.name, "creates")
            if not store:
                ctx.conn.send(message(503, "Service Unavailable"))
                return KEEP
            try:
                fields = json.loads(req.body.decode("utf-8") or "{}")
            except ValueError:
                ctx.conn.send(message(400, "Bad JSON."))
                return KEEP
            user = st.add_user(ctx.name, fields)
            body = compact({"data": render_user(user)}).encode()
            if after_create is not None:
                return after_create(ctx, body)
            ctx.conn.send(response(201, body))
            return KEEP
        if req.method == "GET" and req.path == USERS_PATH:
            st.bump(ctx.name, "lists")
            query = dict(req.query)
            users = st.users_of(ctx.name)
            if "filter[externalId]" in query:
                users = [u for u in users if u.get("externalId") == query["filter[externalId]"]]
            if "filter[email]" in query:
                users = [u for u in users if u["email"] == query["filter[email]"]]
            ctx.conn.send(response(200, list_page([render_user(u) for u in users])))
            return KEEP
        if req.method == "GET" and req.path.startswith(USERS_PATH + "/"):
            uid = urllib.parse.unquote(req.path[len(USERS_PATH) + 1:])
            for user in st.users_of(ctx.name):
                if user["id"] == uid:
                    ctx.conn.send(response(200, compact({"data": render_user(user)})))
                    return KEEP
            ctx.conn.send(message(404, "Not found."))
            return KEEP
        ctx.conn.send(message(404, "No such endpoint in the fault server."))
        return KEEP
    return run


def drop(ctx, body):
    ctx.conn.close()
    return CLOSE


def abort(ctx, body):
    ctx.conn.reset()
    return CLOSE


def stall(ctx, body):
    ctx.conn.stall(3)
    return CLOSE


def truncate(ctx, body):
    ctx.conn.send(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                  % len(body) + body[:len(body) // 2])
    ctx.conn.close()
    return CLOSE


scenario("create-ok", "users endpoints: create answers 201")(users_api())
scenario("create-drop-ext", "users endpoints: create stores the user, then FIN without an answer")(
    users_api(drop))
scenario("create-drop-noext", "as create-drop-ext (the test sends no externalId)")(users_api(drop))
scenario("create-reset-ext", "users endpoints: create stores the user, then RST")(users_api(abort))
scenario("create-reset-noext", "as create-reset-ext (the test sends no externalId)")(users_api(abort))
scenario("create-stall-ext", "users endpoints: create stores the user, then 3 s of silence")(
    users_api(stall))
scenario("create-stall-noext", "as create-stall-ext (the test sends no externalId)")(users_api(stall))
scenario("create-truncated-ext", "users endpoints: create stores the user, half the 201, FIN")(
    users_api(truncate))
scenario("create-truncated-noext", "as create-truncated-ext (the test sends no externalId)")(
    users_api(truncate))
scenario("create-503", "users endpoints: create answers 503 and stores nothing")(users_api(store=False))


# --------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------

class State:
    """Counts and users per scenario, shared by every listener."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.lock = threading.Lock()
        self.counts: dict = {}
        self.users: dict = {}
        self.next_id = 100
        self.servers: list = []
        self.log_file = open(cfg.log, "a", encoding="utf-8") if cfg.log else None

    def bump(self, name: str, what: str) -> int:
        with self.lock:
            c = self.counts.setdefault(name, {"requests": 0, "connections": 0, "creates": 0, "lists": 0})
            c[what] += 1
            return c[what]

    def count_line(self, name: str) -> str:
        with self.lock:
            c = self.counts.get(name, {"requests": 0, "connections": 0, "creates": 0, "lists": 0})
            return "requests=%d connections=%d creates=%d lists=%d\n" % (
                c["requests"], c["connections"], c["creates"], c["lists"])

    def reset(self):
        with self.lock:
            self.counts.clear()
            self.users.clear()

    def add_user(self, name: str, fields: dict) -> dict:
        with self.lock:
            self.next_id += 1
            user = {"id": str(self.next_id), "email": fields.get("email", ""),
                    "firstName": fields.get("first_name"), "lastName": fields.get("last_name"),
                    "externalId": fields.get("externalId"),
                    "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())}
            self.users.setdefault(name, []).append(user)
            return user

    def users_of(self, name: str) -> list:
        with self.lock:
            return list(self.users.get(name, []))

    def log(self, line: str):
        if self.log_file is None:
            return
        with self.lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()


def scenario_of(req: Request, default):
    if req.path.startswith("/fault/"):
        return req.path[len("/fault/"):].split("/", 1)[0]
    if req.token in SCENARIOS:
        return req.token
    return default


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        st: State = self.server.state
        conn = Conn(self.request, st.cfg.idle_timeout)
        counted = set()                   # scenarios this connection carried
        while not conn.gone:
            req = conn.read_request()
            if req is None:
                return
            if req.path.startswith("/__"):
                self.control(conn, req)
                return
            name = scenario_of(req, st.cfg.scenario)
            if name not in SCENARIOS:
                conn.send(message(404, "No such scenario."))
                st.log("- %s %s 404" % (req.method, req.target))
                continue
            n = st.bump(name, "requests")
            if name not in counted:
                counted.add(name)
                st.bump(name, "connections")
            st.log("%s %s %s n=%d" % (name, req.method, req.target, n))
            try:
                keep = SCENARIOS[name][0](Ctx(conn, req, n, name, st))
            except OSError:
                return
            if not keep or req.close:
                conn.close()
                return

    def control(self, conn: Conn, req: Request):
        st: State = self.server.state
        parts = req.path.split("/")
        status, body = 404, "unknown control endpoint\n"
        if len(parts) == 3 and parts[1] == "__count":
            status, body = 200, st.count_line(urllib.parse.unquote(parts[2]))
        elif req.path == "/__reset":
            st.reset()
            status, body = 200, "reset\n"
        elif req.path == "/__scenarios":
            status, body = 200, "".join("%s %s\n" % (k, v[1]) for k, v in sorted(SCENARIOS.items()))
        elif len(parts) == 3 and parts[1] == "__listen" and parts[2].isdigit():
            try:
                start_listener(st, st.cfg.host, int(parts[2]))
                status, body = 200, "listening\n"
            except OSError as exc:
                status, body = 409, "cannot listen: %s\n" % exc
        conn.send(response(status, body, [("Connection", "close")], ctype="text/plain"))
        conn.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, state: State, host: str, port: int):
        self.state = state
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            return
        super().handle_error(request, client_address)


def start_listener(state: State, host: str, port: int) -> Server:
    server = Server(state, host, port)
    with state.lock:
        state.servers.append(server)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     name="fault-%d" % server.server_address[1], daemon=True).start()
    return server


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="fault_server.py",
        description="An HTTP/1.1 server that misbehaves on purpose, by named scenario "
                    "(/fault/<name>/..., or the bearer token <name>). Standard library only.",
        epilog="Stop it with SIGTERM or SIGINT.")
    simlib.add_listen_args(parser, 8081)
    parser.add_argument("--scenario", metavar="NAME",
                        help="scenario for requests that name none in their path or token")
    parser.add_argument("--log", metavar="FILE", help="append one line per request: SCENARIO METHOD TARGET n=N")
    parser.add_argument("--idle-timeout", type=float, default=10.0, metavar="SECONDS",
                        help="close a connection that sends nothing this long (default 10)")
    parser.add_argument("--list", action="store_true", help="print the scenarios and exit")
    args = parser.parse_args(argv)
    if args.scenario is not None and args.scenario not in SCENARIOS:
        parser.error("no scenario named %r (see --list)" % args.scenario)
    return args


def main(argv=None) -> int:
    cfg = parse_args(argv)
    if cfg.list:
        for name in sorted(SCENARIOS):
            print("%-28s %s" % (name, SCENARIOS[name][1]))
        print("%d scenarios" % len(SCENARIOS))
        return 0
    state = State(cfg)
    try:
        server = start_listener(state, cfg.host, cfg.port)
    except OSError as exc:
        sys.stderr.write("fault-server: cannot start: %s\n" % exc)
        return 1
    simlib.stop_on_signals(STOP)
    port = server.server_address[1]
    if cfg.port_file:
        simlib.write_port_file(cfg.port_file, port)
    print("fault-server listening on http://%s:%d (%d scenarios)" % (cfg.host, port, len(SCENARIOS)),
          flush=True)
    STOP.wait()
    with state.lock:
        servers = list(state.servers)
    for srv in servers:
        srv.shutdown()
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
