#!/usr/bin/env python3
"""Tests for the Conta Simples simulator (tests/sim/contasimples_sim.py).

Standard library only. Simulators run as subprocesses on port 0 and report
their port through --port-file; all are stopped at the end and the
temporary directory removed. The last line printed is "N passed, N failed".

    python3 tests/sim/test_contasimples_sim.py
"""

import base64
import http.client
import itertools
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import testlib  # noqa: E402  (tests/testlib.py: simulator processes, the runner)

SIM = os.path.join(HERE, "contasimples_sim.py")
TOKEN = "static-token-1"
SECRET = "s3cr3t &=+ é"
MAIN = "00000000-0000-4000-8000-000000000001"
USER = "550e8400-e29b-41d4-a716-446655440000"
FLAKY = "6fa459ea-ee8a-4ca4-894e-db77e160355e"
RUN_LIMIT_S = 90

TMP = testlib.temp_dir("contasimples-sim-test-")
SECRET_FILE = os.path.join(TMP, "secret")
with open(SECRET_FILE, "w", encoding="utf-8") as handle:
    handle.write(SECRET + "\n")


class Sim(testlib.Sim):
    captures = itertools.count(1)

    def __init__(self, *extra):
        capture = os.path.join(TMP, "capture%d.jsonl" % next(Sim.captures))
        super().__init__(SIM, TMP, "--token", TOKEN, "--client-secret-file", SECRET_FILE,
                         "--capture", capture, *extra)
        self.capture_path = capture

    def call(self, method, path, body=None, headers=None, token=TOKEN):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        raw = resp.read()
        conn.close()
        return resp.status, (json.loads(raw) if raw else None), {k.lower(): v for k, v in resp.getheaders()}

    def token(self, **form):
        fields = {"grant_type": "client_credentials", "client_id": "cpuser-client", "client_secret": SECRET}
        fields.update(form)
        fields = {k: v for k, v in fields.items() if v is not None}
        return self.call("POST", "/oauth2/token", urllib.parse.urlencode(fields),
                         {"Content-Type": "application/x-www-form-urlencoded"}, token=None)


def user_path(uid):
    return "/users/v1/users/" + uid


class DeleteTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--user", USER, "--user", FLAKY, "--fail-500", FLAKY + "=2", "--seed-users", "3")

    def test_204_then_404(self):
        status, body, _ = self.sim.call("DELETE", user_path(USER))
        self.assertEqual((status, body), (204, None))
        status, body, _ = self.sim.call("DELETE", user_path(USER))
        self.assertEqual(status, 404)
        self.assertEqual(body, {"error": "Not Found", "message": "The requested resource was not found",
                                "code": 404})

    def test_uuid_checks(self):
        for bad in ("42", "550e8400-e29b-11d4-a716-446655440000", "550e8400e29b41d4a716446655440000",
                    "550e8400-e29b-41d4-c716-446655440000", ""):
            status, body, _ = self.sim.call("DELETE", user_path(bad))
            self.assertEqual(status, 400, bad)
            self.assertEqual(body["error"], "Bad Request")
            self.assertEqual(body["code"], 400)
            self.assertEqual(body["details"][0]["field"], "userId")
        # upper case is still a v4 UUID (unknown here: 404)
        self.assertEqual(self.sim.call("DELETE", user_path(USER.upper().replace("5", "7", 1)))[0], 404)

    def test_main_user_cannot_be_deleted(self):
        status, body, _ = self.sim.call("DELETE", user_path(MAIN))
        self.assertEqual(status, 400)
        self.assertIn("MAIN", body["message"])
        self.assertEqual(body["details"], [{"field": "userId", "message": "the MAIN user cannot be deleted"}])
        self.assertEqual(self.sim.call("DELETE", user_path(MAIN))[0], 400)  # still there

    def test_500_twice_then_204(self):
        first = self.sim.call("DELETE", user_path(FLAKY))
        second = self.sim.call("DELETE", user_path(FLAKY))
        self.assertEqual((first[0], second[0]), (500, 500))
        self.assertEqual(first[1]["error"], "Internal Server Error")
        self.assertTrue(first[1]["requestId"].startswith("req_"))
        self.assertNotEqual(first[1]["requestId"], second[1]["requestId"])
        self.assertEqual(self.sim.call("DELETE", user_path(FLAKY))[0], 204)

    def test_401_without_or_with_a_wrong_token(self):
        for token in (None, "nope"):
            status, body, headers = self.sim.call("DELETE", user_path("00000000-0000-4000-8000-000000000002"),
                                                  token=token)
            self.assertEqual(status, 401)
            self.assertEqual(body["code"], 401)
            self.assertIn("bearer", headers["www-authenticate"].lower())
        self.assertEqual(self.sim.call("DELETE", user_path("00000000-0000-4000-8000-000000000002"))[0], 204)

    def test_routes_and_methods(self):
        self.assertEqual(self.sim.call("GET", user_path(USER))[0], 405)
        self.assertEqual(self.sim.call("DELETE", "/users/v2/users/" + USER)[0], 404)


