#!/usr/bin/env python3
"""End-to-end tests of `cpuser azure-apim ...` (build/cpuser) against the
local Azure API Management simulator (tests/sim/azure_apim_sim.py), over
loopback HTTP.

Run after `make build/cpuser`:  python3 tests/cli/test_cli_azure.py
(CPUSER_CLI=/path/to/cpuser tests another build.) Python 3 standard library
only. Every wait is bounded, every simulator is stopped, the temporary
directory is removed. Ends with "N passed, N failed".
"""

import json
import os
import secrets
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import testlib  # noqa: E402  (tests/testlib.py: simulator processes, the CLI runner, the runner)

CLI = os.environ.get("CPUSER_CLI") or os.path.join(ROOT, "build", "cpuser")
SIM = os.path.join(ROOT, "tests", "sim", "azure_apim_sim.py")
CLI_TIMEOUT = testlib.CLI_TIMEOUT
RUN_LIMIT_S = 120

TOKEN = "az-" + secrets.token_hex(16)
SUB = "00000000-0000-0000-0000-000000000000"
EXAMPLE = "5931a75ae4bbd512288c680b"
TMP = testlib.temp_dir("cpuser-cli-azure-")
TOKEN_FILE = os.path.join(TMP, "token")


class Sim(testlib.Sim):
    def __init__(self, *extra):
        super().__init__(SIM, TMP, "--token-file", TOKEN_FILE, "--seed-users", "5", *extra)
        self.url = "http://127.0.0.1:%d" % self.port


def run(args, sim=None, token_file=TOKEN_FILE, env=None, scope=True):
    """Run the CLI: (exit code, stdout, stderr); the token must never show."""
    cmd = [CLI]
    if sim is not None:
        cmd += ["--url", sim.url]
    if token_file:
        cmd += ["--token-file", token_file]
    cmd += ["azure-apim"] + list(args[:1])
    if scope:
        cmd += ["--subscription", SUB, "--resource-group", "rg1", "--service", "apimService1"]
    cmd += list(args[1:])
    return testlib.run_cli(cmd, (TOKEN,), env=env)


class Delete(unittest.TestCase):
    def test_without_if_match_the_etag_is_read_first(self):
        with Sim() as sim:
            rc, out, err = run(["delete-user", EXAMPLE], sim)
            self.assertEqual((rc, err), (0, ""))
            self.assertEqual(out, "user %s: deleted\n" % EXAMPLE)
            log = sim.log_lines()
            self.assertEqual(len(log), 2)
            self.assertTrue(log[0].startswith("GET ") and log[0].endswith(" 200"))
            self.assertTrue(log[1].startswith("DELETE ") and log[1].endswith(" 204"))  # the ETag matched
            rc, out, err = run(["get-user", EXAMPLE], sim)
            self.assertEqual(rc, 3)
            self.assertIn("ResourceNotFound", err)

    def test_star_and_flags_go_as_documented(self):
        with Sim() as sim:
            rc, out, err = run(["delete-user", "--if-match", "*", "--delete-subscriptions", "--notify",
                                "--app-type", "developerPortal", "user1", "--json"], sim)
            self.assertEqual((rc, err), (0, ""))
            self.assertEqual(json.loads(out), {"id": "user1", "action": "delete-user", "httpStatus": 204,
                                               "operation": "None", "polls": 0})
            log = sim.log_lines()
            self.assertEqual(len(log), 1)
            self.assertIn("/users/user1?deleteSubscriptions=true&notify=true&api-version=2024-05-01"
                          "&appType=developerPortal 204", log[0])

    def test_stale_etag_is_412_exit_4(self):
        with Sim() as sim:
            rc, out, err = run(["get-user", "user2"], sim)
            self.assertEqual(rc, 0)
            self.assertRegex(out, r'^user user2: etag "[A-Za-z0-9+/=]+"\n$')
            rc, out, err = run(["delete-user", "--if-match", '"AAAAAAAAAAA="', "user2"], sim)
            self.assertEqual(rc, 4)
            self.assertEqual(out, "")
            self.assertIn("precondition failed (HTTP 412)", err)
            self.assertIn("PreconditionFailed", err)
            self.assertIn("(target If-Match)", err)
            self.assertIn("[If-Match: Current ETag is", err)
            rc, out, err = run(["get-user", "user2", "--json"], sim)
            self.assertEqual(rc, 0)
            etag = json.loads(out)["etag"]
            rc, out, err = run(["delete-user", "--if-match", etag, "user2"], sim)
            self.assertEqual(rc, 0)

    def test_accepted_is_followed(self):
        with Sim("--polls", "3") as sim:
            rc, out, err = run(["delete-user", "--if-match", "*", "user3"], sim)
            self.assertEqual((rc, err), (0, ""))
            self.assertEqual(out, "user user3: deleted (accepted, operation succeeded after 3 polls)\n")
            self.assertEqual(sum("/operationResults/" in line for line in sim.log_lines()), 3)

    def test_failed_operation_is_exit_9(self):
        with Sim("--polls", "1", "--operation-result", "failed") as sim:
            rc, out, err = run(["delete-user", "--if-match", "*", "user3"], sim)
            self.assertEqual(rc, 9)
            self.assertIn("long-running operation failed or was canceled", err)
            self.assertIn("UserDeleteFailed", err)
            self.assertIn("subscriptions/sid-1: The subscription is still active.", err)

    def test_polling_stops_at_the_timeout(self):
        with Sim("--polls", "1000", "--retry-after", "1") as sim:
            started = time.monotonic()
            rc, out, err = run(["delete-user", "--timeout", "2500", "--if-match", "*", "user4"], sim)
            self.assertLess(time.monotonic() - started, 10)
            self.assertEqual(rc, 7)
            self.assertIn("timeout", err)
            self.assertIn("may still complete", err)
            self.assertIn(sum("/operationResults/" in line for line in sim.log_lines()), (1, 2))  # ~1 s, ~2 s

    def test_other_origin_is_not_polled(self):
        with Sim("--polls", "1", "--operation-host", "evil.example.com") as sim:
            rc, out, err = run(["delete-user", "--if-match", "*", "user5"], sim)
            self.assertEqual(rc, 10)
            self.assertIn("another host and was not polled", err)
            self.assertIn("http://evil.example.com/", err)
            self.assertEqual(len(sim.log_lines()), 1)

    def test_wrong_token_is_exit_5(self):
        with Sim() as sim:
            other = os.path.join(TMP, "other-token")
            with open(other, "w") as f:
                f.write("not-the-token\n")
            rc, out, err = run(["delete-user", "--if-match", "*", "user1"], sim, token_file=other)
            self.assertEqual(rc, 5)
            self.assertIn("InvalidAuthenticationToken", err)
            rc, out, err = run(["delete-user", "--if-match", "*", "user1"], sim,
                               token_file=None, env={"CPUSER_TOKEN": TOKEN})
            self.assertEqual(rc, 0)


