#!/usr/bin/env python3
"""End-to-end tests of the cpuser CLI (build/cpuser) against the local AMPECO
simulator (tests/sim/ampeco_sim.py), over plain HTTP and over TLS, plus small
in-process stub servers for the statuses the simulator cannot produce (403,
5xx, malformed bodies, hostile text, a server that never answers).

Run after `make build/cpuser`:  python3 tests/cli/test_cli.py
(CPUSER_CLI=/path/to/cpuser tests another build, e.g. one with sanitizers.)
Python 3 standard library only. Every wait is bounded, every process is
stopped, the temporary directory is removed. Ends with "N passed, N failed".
"""

import json
import os
import pty
import secrets
import select
import socket
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import testlib  # noqa: E402  (tests/testlib.py: simulator processes, the CLI runner, the runner)

CLI = os.environ.get("CPUSER_CLI") or os.path.join(ROOT, "build", "cpuser")  # override: another build
SIM = os.path.join(ROOT, "tests", "sim", "ampeco_sim.py")
MAKE_CERTS = os.path.join(ROOT, "tests", "tls", "make_certs.sh")

CLI_TIMEOUT = testlib.CLI_TIMEOUT

TOKEN = "tok-" + secrets.token_hex(16)
RO_TOKEN = "ro-" + secrets.token_hex(16)             # the simulator's read-only token
PASSWORD = "pw-" + secrets.token_hex(8) + " ünï"   # a space and UTF-8 too
SECRETS = (TOKEN, RO_TOKEN, PASSWORD)

TMP = None            # the module's temporary directory
CERTS = None
TOKEN_FILE = None
ALL_OUTPUT = []       # every stdout/stderr seen, checked for secrets at the end


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

class Sim(testlib.Sim):
    """One simulator process (TMP/sim-NAME) with our token file."""

    def __init__(self, name, *extra, tls=False, host="127.0.0.1", cert="server"):
        if tls:
            extra += ("--tls-cert", os.path.join(CERTS, cert + ".crt"),
                      "--tls-key", os.path.join(CERTS, cert + ".key"))
        self.name = name
        self.tls = tls
        self.host = host
        super().__init__(SIM, TMP, "--token-file", TOKEN_FILE, *extra, name="sim-" + name, host=host)

    def url(self, host=None):
        scheme = "https" if self.tls else "http"
        h = host or ("localhost" if self.tls else self.host)
        if ":" in h:
            h = "[%s]" % h
        return "%s://%s:%d" % (scheme, h, self.port)


