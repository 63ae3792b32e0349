"""simlib.py - the HTTP server plumbing the cpuser test simulators share.

ampeco_sim.py, azure_apim_sim.py and contasimples_sim.py (and, for the
command line, port file and signals, tests/faults/fault_server.py) use it:

  - SimHandler: HTTP/1.1 keep-alive, the TLS handshake in the worker thread
    (setup()), "METHOD TARGET STATUS" per request into --log, messages to
    stderr only with --verbose, JSON responses (send_json);
  - SimServer: a threading server on --host/--port (IPv6 when the host has a
    ':'), no DNS lookup when binding, HTTPS with --tls-cert/--tls-key and
    mutual TLS with --tls-client-ca, the request log;
  - add_listen_args / add_server_args / add_token_args / check_server_args /
    read_tokens: the command-line options every simulator has;
  - write_port_file, stop_on_signals and serve: the start-up and the loop
    until SIGTERM or SIGINT (exit status 0).

Python 3 standard library only. Tests start the simulators with
--port 0 --port-file F --log F (tests/unit/peer.h, tests/testlib.py).
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import socketserver
import ssl
import sys
import threading

QUIET_ERRORS = (ConnectionError, TimeoutError, ssl.SSLError, OSError)


class SimHandler(http.server.BaseHTTPRequestHandler):
    """A request handler: GET, POST, PATCH, DELETE, PUT and HEAD go to the
    subclass's dispatch()."""

    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.0"  # so even a garbled request line gets a status line
    server_version = "sim/1.0"
    sys_version = ""
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version

    def setup(self):
        # the TLS handshake happens here, in the worker thread, not in accept()
        self.timeout = self.server.cfg.idle_timeout
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def log_message(self, fmt, *args):  # noqa: N802 (stdlib name)
        if self.server.cfg.verbose:
            sys.stderr.write("%s: %s - %s\n" % (self.server.name, self.address_string(), fmt % args))

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        self.server.write_log("%s %s %s" % (getattr(self, "command", None) or "-",
                                            getattr(self, "path", None) or "-", code))
        if self.server.cfg.verbose:
            self.log_message('"%s" %s', getattr(self, "requestline", ""), code)

    def address_string(self):
        return self.client_address[0] if self.client_address else "-"

    def do_GET(self):  # noqa: N802 (stdlib name)
        self.dispatch()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = do_GET

    def send_json(self, status, payload, headers=None, content_type="application/json"):
        """One response: `payload` as JSON (no body with 204 or None), the
        `headers` (a dict), Content-Length (0 for a bodyless status other
        than 204), Connection: close when closing. A failed write closes
        the connection."""
        body = None if status == 204 or payload is None else json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if body is not None:
                self.send_header("Content-Length", str(len(body)))
            elif status != 204:
                self.send_header("Content-Length", "0")
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if body is not None and self.command != "HEAD":
                self.wfile.write(body)
            self.wfile.flush()
        except QUIET_ERRORS:
            self.close_connection = True


