#!/usr/bin/env python3
"""Record the benchmark's responses from the simulator, byte for byte.

Starts tests/sim/ampeco_sim.py (100 seeded users, chunked bodies), sends
three requests over a raw socket and stores each whole response (status
line, headers, body with its chunk framing) in tests/bench/fixtures/:

  read.http    GET  .../users/v1.0/{READ_ID}   a user of about 1 KB on the wire
  list.http    GET  .../users/v1.0?per_page=100&cursor=   100 users, chunked
  create.http  POST .../users/v1.0   the 201 of a create (CREATE_BODY)

`make bench` replays these (tests/bench/replay.py); it does not re-record.
Re-record with: python3 tests/bench/record.py
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOKEN = "sim-token"
USERS = "/public-api/resources/users/v1.0"
READ_ID = "39"
LIST_QUERY = "?per_page=100&cursor="
# The create body both benchmark clients send (tests/bench/insn_*.c build the same one).
CREATE_BODY = (b'{"email":"bench.create@example.com","password":"secret-123",'
               b'"first_name":"Ana","last_name":"Petrova","phone":"+359888123456",'
               b'"country":"BG","city":"Sofia","post_code":"1000",'
               b'"address":"1 Vitosha Blvd","locale":"bg-BG","external_id":"bench-0001"}')


def read_response(sock):
    """One whole HTTP/1.1 response (Content-Length or chunked) as raw bytes."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        if not more:
            raise SystemExit("record: connection closed in the head")
        data += more
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    raw = head + b"\r\n\r\n"
    if fields.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = rest
        while True:
            # complete when the last-chunk and trailer end are present
            pos, done = 0, False
            while True:
                eol = body.find(b"\r\n", pos)
                if eol < 0:
                    break
                size = int(body[pos:eol].split(b";")[0], 16)
                if size == 0:
                    end = body.find(b"\r\n\r\n", eol)
                    if end >= 0 or body[eol + 2:eol + 4] == b"\r\n":
                        done = True
                        pos = eol + 4
                    break
                if len(body) < eol + 2 + size + 2:
                    break
                pos = eol + 2 + size + 2
            if done:
                return raw + body[:pos]
            more = sock.recv(65536)
            if not more:
                raise SystemExit("record: connection closed in a chunked body")
            body += more
    length = int(fields.get(b"content-length", b"0"))
    while len(rest) < length:
        more = sock.recv(65536)
        if not more:
            raise SystemExit("record: connection closed in the body")
        rest += more
    return raw + rest[:length]


def request(sock, port, method, target, body=None):
    head = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
            "Accept: application/json\r\n" % (method, target, port, TOKEN)).encode()
    if body is not None:
        head += b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    sock.sendall(head + b"\r\n" + (body or b""))
    return read_response(sock)


def main():
    out_dir = os.path.join(HERE, "fixtures")
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="cpuser-record-")
    port_file = os.path.join(tmp, "port")
    sim = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/sim/ampeco_sim.py"),
                            "--port", "0", "--port-file", port_file, "--seed-users", "100",
                            "--chunked"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port = 0
        for _ in range(200):
            try:
                with open(port_file) as f:
                    port = int(f.read().strip() or 0)
            except (OSError, ValueError):
                port = 0
            if port:
                break
            time.sleep(0.05)
        if not port:
            raise SystemExit("record: the simulator did not start")
        sock = socket.create_connection(("127.0.0.1", port))
        fixtures = {
            "read.http": request(sock, port, "GET", USERS + "/" + READ_ID),
            "list.http": request(sock, port, "GET", USERS + LIST_QUERY),
            "create.http": request(sock, port, "POST", USERS, CREATE_BODY),
        }
        sock.close()
        for name, raw in fixtures.items():
            status = raw.split(b"\r\n", 1)[0].decode()
            if b"connection: close" in raw.split(b"\r\n\r\n", 1)[0].lower():
                raise SystemExit("record: %s closes the connection" % name)
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(raw)
            print("record: %-12s %7d bytes  %s" % (name, len(raw), status))
    finally:
        sim.terminate()
        sim.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
