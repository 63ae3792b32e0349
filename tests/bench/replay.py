#!/usr/bin/env python3
"""Replay the recorded responses of tests/bench/fixtures/ on loopback.

Keep-alive HTTP/1.1: each connection serves any number of requests. A
request's head is read up to the blank line, then its Content-Length body;
the answer is the recorded file, byte for byte, chosen by the request:
POST -> create.http, GET .../users/v1.0/<id> -> read.http, GET
.../users/v1.0?... -> list.http. Anything else gets a 404 that closes.

usage: replay.py --port-file FILE [--fixtures DIR]
Writes the port it listens on to FILE. Stop it with SIGTERM.
"""
import argparse
import os
import signal
import socket
import sys
import threading

USERS = b"/public-api/resources/users/v1.0"


def load(directory):
    out = {}
    for name in ("read", "list", "create"):
        with open(os.path.join(directory, name + ".http"), "rb") as f:
            out[name] = f.read()
    return out


def pick(fixtures, head):
    line = head.split(b"\r\n", 1)[0].split(b" ")
    if len(line) < 2:
        return None
    method, target = line[0], line[1]
    path = target.split(b"?", 1)[0]
    if method == b"POST" and path == USERS:
        return fixtures["create"]
    if method == b"GET" and path == USERS:
        return fixtures["list"]
    if method == b"GET" and path.startswith(USERS + b"/"):
        return fixtures["read"]
    return None


def serve(conn, fixtures):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    data = b""
    try:
        while True:
            while b"\r\n\r\n" not in data:
                more = conn.recv(65536)
                if not more:
                    return
                data += more
            head, _, data = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(data) < length:
                more = conn.recv(65536)
                if not more:
                    return
                data += more
            data = data[length:]
            answer = pick(fixtures, head)
            if answer is None:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            conn.sendall(answer)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--fixtures", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "fixtures"))
    a = ap.parse_args()
    fixtures = load(a.fixtures)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.replace(tmp, a.port_file)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, fixtures), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