def server_tls_context(cert: str, key: str, client_ca: str | None = None) -> ssl.SSLContext:
    """TLS 1.2 or later with cert/key; client_ca: require a client certificate
    signed by it (mutual TLS)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=client_ca)
    return context


class SimServer(http.server.ThreadingHTTPServer):
    """A threading HTTP(S) server for `handler` on cfg.host:cfg.port, with the
    request log cfg.log. `name` prefixes its messages."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 64

    def __init__(self, name: str, cfg, handler):
        self.name = name
        self.cfg = cfg
        self.tls = None
        self.log_lock = threading.Lock()
        self.log_file = open(cfg.log, "a", encoding="utf-8") if cfg.log else None
        if ":" in cfg.host:
            self.address_family = socket.AF_INET6
        super().__init__((cfg.host, cfg.port), handler)
        if cfg.tls_cert:
            self.tls = server_tls_context(cfg.tls_cert, cfg.tls_key, getattr(cfg, "tls_client_ca", None))
            self.socket = self.tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def server_bind(self):
        # HTTPServer.server_bind would call getfqdn(), a DNS lookup; skip it
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]
        self.display_host = self.server_name if ":" not in self.server_name else "[%s]" % self.server_name

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, QUIET_ERRORS):
            if self.cfg.verbose:
                sys.stderr.write("%s: connection from %s ended: %s\n" % (self.name, client_address[0], exc))
            return
        super().handle_error(request, client_address)

    def append_line(self, attr: str, line: str):
        """Append a line to the open file self.<attr> (None: nowhere)."""
        with self.log_lock:
            handle = getattr(self, attr)
            if handle is not None:
                handle.write(line + "\n")
                handle.flush()

    def write_log(self, line: str):
        self.append_line("log_file", line)

    def server_close(self):
        super().server_close()
        with self.log_lock:
            if self.log_file is not None:
                self.log_file.close()
                self.log_file = None


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def add_listen_args(parser, default_port: int) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=default_port,
                        help="port to listen on; 0 picks a free one (default %d)" % default_port)
    parser.add_argument("--port-file", metavar="FILE", help="write the port here once listening")


def add_server_args(parser, log_format: str = "METHOD PATH STATUS", client_ca: bool = False) -> None:
    """--tls-cert, --tls-key [, --tls-client-ca], --log, --idle-timeout, --verbose."""
    parser.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this PEM certificate (chain)")
    parser.add_argument("--tls-key", metavar="FILE", help="PEM private key of --tls-cert")
    if client_ca:
        parser.add_argument("--tls-client-ca", metavar="FILE",
                            help="require a client certificate signed by this CA (mutual TLS)")
    parser.add_argument("--log", metavar="FILE", help="append one line per request: " + log_format)
    parser.add_argument("--idle-timeout", type=float, default=30.0, metavar="SECONDS",
                        help="close a keep-alive connection idle this long (default 30)")
    parser.add_argument("--verbose", action="store_true", help="log requests and connections to stderr")


def add_token_args(parser, token_help: str, file_help: str = "file whose non-empty lines are accepted tokens"):
    parser.add_argument("--token", action="append", metavar="TOKEN", help=token_help)
    parser.add_argument("--token-file", metavar="FILE", help=file_help)


def read_tokens(args) -> list:
    """--token values, then the non-empty lines of --token-file."""
    tokens = list(args.token or [])
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as handle:
            tokens += [line.strip() for line in handle if line.strip()]
    return tokens


def check_server_args(parser, args) -> None:
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if getattr(args, "tls_client_ca", None) and not args.tls_cert:
        parser.error("--tls-client-ca needs --tls-cert and --tls-key")


# --------------------------------------------------------------------------
# Start-up and the serve loop
# --------------------------------------------------------------------------

def write_port_file(path: str, port: int) -> None:
    """Write the port atomically (a reader never sees half a number)."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="ascii") as handle:
        handle.write("%d\n" % port)
    os.replace(tmp, path)


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop`."""
    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def serve(name: str, cfg, make_server, describe=lambda server: "") -> int:
    """Start make_server() (a SimServer), write --port-file, print
    "NAME listening on SCHEME://HOST:PORT" and describe(server), serve until
    SIGTERM or SIGINT. 0 on a clean stop, 1 when it cannot start."""
    try:
        server = make_server()
    except (OSError, ssl.SSLError) as exc:
        sys.stderr.write("%s: cannot start: %s\n" % (name, exc))
        return 1
    stop = threading.Event()
    stop_on_signals(stop)
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name=name, daemon=True)
    worker.start()
    if cfg.port_file:
        write_port_file(cfg.port_file, server.server_port)
    print("%s listening on %s://%s:%d%s" % (name, "https" if server.tls else "http", server.display_host,
                                           server.server_port, describe(server)), flush=True)
    while not stop.wait(0.2):
        if not worker.is_alive():
            break
    server.shutdown()
    server.server_close()
    worker.join(timeout=2)
    return 0
