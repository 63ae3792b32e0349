#!/usr/bin/env python3
"""End-to-end tests of `cpuser contasimples delete-user` (build/cpuser)
against the Conta Simples simulator (tests/sim/contasimples_sim.py), with a
static token and with OAuth2 client credentials.

Run after `make build/cpuser`:  python3 tests/cli/test_cli_contasimples.py
(CPUSER_CLI=/path/to/cpuser tests another build.) Python 3 standard library
only; every wait is bounded, every simulator stopped, the temporary
directory removed. Ends with "N passed, N failed".
"""

import itertools
import json
import os
import secrets
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import testlib  # noqa: E402  (tests/testlib.py: simulator processes, the CLI runner, the runner)

CLI = os.environ.get("CPUSER_CLI") or os.path.join(ROOT, "build", "cpuser")
SIM = os.path.join(ROOT, "tests", "sim", "contasimples_sim.py")
MAKE_CERTS = os.path.join(ROOT, "tests", "tls", "make_certs.sh")
RUN_LIMIT_S = 120

TOKEN = "tok-" + secrets.token_hex(16)
CLIENT_ID = "cli-client"
CLIENT_SECRET = "sec-" + secrets.token_hex(12) + " &=+"  # needs percent-encoding
MAIN = "00000000-0000-4000-8000-000000000001"
USER = "550e8400-e29b-41d4-a716-446655440000"
FLAKY = "6fa459ea-ee8a-4ca4-894e-db77e160355e"
BROKEN = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

TMP = testlib.temp_dir("cpuser-cli-cs-")
TOKEN_FILE = os.path.join(TMP, "token")
SECRET_FILE = os.path.join(TMP, "client-secret")
ALL_OUTPUT = []


class Sim(testlib.Sim):
    captures = itertools.count(1)

    def __init__(self, *extra, cert=None):
        self.capture = os.path.join(TMP, "capture%d.jsonl" % next(Sim.captures))
        self.tls = cert is not None
        if self.tls:
            certs = os.path.join(TMP, "certs")
            extra += ("--tls-cert", os.path.join(certs, cert + ".crt"),
                      "--tls-key", os.path.join(certs, cert + ".key"))
        super().__init__(SIM, TMP, "--token-file", TOKEN_FILE, "--client-id", CLIENT_ID,
                         "--client-secret-file", SECRET_FILE, "--capture", self.capture,
                         "--user", USER, "--user", FLAKY, "--user", BROKEN,
                         "--fail-500", FLAKY, "--fail-500", BROKEN + "=99", *extra)

    def url(self, host="127.0.0.1"):
        return "%s://%s:%d" % ("https" if self.tls else "http", host, self.port)

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


def run(args, env=None):
    return testlib.run_cli([CLI] + list(args), (TOKEN, CLIENT_SECRET, CLIENT_SECRET.split(" ")[0]),
                           env=env, seen=ALL_OUTPUT)


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
        self.assertIn("DELETE /users/v1/users/%s 204" % USER, self.sim.log_lines())
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
        lines = [l for l in self.sim.log_lines() if FLAKY in l]
        self.assertEqual(lines, ["DELETE /users/v1/users/%s 500" % FLAKY, "DELETE /users/v1/users/%s 204" % FLAKY])

    def test_500_every_time_is_a_server_error_with_its_request_id(self):
        rc, out, err = static(self.sim, "contasimples", "delete-user", BROKEN)
        self.assertEqual(rc, 9)
        self.assertIn("server error (HTTP 5xx)", err)
        self.assertRegex(err, r"\(request id req_\d+\)")
        self.assertEqual(len([l for l in self.sim.log_lines() if BROKEN in l]), 3)  # --retries 2

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
        before = len(self.sim.log_lines())
        rc, out, err = run(["--url", self.sim.url()] + args, env=env)
        self.assertEqual((rc, out), (2, ""), err)
        self.assertIn(expect, err)
        self.assertEqual(len(self.sim.log_lines()), before, "something was sent")

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
        self.assertEqual(sim.log_lines()[0], "POST /oauth2/token 200")
        self.assertEqual(sim.log_lines()[1], "DELETE /users/v1/users/00000000-0000-4000-8000-000000000002 204")
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
        self.assertEqual(sim.log_lines(), ["POST /oauth2/token 401"])

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
        self.assertEqual(sim.log_lines(), ["POST /oauth2/token 200", "DELETE /users/v1/users/%s 401" % USER,
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
        self.assertEqual(sim.log_lines(), ["POST /oauth2/token 200",
                                       "DELETE /users/v1/users/00000000-0000-4000-8000-000000000002 204"])

    def test_token_endpoint_certificate_for_another_name_is_refused(self):
        api = Sim("--seed-users", "2", cert="server")
        token = Sim(cert="wronghost")
        rc, out, err = run(["--url", api.url("localhost"), "--ca", self.ca, "--token-url",
                            token.url("localhost") + "/oauth2/token", "--client-id", CLIENT_ID,
                            "--client-secret-file", SECRET_FILE, "contasimples", "delete-user", USER])
        self.assertEqual((rc, out), (8, ""))
        self.assertIn("issued for another host name", err)
        self.assertEqual(api.log_lines(), [])     # the API never saw a request
        self.assertEqual(token.log_lines(), [])   # nor did the token endpoint (handshake refused)


def main():
    if testlib.cli_missing("test_cli_contasimples", CLI):
        return 1
    with open(TOKEN_FILE, "w") as f:
        f.write(TOKEN + "\n")
    with open(SECRET_FILE, "w") as f:
        f.write(CLIENT_SECRET + "\n")
    return testlib.main("test_cli_contasimples", limit_s=RUN_LIMIT_S)


if __name__ == "__main__":
    sys.exit(main())