class Stub:
    """A tiny HTTP server answering every request with fixed raw bytes (or
    never answering, with reply=None). Runs in a thread of this process."""

    def __init__(self, reply):
        self.reply = reply
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @staticmethod
    def response(status, body, reason="Status", content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        head = ("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                "Connection: close\r\n\r\n" % (status, reason, content_type, len(data)))
        return head.encode() + data

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def serve(self):
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    pass
                self.requests.append(data)
                if self.reply is None:
                    self.done.wait(5)   # never answer
                    continue
                try:
                    conn.sendall(self.reply)
                except OSError:
                    pass

    def stop(self):
        self.done.set()
        self.thread.join(timeout=5)
        self.sock.close()


def run(args, url=None, stdin=None, token_file=True, env=None, ca=None, timeout=CLI_TIMEOUT):
    """Run the CLI; returns (exit code, stdout, stderr). Every run is checked
    for the secrets on the spot."""
    cmd = [CLI]
    if url is not None:
        cmd += ["--url", url]
    if ca is not None:
        cmd += ["--ca", ca]
    if token_file is True:
        cmd += ["--token-file", TOKEN_FILE]
    elif token_file:
        cmd += ["--token-file", token_file]
    cmd += list(args)
    return testlib.run_cli(cmd, SECRETS, stdin=stdin, env=env, timeout=timeout, seen=ALL_OUTPUT)


def fields(out):
    """The 'name: value' block of a user into a dict."""
    d = {}
    for line in out.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            d[k.strip()] = v.strip()
    return d


def ca(name="ca.crt"):
    return os.path.join(CERTS, name)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# Shared simulators, started once (setUpModule).
HTTP = None      # 1000 seeded users, read-only
CRUD = None      # mutations over plain HTTP
TLS = None       # mutations and reads over TLS
QUIET = None     # usage errors: must never receive a request


def setUpModule():
    try:
        start_everything()
    except BaseException:
        tearDownModule()   # unittest skips it when setUpModule fails
        raise


def start_everything():
    global TMP, CERTS, TOKEN_FILE, HTTP, CRUD, TLS, QUIET
    if not os.access(CLI, os.X_OK):
        raise RuntimeError("build/cpuser is missing: run make build/cpuser first")
    TMP = testlib.temp_dir("cpuser-cli-")
    CERTS = os.path.join(TMP, "certs")
    subprocess.run(["sh", MAKE_CERTS, CERTS], check=True, stdout=subprocess.DEVNULL,
                   timeout=60)
    TOKEN_FILE = os.path.join(TMP, "token")
    with open(os.open(TOKEN_FILE, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(TOKEN + "\n")
    HTTP = Sim("http", "--seed-users", "1000")
    CRUD = Sim("crud", "--seed-users", "5")
    TLS = Sim("tls", "--seed-users", "30", tls=True)
    QUIET = Sim("quiet", "--seed-users", "3")


def tearDownModule():
    testlib.cleanup()


# ---------------------------------------------------------------------------
# reads over plain HTTP
# ---------------------------------------------------------------------------

class Reads(unittest.TestCase):

    def test_help(self):
        rc, out, err = run(["--help"], token_file=False)
        self.assertEqual(rc, 0)
        for action in ("list", "get ID", "create", "update ID", "delete ID", "set-status",
                       "add-balance", "apply-fee", "activate-subscription",
                       "cancel-subscription", "clear-amount-due", "redeem-voucher", "export"):
            self.assertIn("users " + action, out)
        self.assertIn("--retries", out)
        self.assertIn("Retry-After", out)
        self.assertIn("never sent twice", out)

    def test_memory_report(self):
        rc, out, _ = run(["--memory-report"], token_file=False)
        self.assertEqual(rc, 0)
        sizes = {line.split()[0]: int(line.split()[1]) for line in out.splitlines()}
        self.assertEqual(sizes["working_buffer"], 4096)
        self.assertEqual(sizes["client_ram_total"], sizes["sizeof(cpuser_client)"] + 4096)
        self.assertGreater(sizes["sizeof(cpuser_tls)"], 0)

    def test_get_text(self):
        rc, out, err = run(["users", "get", "84"], url=HTTP.url())
        self.assertEqual((rc, err), (0, ""))
        f = fields(out)
        self.assertEqual(f["id"], "84")
        self.assertEqual(f["email"], "user84@example.com")
        self.assertEqual(f["status"], "enabled")
        self.assertEqual(f["balance"], "94.5")
        self.assertEqual(f["userGroupIds"], "1,3")

    def test_get_json_with_includes(self):
        rc, out, _ = run(["--json", "users", "get", "308", "--with-amount-due",
                          "--include", "partnerInvites,externalAppData"], url=HTTP.url())
        self.assertEqual(rc, 0)
        self.assertEqual(len(out.splitlines()), 1)
        u = json.loads(out)
        self.assertEqual(u["id"], "308")
        self.assertEqual(len(u["partnerInvites"]), 2)   # 2 invites: more than 128 tokens
        self.assertEqual(u["externalAppData"]["crm"]["tier"], "silver")
        self.assertEqual(u["amountDue"], 0)
        self.assertEqual(u["balance"], 346.5)

    def test_get_amount_due(self):
        rc, out, _ = run(["users", "get", "9", "--with-amount-due"], url=HTTP.url())
        self.assertEqual(rc, 0)
        self.assertEqual(fields(out)["amountDue"], "9.99")

    def test_page_walk_1000(self):
        rc, out, err = run(["users", "list", "--per-page", "100"], url=HTTP.url())
        self.assertEqual((rc, err), (0, ""))
        lines = out.splitlines()
        self.assertEqual(len(lines), 1000)
        ids = [line.split("\t")[0] for line in lines]
        self.assertEqual(len(set(ids)), 1000)
        self.assertEqual(sorted(int(i) for i in ids), list(range(1, 1001)))
        self.assertEqual(lines[9].split("\t")[:3], ["10", "user10@example.com", "disabled"])
        before = len(HTTP.log_lines())
        rc, out, _ = run(["--json", "users", "list"], url=HTTP.url())
        self.assertEqual(rc, 0)
        users = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(len({u["id"] for u in users}), 1000)
        self.assertEqual(len(HTTP.log_lines()) - before, 10)   # the server's 100 per page

    def test_list_limit(self):
        rc, out, _ = run(["users", "list", "--limit", "150", "--per-page", "100"], url=HTTP.url())
        self.assertEqual(rc, 0)
        self.assertEqual(len(out.splitlines()), 150)
        rc, out, _ = run(["--json", "users", "list", "--limit", "5"], url=HTTP.url())
        self.assertEqual(rc, 0)
        self.assertEqual([json.loads(x)["id"] for x in out.splitlines()], ["1", "2", "3", "4", "5"])
        self.assertIn("per_page=5", HTTP.log_lines()[-1])   # asks for no more than needed

    def test_list_filters(self):
        def ids(*args):
            rc, out, err = run(["users", "list"] + list(args), url=HTTP.url())
            self.assertEqual((rc, err), (0, ""), args)
            return [int(line.split("\t")[0]) for line in out.splitlines()]
        self.assertEqual(ids("--email", "user5@example.com"), [5])
        self.assertEqual(ids("--external-id", "ext-00010"), [10])
        self.assertEqual(ids("--group", "2"), list(range(5, 1001, 5)))
        self.assertEqual(ids("--partner", "1"), list(range(7, 1001, 7)))
        self.assertEqual(ids("--updated-after", "2024-01-01T00:10:00Z",
                             "--updated-before", "2024-01-01T00:20:00Z"), list(range(10, 21)))

    def test_list_include(self):
        rc, out, _ = run(["--json", "users", "list", "--limit", "8", "--include",
                          "partnerInvites,externalAppData"], url=HTTP.url())
        self.assertEqual(rc, 0)
        users = [json.loads(x) for x in out.splitlines()]
        self.assertEqual(users[6]["partnerInvites"][0]["partnerId"], 1)
        self.assertEqual(users[7]["externalAppData"]["externalCustomerId"], "cus_000008")

    def test_unicode_names_read(self):
        rc, out, _ = run(["users", "list", "--limit", "4"], url=HTTP.url())
        self.assertEqual(rc, 0)
        self.assertIn("Dmitri Łukasiewicz", out)
        rc, out, _ = run(["users", "get", "84"], url=HTTP.url())
        self.assertEqual(fields(out)["lastName"], "山田")

    def test_export_streams(self):
        rc, out, err = run(["users", "export", "5"], url=HTTP.url())
        self.assertEqual((rc, err), (0, ""))
        doc = json.loads(out)
        self.assertGreater(len(out.encode()), 4096 * 4)   # far more than the working buffer
        self.assertIn("user5@example.com", out)
        self.assertIsInstance(doc, dict)
        rc, out, _ = run(["--json", "users", "export", "5"], url=HTTP.url())
        self.assertEqual(rc, 0)
        self.assertEqual(len(out.splitlines()), 1)
        json.loads(out)

    def test_progress_only_on_a_terminal(self):
        rc, out, err = run(["users", "list", "--limit", "30"], url=HTTP.url())
        self.assertEqual((rc, err), (0, ""))          # stderr is a pipe: no count
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen([CLI, "--url", HTTP.url(), "--token-file", TOKEN_FILE,
                                  "users", "list", "--limit", "30"],
                                 stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
            os.close(slave)
            slave = None
            out, _ = p.communicate(timeout=CLI_TIMEOUT)
            seen = b""
            while select.select([master], [], [], 0.5)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(len(out.splitlines()), 30)
        self.assertIn(b"30 users", seen)

    def test_not_found(self):
        rc, out, err = run(["users", "get", "999999"], url=HTTP.url())
        self.assertEqual(rc, 3)
        self.assertEqual(out, "")
        self.assertIn("not found (HTTP 404)", err)
        self.assertIn("No query results", err)
        self.assertEqual(len(err.splitlines()), 1)

    def test_env_url_and_token(self):
        rc, out, _ = run(["users", "get", "1"], token_file=False,
                         env={"CPUSER_URL": HTTP.url(), "CPUSER_TOKEN": TOKEN})
        self.assertEqual(rc, 0)
        self.assertEqual(fields(out)["id"], "1")

    def test_url_forms(self):
        for url in (HTTP.url() + "/", "HTTP://127.0.0.1:%d" % HTTP.port,
                    "http://localhost:%d" % HTTP.port):
            rc, out, err = run(["users", "get", "2"], url=url)
            self.assertEqual((rc, err), (0, ""), url)

    def test_retries_and_timeout_accepted(self):
        rc, _, err = run(["--retries", "3", "--timeout", "5000", "--api-version", "v1.0",
                          "users", "get", "2"], url=HTTP.url())
        self.assertEqual((rc, err), (0, ""))


# ---------------------------------------------------------------------------
# every command with changes, over plain HTTP
# ---------------------------------------------------------------------------

class Lifecycle(unittest.TestCase):

    def cli(self, *args, stdin=None):
        return run(list(args), url=CRUD.url(), stdin=stdin)

    def create(self, email, *extra):
        rc, out, err = self.cli("users", "create", "--email", email, "--password-stdin",
                                *extra, stdin=PASSWORD + "\n")
        self.assertEqual((rc, err), (0, ""))
        return fields(out)

    def test_create_all_flags_then_update(self):
        f = self.create("full@example.com", "--first-name", "Ada", "--middle-name", "King",
                        "--last-name", "Lovelace", "--phone", "+442079460000", "--country", "US",
                        "--state", "NY", "--city", "New York", "--post-code", "10001",
                        "--address", "1 Main St", "--vehicle-no", "NY-1", "--personal-id", "P1",
                        "--locale", "en-US", "--external-id", "crm-1", "--group", "1",
                        "--group", "3", "--sessions-allowed", "simultaneous_use_of_idtags",
                        "--require-password-reset", "--news")
        expect = {"email": "full@example.com", "firstName": "Ada", "middleName": "King",
                  "lastName": "Lovelace", "phone": "+442079460000", "country": "US",
                  "state": "NY", "city": "New York", "postCode": "10001",
                  "address": "1 Main St", "vehicleNo": "NY-1", "personalId": "P1",
                  "locale": "en-US", "externalId": "crm-1", "userGroupIds": "1,3",
                  "options.sessionsAllowed": "simultaneous_use_of_idtags",
                  "requirePasswordReset": "true", "receiveNewsAndPromotions": "true",
                  "status": "enabled", "balance": "0"}
        for k, v in expect.items():
            self.assertEqual(f.get(k), v, k)
        uid = f["id"]
        rc, out, _ = self.cli("--json", "users", "get", uid)
        self.assertEqual(rc, 0)
        u = json.loads(out)
        self.assertEqual((u["firstName"], u["userGroupIds"], u["state"]), ("Ada", [1, 3], "NY"))
        rc, out, err = self.cli("users", "update", uid, "--city", "Albany", "--group", "2",
                                "--email", "full2@example.com", "--sessions-allowed",
                                "single_session", "--password-stdin", stdin=PASSWORD + "x\n")
        self.assertEqual((rc, err), (0, ""))
        f = fields(out)
        self.assertEqual((f["city"], f["userGroupIds"], f["email"], f["options.sessionsAllowed"]),
                         ("Albany", "2", "full2@example.com", "single_session"))
        rc, out, _ = self.cli("--json", "users", "update", uid, "--first-name", "Augusta")
        self.assertEqual((rc, json.loads(out)["firstName"]), (0, "Augusta"))

    def test_actions(self):
        uid = self.create("actions@example.com")["id"]

        def balance():
            rc, out, _ = self.cli("users", "get", uid, "--with-amount-due")
            self.assertEqual(rc, 0)
            f = fields(out)
            return f["balance"], f.get("amountDue")

        rc, out, err = self.cli("users", "set-status", uid, "disabled", "--reason", "lost card")
        self.assertEqual((rc, out, err), (0, "user %s: status set to disabled\n" % uid, ""))
        rc, out, _ = self.cli("users", "get", uid)
        self.assertEqual(fields(out)["status"], "disabled")
        rc, out, _ = self.cli("--json", "users", "set-status", uid, "enabled", "--reason", "found")
        self.assertEqual(json.loads(out), {"id": uid, "action": "set-status", "httpStatus": 202})

        rc, out, _ = self.cli("users", "add-balance", uid, "12.5", "--reason", "top-up",
                              "--app-info", "kiosk 7")
        self.assertEqual((rc, out), (0, "user %s: balance changed by 12.5\n" % uid))
        rc, out, _ = self.cli("users", "add-balance", uid, "-0.005", "--reason", "fix")
        self.assertEqual(rc, 0)
        self.assertEqual(balance()[0], "12.495")
        rc, out, _ = self.cli("users", "apply-fee", uid, "2.495", "--description", "parking")
        self.assertEqual((rc, out), (0, "user %s: fee applied: 2.495\n" % uid))
        self.assertEqual(balance()[0], "10")
        rc, out, err = self.cli("users", "apply-fee", uid, "1000", "--description", "too much")
        self.assertEqual(rc, 4)
        self.assertIn("HTTP 400", err)
        self.assertIn("insufficient balance", err)
        rc, out, err = self.cli("users", "apply-fee", uid, "1", "--description", "card",
                                "--payment-method", "nope")
        self.assertEqual(rc, 4)
        self.assertIn("paymentMethodId", err)

        rc, out, _ = self.cli("users", "activate-subscription", uid, "--plan", "1",
                              "--end-date", "2030-01-31", "--auto-renew", "--reason", "promo")
        self.assertEqual((rc, out), (0, "user %s: subscription activated\n" % uid))
        self.assertEqual(balance()[1], "9.99")
        rc, _, err = self.cli("users", "activate-subscription", uid, "--plan", "2")
        self.assertEqual(rc, 4)
        self.assertIn("already has an active subscription", err)
        rc, out, _ = self.cli("users", "clear-amount-due", uid)
        self.assertEqual((rc, out), (0, "user %s: subscription amount due cleared\n" % uid))
        self.assertEqual(balance()[1], "0")
        rc, out, _ = self.cli("users", "cancel-subscription", uid, "--reason", "moved")
        self.assertEqual((rc, out), (0, "user %s: subscription cancelled\n" % uid))
        rc, _, err = self.cli("users", "cancel-subscription", uid, "--reason", "again")
        self.assertEqual(rc, 4)
        self.assertIn("no active subscription", err)

        rc, out, _ = self.cli("users", "redeem-voucher", uid, "WELCOME5")
        self.assertEqual((rc, out), (0, "user %s: voucher redeemed\n" % uid))
        self.assertEqual(balance()[0], "15.5")
        rc, _, err = self.cli("users", "redeem-voucher", uid, "WELCOME5")
        self.assertEqual(rc, 4)
        self.assertIn("HTTP 406", err)
        self.assertIn("already been redeemed", err)

        rc, out, _ = self.cli("--json", "users", "delete", uid)
        self.assertEqual(json.loads(out), {"id": uid, "action": "delete", "httpStatus": 204})
        rc, _, _ = self.cli("users", "get", uid)
        self.assertEqual(rc, 3)
        rc, _, _ = self.cli("users", "delete", uid)
        self.assertEqual(rc, 3)
        rc, _, _ = self.cli("users", "add-balance", uid, "1", "--reason", "gone")
        self.assertEqual(rc, 3)

    def test_unicode_round_trip(self):
        names = ("Zoë-Åsa 🚗", "Мария", "山田 太郎")
        f = self.create("unicode@example.com", "--first-name", names[0], "--middle-name",
                        names[1], "--last-name", names[2], "--city", "Zürich")
        rc, out, _ = self.cli("users", "get", f["id"])
        g = fields(out)
        self.assertEqual((g["firstName"], g["middleName"], g["lastName"], g["city"]),
                         names + ("Zürich",))
        rc, out, _ = self.cli("--json", "users", "get", f["id"])
        u = json.loads(out)
        self.assertEqual((u["firstName"], u["middleName"], u["lastName"]), names)
        rc, out, _ = self.cli("users", "list", "--email", "unicode@example.com")
        self.assertIn("Zoë-Åsa 🚗 山田 太郎", out)

    def test_field_errors_422(self):
        self.create("taken@example.com")
        rc, out, err = self.cli("users", "create", "--email", "taken@example.com",
                                "--password-stdin", "--group", "99", stdin=PASSWORD)
        self.assertEqual(rc, 4)
        self.assertEqual(out, "")
        self.assertEqual(len(err.splitlines()), 1)
        self.assertIn("validation failed (HTTP 422)", err)
        self.assertIn("email: The email has already been taken.", err)
        self.assertIn("userGroupIds.0: The selected user group ids.0 is invalid.", err)
        rc, out, err = self.cli("users", "list", "--updated-after", "yesterday-ish")
        self.assertEqual(rc, 4)
        self.assertIn("filter.lastUpdatedAfter", err)
        rc, _, err = self.cli("users", "list", "--group", "abc")
        self.assertEqual(rc, 4)
        self.assertIn("filter.userGroupId", err)

    def test_password_from_stdin_forms(self):
        # no final newline, CRLF, and a long one
        for i, stdin in enumerate((PASSWORD, PASSWORD + "\r\n", "p" * 900 + "\n")):
            rc, _, err = self.cli("users", "create", "--email", "pw%d@example.com" % i,
                                  "--password-stdin", stdin=stdin)
            self.assertEqual((rc, err), (0, ""))


# ---------------------------------------------------------------------------
# HTTP statuses and failures -> exit codes
# ---------------------------------------------------------------------------

class Failures(unittest.TestCase):

    def test_401_wrong_token(self):
        bad = os.path.join(TMP, "bad-token")
        with open(bad, "w") as f:
            f.write("not-the-token\n")
        rc, out, err = run(["users", "get", "1"], url=HTTP.url(), token_file=bad)
        self.assertEqual((rc, out), (5, ""))
        self.assertIn("unauthorized (HTTP 401): Unauthenticated.", err)
        self.assertNotIn("not-the-token", err)
        rc, _, _ = run(["users", "list"], url=TLS.url(), ca=ca(), token_file=bad)
        self.assertEqual(rc, 5)

    def test_403_read_only_token(self):
        sim = Sim("readonly", "--seed-users", "2", "--read-only-token", RO_TOKEN)
        ro = os.path.join(TMP, "ro-token")
        with open(ro, "w") as f:
            f.write(RO_TOKEN)
        try:
            rc, _, _ = run(["users", "get", "1"], url=sim.url(), token_file=ro)
            self.assertEqual(rc, 0)                      # reading is allowed
            for args in (["users", "delete", "1"],
                         ["users", "set-status", "1", "disabled", "--reason", "r"]):
                rc, out, err = run(args, url=sim.url(), token_file=ro)
                self.assertEqual((rc, out), (5, ""), args)
                self.assertIn("forbidden (HTTP 403)", err)
            rc, _, err = run(["users", "create", "--email", "ro@example.com", "--password-stdin"],
                             url=sim.url(), token_file=ro, stdin=PASSWORD)
            self.assertEqual(rc, 5)
        finally:
            sim.stop()
        # and a 403 on a read, from a stub
        stub = Stub(Stub.response(403, {"message": "This action is unauthorized."}, "Forbidden"))
        try:
            rc, _, err = run(["users", "get", "1"], url=stub.url())
        finally:
            stub.stop()
        self.assertEqual(rc, 5)
        self.assertIn("forbidden (HTTP 403): This action is unauthorized.", err)

    def test_429_rate_limited(self):
        with Sim("ratelimit", "--seed-users", "2", "--rate-limit", "2") as sim:
            for _ in range(2):
                rc, _, _ = run(["users", "get", "1"], url=sim.url())
                self.assertEqual(rc, 0)
            rc, out, err = run(["users", "get", "1"], url=sim.url())
        self.assertEqual((rc, out), (6, ""))
        self.assertIn("rate limited (HTTP 429): Too Many Attempts.", err)
        self.assertIn("retry after", err)

    def test_5xx_stub(self):
        for status, reason in ((500, "Internal Server Error"), (503, "Service Unavailable")):
            stub = Stub(Stub.response(status, {"message": "Server Error"}, reason))
            try:
                rc, _, err = run(["users", "list"], url=stub.url())
            finally:
                stub.stop()
            self.assertEqual(rc, 9, status)
            self.assertIn("HTTP %d" % status, err)
        stub = Stub(Stub.response(502, b"<html>bad gateway</html>", "Bad Gateway", "text/html"))
        try:
            rc, _, err = run(["users", "get", "1"], url=stub.url())
        finally:
            stub.stop()
        self.assertEqual(rc, 9)
        self.assertNotIn("<html>", err)

    def test_malformed_responses(self):
        for reply in (Stub.response(200, b"this is not json"),
                      Stub.response(200, {"data": 5}),
                      b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n",
                      b"garbage\r\n\r\n"):
            stub = Stub(reply)
            try:
                rc, out, err = run(["users", "get", "1"], url=stub.url())
            finally:
                stub.stop()
            self.assertEqual(rc, 10, reply[:40])
            self.assertEqual(out, "")

    def test_network_failures(self):
        rc, _, err = run(["users", "get", "1"], url="http://127.0.0.1:%d" % closed_port())
        self.assertEqual(rc, 7)
        self.assertIn("connection failed", err)
        stub = Stub(None)   # accepts, never answers
        try:
            t = time.monotonic()
            rc, _, err = run(["--timeout", "400", "users", "get", "1"], url=stub.url())
            spent = time.monotonic() - t
        finally:
            stub.stop()
        self.assertEqual(rc, 7)
        self.assertIn("timeout", err)
        self.assertLess(spent, 5)

    def test_hostile_server_text(self):
        # control characters and terminal escapes are shown escaped; an echoed
        # token or password is redacted
        body = {"message": "boom \u001b[31mred\u0007 \u009b2J \u202egnp.exe " + TOKEN,
                "errors": {"name\u001b]0;x": ["echo " + PASSWORD]}}
        stub = Stub(Stub.response(422, body, "Unprocessable Content"))
        try:
            rc, out, err = run(["users", "update", "1", "--first-name", "x", "--password-stdin"],
                               url=stub.url(), stdin=PASSWORD)
        finally:
            stub.stop()
        self.assertEqual(rc, 4)
        self.assertNotIn("\x1b", err)
        self.assertNotIn("\x07", err)
        self.assertNotIn("\u009b", err)
        self.assertNotIn("\u202e", err)
        self.assertIn("\\u001B[31mred\\u0007", err)
        self.assertIn("\\u202E", err)
        self.assertIn("***", err)
        self.assertEqual(len(err.splitlines()), 1)

    def test_hostile_user_fields(self):
        user = {"data": {"id": "7", "email": "a@b.co", "firstName": "Eve\u001b[2J\r\nX",
                         "lastName": "\u0085"}}
        stub = Stub(Stub.response(200, user, "OK"))
        try:
            rc, out, _ = run(["users", "get", "7"], url=stub.url())
        finally:
            stub.stop()
        self.assertEqual(rc, 0)
        self.assertNotIn("\x1b", out)
        self.assertIn("Eve\\u001B[2J\\u000D\\u000AX", out)
        self.assertIn("\\u0085", out)


# ---------------------------------------------------------------------------
# TLS
# ---------------------------------------------------------------------------

class Tls(unittest.TestCase):

    def test_commands_over_tls(self):
        rc, out, err = run(["users", "get", "3"], url=TLS.url(), ca=ca())
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(fields(out)["email"], "user3@example.com")
        rc, out, _ = run(["users", "list", "--per-page", "7"], url=TLS.url(), ca=ca())
        self.assertEqual((rc, len(out.splitlines())), (0, 30))
        rc, out, err = run(["users", "create", "--email", "tls@example.com", "--password-stdin",
                            "--last-name", "Säfe"], url=TLS.url(), ca=ca(), stdin=PASSWORD)
        self.assertEqual((rc, err), (0, ""))
        uid = fields(out)["id"]
        for args in (["users", "update", uid, "--city", "Sofia"],
                     ["users", "set-status", uid, "disabled", "--reason", "r"],
                     ["users", "add-balance", uid, "1.001", "--reason", "r"],
                     ["users", "apply-fee", uid, "0.001", "--description", "d"],
                     ["users", "activate-subscription", uid, "--plan", "3"],
                     ["users", "clear-amount-due", uid],
                     ["users", "cancel-subscription", uid, "--reason", "r"],
                     ["users", "redeem-voucher", uid, "VOUCHER10"]):
            rc, _, err = run(args, url=TLS.url(), ca=ca())
            self.assertEqual((rc, err), (0, ""), args)
        rc, out, _ = run(["users", "get", uid], url=TLS.url(), ca=ca())
        f = fields(out)
        self.assertEqual((f["city"], f["status"], f["balance"], f["lastName"]),
                         ("Sofia", "disabled", "11", "Säfe"))
        rc, out, _ = run(["users", "export", uid], url=TLS.url(), ca=ca())
        self.assertEqual(rc, 0)
        self.assertIn("tls@example.com", out)
        rc, _, _ = run(["users", "delete", uid], url=TLS.url(), ca=ca())
        self.assertEqual(rc, 0)
        rc, _, _ = run(["users", "get", uid], url=TLS.url(), ca=ca())
        self.assertEqual(rc, 3)

    def test_rsa_chain(self):
        # a public-backend-like chain: RSA leaf + intermediate, RSA root as --ca
        certs = os.path.join(TMP, "rsa-certs")
        subprocess.run(["sh", MAKE_CERTS, certs, "rsa"], check=True, stdout=subprocess.DEVNULL,
                       timeout=120)
        sim = Sim("rsa", "--seed-users", "3", "--tls-cert", os.path.join(certs, "rsa-chain.crt"),
                  "--tls-key", os.path.join(certs, "rsa-server.key"))
        sim.tls = True
        try:
            rc, out, err = run(["users", "list"], url=sim.url(),
                               ca=os.path.join(certs, "rsa-root.crt"))
            self.assertEqual((rc, err), (0, ""))
            self.assertEqual(len(out.splitlines()), 3)
            rc, _, err = run(["users", "list"], url=sim.url(), ca=ca())
            self.assertEqual(rc, 8)
        finally:
            sim.stop()

    def test_der_ca_and_default_scheme(self):
        rc, _, err = run(["users", "get", "1"], url=TLS.url(), ca=ca("ca.der"))
        self.assertEqual((rc, err), (0, ""))
        rc, _, err = run(["users", "get", "1"], url="localhost:%d" % TLS.port, ca=ca())
        self.assertEqual((rc, err), (0, ""))   # no scheme: https

    def test_wrong_ca(self):
        rc, out, err = run(["users", "get", "1"], url=TLS.url(), ca=ca("otherca.crt"))
        self.assertEqual((rc, out), (8, ""))
        self.assertIn("certificate verification failed", err)
        self.assertIn("not signed by a trusted CA", err)

    def test_system_ca_does_not_trust_the_test_ca(self):
        if not os.path.exists("/etc/ssl/certs/ca-certificates.crt"):
            self.skipTest("no system CA bundle")
        rc, _, err = run(["users", "get", "1"], url=TLS.url())
        self.assertEqual(rc, 8)

    def test_ip_literal_is_not_a_dns_name(self):
        # mbedTLS 2.28 checks host names against DNS SANs only: 127.0.0.1
        # does not verify even though the certificate lists it as an IP SAN.
        rc, _, err = run(["users", "get", "1"], url="https://127.0.0.1:%d" % TLS.port, ca=ca())
        self.assertEqual(rc, 8)
        self.assertIn("another host name", err)

    def test_wrong_host_and_expired(self):
        for cert, why in (("wronghost", "another host name"), ("expired", "expired")):
            with Sim("tls-" + cert, tls=True, cert=cert) as sim:
                rc, _, err = run(["users", "get", "1"], url=sim.url(), ca=ca())
            self.assertEqual(rc, 8, cert)
            self.assertIn(why, err)
            self.assertEqual(sim.log_lines(), [])

    def test_https_to_a_plain_http_server(self):
        rc, _, err = run(["users", "get", "1"], url="https://localhost:%d" % HTTP.port, ca=ca())
        self.assertEqual(rc, 8)

    def test_mutual_tls(self):
        with Sim("mtls", "--seed-users", "1", "--tls-client-ca", ca(), tls=True) as sim:
            rc, out, err = run(["--cert", os.path.join(CERTS, "client.crt"), "--key",
                                os.path.join(CERTS, "client.key"), "users", "get", "1"],
                               url=sim.url(), ca=ca())
            self.assertEqual((rc, err), (0, ""))
            rc, _, err = run(["users", "get", "1"], url=sim.url(), ca=ca())
            self.assertEqual(rc, 8)
            self.assertIn("TLS", err)

    def test_ipv6_literal(self):
        try:
            s = socket.socket(socket.AF_INET6)
            s.bind(("::1", 0))
            s.close()
        except OSError:
            self.skipTest("no IPv6 loopback")
        with Sim("ipv6", "--seed-users", "1", host="::1") as sim:
            rc, out, err = run(["users", "get", "1"], url="http://[::1]:%d" % sim.port)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(fields(out)["id"], "1")


# ---------------------------------------------------------------------------
# usage errors: exit 2, nothing sent
# ---------------------------------------------------------------------------

class Usage(unittest.TestCase):

    def refused(self, args, stdin=None, url="quiet", token_file=True, expect=None, env=None):
        before = len(QUIET.log_lines())
        rc, out, err = run(args, url=QUIET.url() if url == "quiet" else url, stdin=stdin,
                           token_file=token_file, env=env)
        self.assertEqual(rc, 2, (args, err))
        self.assertEqual(out, "")
        self.assertTrue(err.startswith("cpuser: "), err)
        if expect:
            self.assertIn(expect, err)
        self.assertEqual(len(QUIET.log_lines()), before, "a request was sent: %r" % (args,))

    def test_command_shape(self):
        self.refused([], expect="no command given")
        self.refused(["vouchers", "list"], expect="unknown resource")
        self.refused(["users"], expect="needs an ACTION")
        self.refused(["users", "fly"], expect="unknown users action")
        self.refused(["users", "get"], expect="missing arguments")
        self.refused(["users", "get", "1", "2"], expect="too many arguments")
        self.refused(["users", "get", "1", "--bogus"], expect="unknown option: --bogus")
        self.refused(["users", "get", "1", "--reason", "x"], expect="does not take --reason")
        self.refused(["users", "get", "1", "--json=yes"], expect="takes no value")
        self.refused(["users", "get", "1", "--include"], expect="missing value")
        self.refused(["users", "get", "1", "--json", "--json"], expect="given twice")
        self.refused(["users", "get", ""], expect="ID is empty")
        self.refused(["users", "get", ".."], expect="cannot be . or ..")
        self.refused(["--token", TOKEN[:4], "users", "get", "1"], expect="unknown option")

    def test_values(self):
        self.refused(["users", "list", "--per-page", "0"], expect="1..100")
        self.refused(["users", "list", "--per-page", "101"], expect="1..100")
        self.refused(["users", "list", "--per-page", "ten"])
        self.refused(["users", "list", "--limit", "0"])
        self.refused(["users", "list", "--group", "1", "--group", "2"], expect="one --group")
        self.refused(["users", "list", "--include", "partnerInvites,bogus"], expect="--include")
        self.refused(["users", "get", "1", "--include", ""])
        self.refused(["--api-version", "v2.0", "users", "get", "1"], expect="v1.0")
        self.refused(["--retries", "11", "users", "get", "1"], expect="0..10")
        self.refused(["--retries", "-1", "users", "get", "1"])
        self.refused(["--timeout", "0", "users", "get", "1"])
        self.refused(["users", "set-status", "1", "paused", "--reason", "r"], expect="enabled or disabled")
        self.refused(["users", "set-status", "1", "disabled"], expect="needs --reason")
        self.refused(["users", "cancel-subscription", "1"], expect="needs --reason")
        self.refused(["users", "apply-fee", "1", "2"], expect="needs --description")
        self.refused(["users", "activate-subscription", "1"], expect="needs --plan")
        self.refused(["users", "activate-subscription", "1", "--plan", "x"])
        self.refused(["users", "activate-subscription", "1", "--plan", "1", "--end-date", "2030-1-1"],
                     expect="YYYY-MM-DD")
        self.refused(["users", "add-balance", "1", "1", "--reason", "r", "--app-info", "x" * 2001])

    def test_amounts(self):
        for amount in ("12.3456", "abc", "1e3", ".5", "5.", "1,5", "--1", "+-1", "",
                       "9223372036854775.808", "99999999999999999999", "0x10", " 1"):
            self.refused(["users", "add-balance", "1", amount, "--reason", "r"], expect=None)
        # the largest amounts that fit are accepted (they reach the server: 404 here)
        for amount in ("9223372036854775.807", "-9223372036854775.808", "-0.005", "+7"):
            rc, _, _ = run(["users", "add-balance", "999999", amount, "--reason", "r"],
                           url=HTTP.url())
            self.assertEqual(rc, 3, amount)

    def test_create_update_fields(self):
        self.refused(["users", "create", "--password-stdin"], stdin=PASSWORD, expect="needs --email")
        self.refused(["users", "create", "--email", "a@b.co"], expect="needs --password-stdin")
        self.refused(["users", "create", "--email", "not-an-email", "--password-stdin"],
                     stdin=PASSWORD, expect="--email: not an email address")
        self.refused(["users", "create", "--email", "a@b.co", "--password-stdin", "--country", "XX"],
                     stdin=PASSWORD, expect="--country")
        self.refused(["users", "create", "--email", "a@b.co", "--password-stdin", "--state", "NY"],
                     stdin=PASSWORD, expect="--state: needs --country US or AU")
        self.refused(["users", "create", "--email", "a@b.co", "--password-stdin",
                      "--sessions-allowed", "many"], stdin=PASSWORD, expect="--sessions-allowed")
        self.refused(["users", "create", "--email", "a@b.co", "--password-stdin", "--group", "x"],
                     stdin=PASSWORD, expect="--group")
        self.refused(["users", "create", "--email", "a@b.co", "--password-stdin"] +
                     ["--group=%d" % i for i in range(1, 18)], stdin=PASSWORD)
        self.refused(["users", "create", "--email", "a@b.co", "--password-stdin"], stdin="abc\n",
                     expect="at least 6 characters")
        self.refused(["users", "create", "--email", "a@b.co", "--password-stdin"], stdin="",
                     expect="no password")
        self.refused(["users", "create", "--email", "a@b.co", "--password-stdin"],
                     stdin="x" * 2000, expect="over 1024 bytes")
        self.refused(["users", "update", "1"], expect="nothing to change")
        self.refused(["users", "update", "1", "--personal-id", "P"], expect="cannot change it")
        self.refused(["users", "update", "1", "--locale", "en"], expect="cannot change it")
        self.refused(["users", "update", "1", "--email", "x@y"], expect="--email")
        # a request that cannot fit in the 4096-byte working buffer
        self.refused(["users", "update", "1", "--address", "a" * 5000], expect="working buffer")

    def test_connection_settings(self):
        self.refused(["users", "get", "1"], url=None, expect="no server")
        for url, why in (("ftp://localhost", "unsupported scheme"),
                         ("http://localhost:%d/api" % QUIET.port, "path prefix"),
                         ("http://user:pw@localhost:%d" % QUIET.port, "credentials"),
                         ("http://localhost:0", "port"), ("http://localhost:99999", "port"),
                         ("http://localhost:%d?x=1" % QUIET.port, "query"),
                         ("http://[::1", "IPv6"), ("http://[fe80::1%25eth0]:80", "IPv6"),
                         ("http://bad host", "host name"), ("http://", "no host")):
            self.refused(["users", "get", "1"], url=url, expect=why)
        self.refused(["users", "get", "1"], token_file=False, expect="no token")
        self.refused(["users", "get", "1"], token_file=os.path.join(TMP, "missing"),
                     expect="--token-file")
        spaced = os.path.join(TMP, "spaced-token")
        with open(spaced, "w") as f:
            f.write("two words\n")
        self.refused(["users", "get", "1"], token_file=spaced, expect="token has a space")
        empty = os.path.join(TMP, "empty-token")
        open(empty, "w").close()
        self.refused(["users", "get", "1"], token_file=empty, expect="empty")
        self.refused(["--ca", ca(), "users", "get", "1"], expect="need an https:// URL")
        tls = "https://localhost:%d" % QUIET.port
        self.refused(["--cert", ca(), "users", "get", "1"], url=tls, expect="go together")
        self.refused(["--ca", os.path.join(TMP, "missing.crt"), "users", "get", "1"], url=tls,
                     expect="--ca")
        junk = os.path.join(TMP, "junk.crt")
        with open(junk, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
        self.refused(["--ca", junk, "users", "get", "1"], url=tls, expect="not a valid certificate")
        self.refused(["--ca", ca(), "--cert", os.path.join(CERTS, "client.crt"), "--key",
                      os.path.join(CERTS, "server.key"), "users", "get", "1"], url=tls,
                     expect="do not match")

    def test_zz_quiet_server_never_saw_a_request(self):
        self.assertEqual(QUIET.log_lines(), [])


# ---------------------------------------------------------------------------
# secrets in the servers' logs (runs last)
# ---------------------------------------------------------------------------

class Secrets(unittest.TestCase):

    def test_no_secret_in_any_output_or_log(self):
        self.assertGreater(len(ALL_OUTPUT), 100)
        for text in ALL_OUTPUT:
            for s in SECRETS:
                self.assertNotIn(s, text)
        logs = 0
        for sim in testlib.SIMS:
            for path in (sim.log_path, sim.out_path):
                if os.path.exists(path):
                    with open(path, encoding="utf-8", errors="replace") as f:
                        text = f.read()
                    logs += len(text.splitlines())
                    for s in SECRETS:
                        self.assertNotIn(s, text, path)
        self.assertGreater(logs, 100)

    def test_no_secret_in_the_cli_argv(self):
        # the CLI never takes them as arguments; check a running one's argv
        stub = Stub(None)
        try:
            p = subprocess.Popen([CLI, "--url", stub.url(), "--token-file", TOKEN_FILE,
                                  "--timeout", "3000", "users", "create", "--email", "a@b.co",
                                  "--password-stdin"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            p.stdin.write(PASSWORD.encode())
            p.stdin.close()
            deadline = time.monotonic() + 3
            while not stub.requests and time.monotonic() < deadline:
                time.sleep(0.02)
            with open("/proc/%d/cmdline" % p.pid, "rb") as f:
                argv = f.read().decode("utf-8", "replace")
            with open("/proc/%d/environ" % p.pid, "rb") as f:
                environ = f.read().decode("utf-8", "replace")
            p.wait(timeout=CLI_TIMEOUT)
            out, err = p.stdout.read().decode(), p.stderr.read().decode()
            p.stdout.close()
            p.stderr.close()
        finally:
            stub.stop()
        for s in SECRETS:
            self.assertNotIn(s, argv)
            self.assertNotIn(s, environ)
            self.assertNotIn(s, out + err)
        self.assertEqual(p.returncode, 7)              # the stub never answered
        self.assertIn(b"Bearer " + TOKEN.encode(), stub.requests[0])  # but it did get the call


# ---------------------------------------------------------------------------

ORDER = (Reads, Lifecycle, Failures, Tls, Usage, Secrets)


if __name__ == "__main__":
    sys.exit(testlib.main("test_cli", ORDER))