class TokenTests(unittest.TestCase):
    def test_issue_and_use(self):
        sim = Sim("--expires-in", "120", "--seed-users", "2")
        status, body, headers = sim.token()
        self.assertEqual(status, 200)
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 120)
        self.assertEqual(headers["cache-control"], "no-store")
        tok = body["access_token"]
        self.assertEqual(sim.call("DELETE", user_path("00000000-0000-4000-8000-000000000002"), token=tok)[0], 204)

    def test_tokens_expire_on_the_server(self):
        sim = Sim("--expires-in", "3600", "--token-valid", "0.5", "--seed-users", "2")
        tok = sim.token()[1]["access_token"]
        time.sleep(0.7)
        self.assertEqual(sim.call("DELETE", user_path("00000000-0000-4000-8000-000000000002"), token=tok)[0], 401)
        tok = sim.token()[1]["access_token"]
        self.assertEqual(sim.call("DELETE", user_path("00000000-0000-4000-8000-000000000002"), token=tok)[0], 204)

    def test_refusals(self):
        sim = Sim("--scope", "users:write")
        self.assertEqual(sim.token(scope="users:write")[0], 200)
        self.assertEqual(sim.token(scope="other"), (400, {"error": "invalid_scope"}, sim.token(scope="other")[2]))
        self.assertEqual(sim.token(scope="users:write", client_secret="wrong")[1], {"error": "invalid_client"})
        self.assertEqual(sim.token(scope="users:write", client_secret="wrong")[0], 401)
        self.assertEqual(sim.token(scope="users:write", client_id="x")[0], 401)
        self.assertEqual(sim.token(scope="users:write", grant_type="password")[1],
                         {"error": "unsupported_grant_type"})
        status, body, _ = sim.call("POST", "/oauth2/token", json.dumps({"grant_type": "client_credentials"}),
                                   {"Content-Type": "application/json"}, token=None)
        self.assertEqual((status, body["error"]), (400, "invalid_request"))
        self.assertEqual(sim.call("GET", "/oauth2/token", token=None)[0], 405)
        # HTTP Basic client authentication works too
        basic = base64.b64encode(("cpuser-client:" + urllib.parse.quote_plus(SECRET)).encode()).decode()
        status, _, _ = sim.call("POST", "/oauth2/token", "grant_type=client_credentials&scope=users%3Awrite",
                                {"Content-Type": "application/x-www-form-urlencoded",
                                 "Authorization": "Basic " + basic}, token=None)
        self.assertEqual(status, 200)

    def test_logs_hold_no_secret_and_capture_holds_requests(self):
        sim = Sim()
        tok = sim.token()[1]["access_token"]
        sim.call("DELETE", user_path(USER), token=tok)
        self.assertEqual(sim.stop(), 0)
        with open(sim.log_path, encoding="utf-8") as handle:
            log = handle.read()
        self.assertIn("POST /oauth2/token 200", log)
        self.assertIn("DELETE %s 404" % user_path(USER), log)
        self.assertNotIn(tok, log)
        self.assertNotIn("s3cr3t", log)
        with open(sim.out_path, encoding="utf-8") as handle:
            self.assertNotIn("s3cr3t", handle.read())
        with open(sim.capture_path, encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        self.assertEqual([r["method"] for r in records], ["POST", "DELETE"])
        self.assertIn(urllib.parse.quote_plus(SECRET), records[0]["body"])
        self.assertIn(["Authorization", "Bearer " + tok], records[1]["headers"])


class ProcessTests(unittest.TestCase):
    def test_help_and_bad_options(self):
        out = subprocess.run([sys.executable, SIM, "--help"], capture_output=True, timeout=20, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertIn("--fail-500", out.stdout)
        bad = subprocess.run([sys.executable, SIM, "--user", "42"], capture_output=True, timeout=20, text=True)
        self.assertEqual(bad.returncode, 2)

    def test_clean_shutdown(self):
        sim = Sim()
        self.assertEqual(sim.stop(), 0)


if __name__ == "__main__":
    sys.exit(testlib.main("test_contasimples_sim", limit_s=RUN_LIMIT_S))
