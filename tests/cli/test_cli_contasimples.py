#!/usr/bin/env python3
"""End-to-end tests of `cpuser contasimples delete-user` (build/cpuser)
against the Conta Simples simulator (tests/sim/contasimples_sim.py), with a
static token and with OAuth2 client credentials.

Run after `make build/cpuser`:  python3 tests/cli/test_cli_contasimples.py
(CPUSER_CLI=/path/to/cpuser tests another build.) Python 3 standard library
only; every wait is bounded, every simulator stopped, the temporary
directory removed. Ends with "N passed, N failed".
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLI = os.environ.get("CPUSER_CLI") or os.path.join(ROOT, "build", "cpuser")
SIM = os.path.join(ROOT, "tests", "sim", "contasimples_sim.py")
MAKE_CERTS = os.path.join(ROOT, "tests", "tls", "make_certs.sh")
CLI_TIMEOUT = 30
RUN_LIMIT_S = 120

TOKEN = "tok-" + secrets.token_hex(16)
CLIENT_ID = "cli-client"
CLIENT_SECRET = "sec-" + secrets.token_hex(12) + " &=+"  # needs percent-encoding
MAIN = "00000000-0000-4000-8000-000000000001"
USER = "550e8400-e29b-41d4-a716-446655440000"
FLAKY = "6fa459ea-ee8a-4ca4-894e-db77e160355e"
BROKEN = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

TMP = tempfile.mkdtemp(prefix="cpuser-cli-cs-")
TOKEN_FILE = os.path.join(TMP, "token")
SECRET_FILE = os.path.join(TMP, "client-secret")
SIMS = []
ALL_OUTPUT = []


class Sim:
    count = 0

    def __init__(self, *extra, cert=None):
        Sim.count += 1
        d = os.path.join(TMP, "sim%d" % Sim.count)
        os.makedirs(d)
        self.log = os.path.join(d, "requests.log")
        self.capture = os.path.join(d, "capture.jsonl")
        self.out = os.path.join(d, "out.txt")
        port_file = os.path.join(d, "port")
        args = [sys.executable, SIM, "--port", "0", "--port-file", port_file, "--token-file", TOKEN_FILE,
                "--client-id", CLIENT_ID, "--client-secret-file", SECRET_FILE, "--log", self.log,
                "--capture", self.capture, "--user", USER, "--user", FLAKY, "--user", BROKEN,
                "--fail-500", FLAKY, "--fail-500", BROKEN + "=99"] + list(extra)
        self.tls = cert is not None
        if self.tls:
            certs = os.path.join(TMP, "certs")
            args += ["--tls-cert", os.path.join(certs, cert + ".crt"),
                     "--tls-key", os.path.join(certs, cert + ".key")]
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        SIMS.append(self)
        deadline = time.monotonic() + 15
        self.port = 0
        while time.monotonic() < deadline and not self.port:
            if self.proc.poll() is not None:
                raise RuntimeError("simulator exited: " + open(self.out).read())
            try:
                with open(port_file) as f:
                    self.port = int(f.read().strip() or "0")
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.05)
        if not self.port:
            raise RuntimeError("simulator did not start")

    def url(self, host="127.0.0.1"):
        return "%s://%s:%d" % ("https" if self.tls else "http", host, self.port)

    def lines(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log, encoding="utf-8") as f:
            return [line for line in f.read().splitlines() if line]

    def captured(self):
        if not os.path.exists(self.capture):
            return []
        with open(self.capture, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def issued_tokens(self):
        out = set()
        for r in self.captured():
            for k, v in r["headers"]:
                if k.lower() == "authorization" and v.startswith("Bearer cs_"):
                    out.add(v[7:])
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def run(args, env=None):
    cmd = [CLI] + list(args)
    joined = " ".join(cmd)
    assert TOKEN not in joined and CLIENT_SECRET not in joined, "a secret on the command line"
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    full_env.update(env or {})
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=full_env, timeout=CLI_TIMEOUT)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    ALL_OUTPUT.extend((out, err))
    for s in (TOKEN, CLIENT_SECRET, CLIENT_SECRET.split(" ")[0]):
        assert s not in out and s not in err, "a secret in the CLI's output"
    return p.returncode, out, err


def static(sim, *args, **kw):
    return run(["--url", sim.url(), "--token-file", TOKEN_FILE, "--retries", "2"] + list(args), **kw)


def oauth(sim, *args, token_host="localhost", secret_file=True, env=None):
    base = ["--url", sim.url(), "--token-url", sim.url(token_host) + "/oauth2/token", "--client-id", CLIENT_ID]
    if secret_file:
        base += ["--client-secret-file", SECRET_FILE]
    return run(base + list(args), env=env)


class StaticTokenTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--seed-users", "4")

    def test_delete_then_not_found(self):
        rc, out, err = static(self.sim, "contasimples", "delete-user", USER)
        self.assertEqual((rc, out, err), (0, "user %s: deleted\n" % USER, ""))
        self.assertIn("DELETE /users/v1/users/%s 204" % USER, self.sim.lines())
        rc, out, err = static(self.sim, "contasimples", "delete-user", USER)
        self.assertEqual((rc, out), (3, ""))
        self.assertIn("not found (HTTP 404): The requested resource was not found", err)

    def test_json_output(self):
        uid = "00000000-0000-4000-8000-000000000002"
        rc, out, err = static(self.sim, "--json", "contasimples", "delete-user", uid)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(json.loads(out), {"id": uid, "action": "delete-user", "httpStatus": 204})

    def test_main_user_is_refused(self):
        rc, out, err = static(self.sim, "contasimples", "delete-user", MAIN)
        self.assertEqual((rc, out), (4, ""))
        self.assertIn("(HTTP 400): The user has the MAIN role and cannot be removed", err)
        self.assertIn("[userId: the MAIN user cannot be deleted]", err)

    def test_500_is_retried(self):
        rc, out, err = static(self.sim, "contasimples", "delete-user", FLAKY)
        self.assertEqual((rc, err), (0, ""))
        lines = [l for l in self.sim.lines() if FLAKY in l]
        self.assertEqual(lines, ["DELETE /users/v1/users/%s 500" % FLAKY, "DELETE /users/v1/users/%s 204" % FLAKY])

    def test_500_every_time_is_a_server_error_with_its_request_id(self):
        rc, out, err = static(self.sim, "contasimples", "delete-user", BROKEN)
        self.assertEqual(rc, 9)
        self.assertIn("server error (HTTP 5xx)", err)
        self.assertRegex(err, r"\(request id req_\d+\)")
        self.assertEqual(len([l for l in self.sim.lines() if BROKEN in l]), 3)  # --retries 2

    def test_wrong_token_is_auth_error(self):
        other = os.path.join(TMP, "other-token")
        with open(other, "w") as f:
            f.write("not-the-token\n")
        rc, _, err = run(["--url", self.sim.url(), "--token-file", other, "contasimples", "delete-user",
                          "00000000-0000-4000-8000-000000000003"])
        self.assertEqual(rc, 5)
        self.assertIn("unauthorized (HTTP 401): Authentication required", err)
        rc, _, _ = run(["--url", self.sim.url(), "contasimples", "delete-user", USER],
                       env={"CPUSER_TOKEN": "nope"})
        self.assertEqual(rc, 5)

    def test_token_from_the_environment(self):
        rc, out, err = run(["--url", self.sim.url(), "contasimples", "delete-user",
                            "00000000-0000-4000-8000-000000000004"], env={"CPUSER_TOKEN": TOKEN})
        self.assertEqual((rc, err), (0, ""))


class UsageTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim()

    def refused(self, args, expect, env=None):
        before = len(self.sim.lines())
        rc, out, err = run(["--url", self.sim.url()] + args, env=env)
        self.assertEqual((rc, out), (2, ""), err)
        self.assertIn(expect, err)
        self.assertEqual(len(self.sim.lines()), before, "something was sent")

    def test_bad_uuids_are_refused_before_sending(self):
        for bad in ("42", "550e8400-e29b-11d4-a716-446655440000", "550e8400e29b41d4a716446655440000",
                    "{%s}" % USER, USER + " ", ""):
            self.refused(["--token-file", TOKEN_FILE, "contasimples", "delete-user", bad], "not a v4 UUID")

    def test_arguments_and_options(self):
        t = ["--token-file", TOKEN_FILE]
        self.refused(t + ["contasimples"], "needs an ACTION")
        self.refused(t + ["contasimples", "delete"], "unknown contasimples action")
        self.refused(t + ["contasimples", "delete-user"], "missing arguments")
        self.refused(t + ["contasimples", "delete-user", USER, USER], "too many arguments")
        self.refused(t + ["contasimples", "delete-user", USER, "--email", "a@b.c"], "does not take --email")
        self.refused(t + ["users", "delete", "1", "--token-url", "http://x/t"], "does not take --token-url")
        self.refused(["contasimples", "delete-user", USER, "--client-secret", "x"], "unknown option")
        self.refused(t + ["contasimples", "delete-user", USER, "--client-id", "x"], "go with --token-url")
        self.refused(["contasimples", "delete-user", USER, "--token-url", self.sim.url() + "/oauth2/token"],
                     "--token-url needs --client-id")
        self.refused(t + ["contasimples", "delete-user", USER, "--token-url", self.sim.url() + "/t",
                          "--client-id", "x"], "exclude each other")
        self.refused(["contasimples", "delete-user", USER, "--token-url", "https://localhost/t",
                      "--client-id", "x", "--client-secret-file", SECRET_FILE], "scheme of --url")
        self.refused(["contasimples", "delete-user", USER, "--token-url", self.sim.url(),
                      "--client-id", "x", "--client-secret-file", SECRET_FILE], "needs a path")
        self.refused(["contasimples", "delete-user", USER, "--token-url", self.sim.url() + "/t",
                      "--client-id", "x"], "no client secret")
        self.refused(["contasimples", "delete-user", USER, "--token-url", self.sim.url() + "/t",
                      "--client-id", "x", "--client-secret-file", os.path.join(TMP, "missing")],
                     "cannot read the --client-secret-file")
        self.refused(["contasimples", "delete-user", USER], "no token")

    def test_help_mentions_it(self):
        rc, out, _ = run(["--help"])
        self.assertEqual(rc, 0)
        self.assertIn("contasimples delete-user UUID", out)
        self.assertIn("--client-secret-file", out)


class OAuthTests(unittest.TestCase):
    def test_delete_with_client_credentials(self):
        sim = Sim("--seed-users", "2", "--scope", "users:delete")
        rc, out, err = oauth(sim, "--scope", "users:delete", "contasimples", "delete-user",
                             "00000000-0000-4000-8000-000000000002")
        self.assertEqual((rc, out, err), (0, "user 00000000-0000-4000-8000-000000000002: deleted\n", ""))
        self.assertEqual(sim.lines()[0], "POST /oauth2/token 200")
        self.assertEqual(sim.lines()[1], "DELETE /users/v1/users/00000000-0000-4000-8000-000000000002 204")
        records = sim.captured()
        self.assertIn(["Host", "localhost:%d" % sim.port], records[0]["headers"])  # the token host
        self.assertIn(["Content-Type", "application/x-www-form-urlencoded"], records[0]["headers"])
        self.assertIn("client_secret=" + CLIENT_SECRET.replace(" ", "%20").replace("&", "%26")
                      .replace("=", "%3D").replace("+", "%2B"), records[0]["body"])
        secret_hits = [r for r in records if CLIENT_SECRET.split(" ")[0] in json.dumps(r)]
        self.assertEqual(secret_hits, [records[0]])  # only the token request carries it
        for tok in sim.issued_tokens():
            self.assertFalse(any(tok in text for text in ALL_OUTPUT))

    def test_secret_from_the_environment(self):
        sim = Sim("--seed-users", "2")
        rc, _, err = oauth(sim, "contasimples", "delete-user", "00000000-0000-4000-8000-000000000002",
                           secret_file=False, env={"CPUSER_CLIENT_SECRET": CLIENT_SECRET})
        self.assertEqual((rc, err), (0, ""))

    def test_wrong_secret_is_an_auth_error(self):
        sim = Sim()
        rc, out, err = oauth(sim, "contasimples", "delete-user", USER, secret_file=False,
                             env={"CPUSER_CLIENT_SECRET": "wrong"})
        self.assertEqual((rc, out), (5, ""))
        self.assertIn("unauthorized (HTTP 401): invalid_client", err)
        self.assertEqual(sim.lines(), ["POST /oauth2/token 401"])

    def test_errors_after_a_token(self):
        sim = Sim()
        rc, _, err = oauth(sim, "contasimples", "delete-user", MAIN)
        self.assertEqual(rc, 4)
        self.assertIn("MAIN", err)
        rc, _, err = oauth(sim, "contasimples", "delete-user", "00000000-0000-4000-8000-000000000009")
        self.assertEqual(rc, 3)

    def test_expired_token_is_refreshed_once_within_a_run(self):
        # the server drops tokens at once although it announces an hour: the
        # run gets 401, fetches one new token, sends again, and gets 401 again
        sim = Sim("--token-valid", "0")
        rc, _, err = oauth(sim, "contasimples", "delete-user", USER)
        self.assertEqual(rc, 5)
        self.assertEqual(sim.lines(), ["POST /oauth2/token 200", "DELETE /users/v1/users/%s 401" % USER,
                                       "POST /oauth2/token 200", "DELETE /users/v1/users/%s 401" % USER])


class TlsTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        subprocess.run(["sh", MAKE_CERTS, os.path.join(TMP, "certs")], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        cls.ca = os.path.join(TMP, "certs", "ca.crt")

    def test_oauth2_over_tls(self):
        # mbedTLS 2.x matches DNS names only, so both go to "localhost"
        sim = Sim("--seed-users", "2", cert="server")
        rc, out, err = run(["--url", sim.url("localhost"), "--ca", self.ca, "--token-url",
                            sim.url("localhost") + "/oauth2/token", "--client-id", CLIENT_ID,
                            "--client-secret-file", SECRET_FILE, "contasimples", "delete-user",
                            "00000000-0000-4000-8000-000000000002"])
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(sim.lines(), ["POST /oauth2/token 200",
                                       "DELETE /users/v1/users/00000000-0000-4000-8000-000000000002 204"])

    def test_token_endpoint_certificate_for_another_name_is_refused(self):
        api = Sim("--seed-users", "2", cert="server")
        token = Sim(cert="wronghost")
        rc, out, err = run(["--url", api.url("localhost"), "--ca", self.ca, "--token-url",
                            token.url("localhost") + "/oauth2/token", "--client-id", CLIENT_ID,
                            "--client-secret-file", SECRET_FILE, "contasimples", "delete-user", USER])
        self.assertEqual((rc, out), (8, ""))
        self.assertIn("issued for another host name", err)
        self.assertEqual(api.lines(), [])     # the API never saw a request
        self.assertEqual(token.lines(), [])   # nor did the token endpoint (handshake refused)


def cleanup():
    for sim in SIMS:
        try:
            sim.stop()
        except Exception:  # noqa: BLE001 - keep stopping the others
            sim.proc.kill()
    shutil.rmtree(TMP, ignore_errors=True)


def watchdog():
    sys.stderr.write("\ntest_cli_contasimples: the run exceeded %d s\n" % RUN_LIMIT_S)
    cleanup()
    print("0 passed, 1 failed", flush=True)
    os._exit(1)


def main():
    with open(TOKEN_FILE, "w") as f:
        f.write(TOKEN + "\n")
    with open(SECRET_FILE, "w") as f:
        f.write(CLIENT_SECRET + "\n")
    if not os.access(CLI, os.X_OK):
        print("test_cli_contasimples: %s is missing; run make build/cpuser first" % CLI)
        print("0 passed, 1 failed", flush=True)
        return 1
    timer = threading.Timer(RUN_LIMIT_S, watchdog)
    timer.daemon = True
    timer.start()
    try:
        suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
        result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    finally:
        timer.cancel()
        cleanup()
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("%d passed, %d failed" % (max(passed, 0), failed), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