class Usage(unittest.TestCase):
    """Refused before anything is sent: exit 2, the simulator sees nothing."""

    @classmethod
    def setUpClass(cls):
        cls.sim = Sim()

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def refused(self, args, expect, scope=True):
        rc, out, err = run(args, self.sim, scope=scope)
        self.assertEqual(rc, 2, (args, err))
        self.assertEqual(out, "")
        self.assertIn(expect, err)
        self.assertEqual(self.sim.log_lines(), [])

    def test_values_are_checked(self):
        sub = ["delete-user", "--if-match", "*", "user1"]
        base = ["--resource-group", "rg1", "--service", "apimService1"]
        self.refused(["delete-user", "--subscription", "1234", "--if-match", "*", "user1"] + base,
                     "--subscription is a UUID", scope=False)
        self.refused(["delete-user", "--subscription", SUB, "--resource-group", "rg.", "--service", "s", "u"],
                     "--resource-group is", scope=False)
        for bad in ("1apim", "apim-", "ap_im", "a" * 51):
            self.refused(["delete-user", "--subscription", SUB, "--resource-group", "rg1", "--service", bad,
                          "u"], "--service is", scope=False)
        self.refused(["delete-user", "--if-match", "\"a\"\r\nX-Evil: 1", "user1"], "--if-match is")
        self.refused(["delete-user", "--if-match", "", "user1"], "--if-match is")
        self.refused(["delete-user", "--if-match", "*", "a" * 81], "USER_ID is")
        self.refused(["delete-user", "--if-match", "*", ".."], "USER_ID is")
        self.refused(sub[:3] + ["--app-type", "admin", "user1"], "--app-type is portal or developerPortal")

    def test_shape_is_checked(self):
        self.refused(["delete-user", "--if-match", "*"], "missing USER_ID")
        self.refused(["delete-user", "--if-match", "*", "a", "b"], "too many arguments")
        self.refused(["remove-user", "u"], "unknown azure-apim action")
        self.refused(["delete-user", "--resource-group", "rg1", "--service", "s", "u"], "needs --subscription",
                     scope=False)
        self.refused(["delete-user", "--email", "x@example.com", "u"], "does not take --email")
        self.refused(["get-user", "--if-match", "*", "u"], "does not take --if-match")
        self.refused(["delete-user", "--api-version", "2024-05-01", "u"], "does not take --api-version")
        rc, out, err = run(["delete-user", "--if-match", "*", "u"], self.sim, token_file=None)
        self.assertEqual(rc, 2)
        self.assertEqual(self.sim.log_lines(), [])

    def test_help_lists_the_commands(self):
        p = subprocess.run([CLI, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=CLI_TIMEOUT)
        self.assertEqual(p.returncode, 0)
        text = p.stdout.decode()
        self.assertIn("azure-apim delete-user --subscription UUID", text)
        self.assertIn("azure-apim get-user", text)


def main():
    if testlib.cli_missing("test_cli_azure", CLI):
        return 1
    with open(TOKEN_FILE, "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(TOKEN_FILE, 0o600)
    return testlib.main("test_cli_azure", (Delete, Usage), limit_s=RUN_LIMIT_S)


if __name__ == "__main__":
    sys.exit(main())
