#!/usr/bin/env python3
"""Tests for the Azure API Management simulator (tests/sim/azure_apim_sim.py).

Standard library only. Every simulator runs as a subprocess on a loopback
port 0 and reports its port through --port-file; all of them are stopped at
the end and the temporary directory is removed; a watchdog bounds the run.
The last line printed is "N passed, N failed".

    python3 tests/sim/test_azure_apim_sim.py
"""

import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import testlib  # noqa: E402  (tests/testlib.py: simulator processes, the runner)

SIM = os.path.join(HERE, "azure_apim_sim.py")
MAKE_CERTS = os.path.join(ROOT, "tests", "tls", "make_certs.sh")
TOKEN = "az-test-token-9c1d"
SUB = "00000000-0000-0000-0000-000000000000"
SCOPE = "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1" % SUB
EXAMPLE = "5931a75ae4bbd512288c680b"
V = "?api-version=2024-05-01"
RUN_LIMIT_S = 90

TMP = testlib.temp_dir("azure-sim-test-")


class Sim(testlib.Sim):
    def __init__(self, *extra, tls=None):
        if tls:
            extra += ("--tls-cert", tls[0], "--tls-key", tls[1])
        super().__init__(SIM, TMP, "--token", TOKEN, *extra)


class Reply:
    def __init__(self, response, raw):
        self.status = response.status
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        self.raw = raw

    def json(self):
        return json.loads(self.raw.decode("utf-8"))


def call(port, method, target, token=TOKEN, headers=None, body=None, context=None):
    if context is not None:
        conn = http.client.HTTPSConnection("localhost", port, timeout=10, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    hdrs = dict(headers or {})
    if token is not None:
        hdrs["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    try:
        conn.request(method, target, body=data, headers=hdrs)
        response = conn.getresponse()
        return Reply(response, response.read())
    finally:
        conn.close()


def path_of(url):
    """The path+query of an absolute URL."""
    rest = url.split("://", 1)[1]
    return rest[rest.index("/"):]


def user(uid=EXAMPLE):
    return SCOPE + "/users/" + uid


class Basics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--seed-users", "3")

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def test_get_user_has_an_etag_and_the_contract(self):
        r = call(self.sim.port, "GET", user() + V)
        self.assertEqual(r.status, 200)
        self.assertRegex(r.headers["etag"], r'^"[A-Za-z0-9+/=]+"$')
        body = r.json()
        self.assertEqual(body["name"], EXAMPLE)
        self.assertEqual(body["type"], "Microsoft.ApiManagement/service/users")
        self.assertEqual(body["properties"]["email"], "admin@live.com")
        self.assertEqual(call(self.sim.port, "GET", user("user3") + V).status, 200)
        r = call(self.sim.port, "GET", user("user4") + V)
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["error"]["code"], "ResourceNotFound")

    def test_bearer_token_is_required(self):
        r = call(self.sim.port, "GET", user() + V, token=None)
        self.assertEqual((r.status, r.json()["error"]["code"]), (401, "AuthenticationFailed"))
        self.assertIn("www-authenticate", r.headers)
        r = call(self.sim.port, "GET", user() + V, token="wrong")
        self.assertEqual((r.status, r.json()["error"]["code"]), (401, "InvalidAuthenticationToken"))
        for line in self.sim.log_lines():
            self.assertNotIn(TOKEN, line)

    def test_api_version_is_checked(self):
        r = call(self.sim.port, "GET", user())
        self.assertEqual((r.status, r.json()["error"]["code"]), (400, "MissingApiVersionParameter"))
        r = call(self.sim.port, "GET", user() + "?api-version=2021-08-01")
        self.assertEqual((r.status, r.json()["error"]["code"]), (400, "InvalidApiVersionParameter"))
        r = call(self.sim.port, "DELETE", user() + "?api-version=2021-08-01", headers={"If-Match": "*"})
        self.assertEqual(r.status, 400)

    def test_scope_is_validated(self):
        bad_sub = SCOPE.replace(SUB, "not-a-uuid") + "/users/x" + V
        r = call(self.sim.port, "GET", bad_sub)
        self.assertEqual((r.status, r.json()["error"]["code"]), (400, "InvalidSubscriptionId"))
        for name in ("1apim", "apim-", "ap_im", "a" * 51):
            r = call(self.sim.port, "GET", SCOPE.replace("apimService1", name) + "/users/x" + V)
            self.assertEqual(r.status, 400, name)
            self.assertEqual(r.json()["error"]["details"][0]["target"], "serviceName")
        r = call(self.sim.port, "GET", SCOPE.replace("apimService1", "other") + "/users/x" + V)
        self.assertEqual((r.status, r.json()["error"]["code"]), (404, "ResourceNotFound"))
        r = call(self.sim.port, "GET", SCOPE.replace("rg1", "rg2") + "/users/x" + V)
        self.assertEqual((r.status, r.json()["error"]["code"]), (404, "ResourceGroupNotFound"))
        r = call(self.sim.port, "GET", SCOPE.replace(SUB, "11111111-1111-1111-1111-111111111111") + "/users/x" + V)
        self.assertEqual((r.status, r.json()["error"]["code"]), (404, "SubscriptionNotFound"))
        self.assertEqual(call(self.sim.port, "GET", "/elsewhere" + V).status, 404)

    def test_query_values_are_validated(self):
        for query, target in (("&notify=maybe", "notify"), ("&deleteSubscriptions=1", "deleteSubscriptions"),
                              ("&appType=admin", "appType"), ("&appType=Portal", "appType")):
            r = call(self.sim.port, "DELETE", user("user1") + V + query, headers={"If-Match": "*"})
            self.assertEqual(r.status, 400, query)
            self.assertEqual(r.json()["error"]["details"][0]["target"], target)
        self.assertEqual(call(self.sim.port, "GET", user("user1") + V).status, 200)  # still there

    def test_log_has_one_line_per_request(self):
        before = len(self.sim.log_lines())
        call(self.sim.port, "GET", user() + V)
        call(self.sim.port, "GET", user("nobody") + V)
        time.sleep(0.1)
        lines = self.sim.log_lines()[before:]
        self.assertEqual(lines, ["GET %s 200" % (user() + V), "GET %s 404" % (user("nobody") + V)])


class Etags(unittest.TestCase):
    def test_if_match_rules(self):
        sim = Sim("--seed-users", "2")
        try:
            r = call(sim.port, "DELETE", user("user1") + V)
            self.assertEqual(r.status, 400)
            self.assertEqual(r.json()["error"]["target"], "If-Match")
            r = call(sim.port, "DELETE", user("user1") + V, headers={"If-Match": '"stale"'})
            self.assertEqual(r.status, 412)
            err = r.json()["error"]
            self.assertEqual((err["code"], err["target"]), ("PreconditionFailed", "If-Match"))
            self.assertEqual(err["details"][0]["code"], "ETagMismatch")
            etag = call(sim.port, "GET", user("user1") + V).headers["etag"]
            r = call(sim.port, "DELETE", user("user1") + V + "&deleteSubscriptions=true&notify=false&appType=portal",
                     headers={"If-Match": etag})
            self.assertEqual(r.status, 204)
            self.assertEqual(r.raw, b"")
            self.assertEqual(call(sim.port, "GET", user("user1") + V).status, 404)
            # already deleted: 204 again (ARM's idempotent delete), whatever the ETag
            self.assertEqual(call(sim.port, "DELETE", user("user1") + V, headers={"If-Match": etag}).status, 204)
            self.assertEqual(call(sim.port, "DELETE", user("user1") + V, headers={"If-Match": "*"}).status, 204)
            self.assertEqual(call(sim.port, "DELETE", user("user2") + V, headers={"If-Match": "*"}).status, 204)
        finally:
            self.assertEqual(sim.stop(), 0)

    def test_update_changes_the_etag(self):
        with Sim() as sim:
            old = call(sim.port, "GET", user() + V).headers["etag"]
            r = call(sim.port, "PATCH", user() + V, headers={"If-Match": old},
                     body={"properties": {"note": "x"}})
            self.assertEqual(r.status, 200)
            new = r.headers["etag"]
            self.assertNotEqual(old, new)
            self.assertEqual(r.json()["properties"]["note"], "x")
            self.assertEqual(call(sim.port, "DELETE", user() + V, headers={"If-Match": old}).status, 412)
            self.assertEqual(call(sim.port, "DELETE", user() + V, headers={"If-Match": new}).status, 204)

    def test_missing_user_can_be_404_and_sync_status_200(self):
        with Sim("--missing-user-status", "404", "--sync-status", "200") as sim:
            self.assertEqual(call(sim.port, "DELETE", user() + V, headers={"If-Match": "*"}).status, 200)
            r = call(sim.port, "DELETE", user() + V, headers={"If-Match": "*"})
            self.assertEqual((r.status, r.json()["error"]["code"]), (404, "ResourceNotFound"))


class Operations(unittest.TestCase):
    def poll(self, sim, url):
        return call(sim.port, "GET", path_of(url))

    def test_202_completes_on_the_nth_poll(self):
        with Sim("--polls", "3", "--retry-after", "2") as sim:
            r = call(sim.port, "DELETE", user() + V, headers={"If-Match": "*"})
            self.assertEqual(r.status, 202)
            self.assertEqual(r.headers["retry-after"], "2")
            op = r.headers["azure-asyncoperation"]
            self.assertTrue(op.startswith("http://127.0.0.1:%d%s/tenant/operationResults/" % (sim.port, SCOPE)))
            self.assertTrue(op.endswith(V))
            self.assertIn("asyncId=", r.headers["location"])
            states = []
            for _ in range(2):
                p = self.poll(sim, op)
                self.assertEqual(p.status, 200)
                self.assertEqual(p.headers["retry-after"], "2")
                states.append(p.json()["status"])
                self.assertEqual(call(sim.port, "GET", user() + V).status, 200)  # not yet gone
            p = self.poll(sim, op)
            states.append(p.json()["status"])
            self.assertNotIn("retry-after", p.headers)
            self.assertIn("endTime", p.json())
            self.assertEqual(states, ["InProgress", "InProgress", "Succeeded"])
            self.assertEqual(call(sim.port, "GET", user() + V).status, 404)
            self.assertEqual(self.poll(sim, op).json()["status"], "Succeeded")  # stays ended

    def test_failed_and_canceled(self):
        for result, status in (("failed", "Failed"), ("canceled", "Canceled")):
            with Sim("--polls", "1", "--operation-result", result) as sim:
                r = call(sim.port, "DELETE", user() + V, headers={"If-Match": "*"})
                p = self.poll(sim, r.headers["azure-asyncoperation"])
                self.assertEqual(p.json()["status"], status)
                self.assertIn("code", p.json()["error"])
                self.assertEqual(call(sim.port, "GET", user() + V).status, 200)  # still there
        with Sim("--polls", "1", "--operation-result", "failed") as sim:
            r = call(sim.port, "DELETE", user() + V, headers={"If-Match": "*"})
            p = self.poll(sim, r.headers["location"])
            self.assertEqual(p.status, 409)
            self.assertEqual(p.json()["error"]["code"], "UserDeleteFailed")

    def test_location_polling(self):
        with Sim("--polls", "2", "--async-headers", "location", "--retry-after", "-1") as sim:
            r = call(sim.port, "DELETE", user() + V, headers={"If-Match": "*"})
            self.assertEqual(r.status, 202)
            self.assertNotIn("azure-asyncoperation", r.headers)
            self.assertNotIn("retry-after", r.headers)
            p = self.poll(sim, r.headers["location"])
            self.assertEqual(p.status, 202)
            p = self.poll(sim, p.headers["location"])
            self.assertEqual(p.status, 204)
            self.assertEqual(call(sim.port, "GET", user() + V).status, 404)

    def test_header_choices_and_other_origin(self):
        with Sim("--polls", "1", "--async-headers", "none") as sim:
            r = call(sim.port, "DELETE", user() + V, headers={"If-Match": "*"})
            self.assertEqual(r.status, 202)
            self.assertNotIn("location", r.headers)
            self.assertNotIn("azure-asyncoperation", r.headers)
        with Sim("--polls", "1", "--operation-host", "evil.example.com:8443") as sim:
            r = call(sim.port, "DELETE", user() + V, headers={"If-Match": "*"})
            self.assertTrue(r.headers["azure-asyncoperation"].startswith("http://evil.example.com:8443/"))
            self.assertTrue(r.headers["location"].startswith("http://evil.example.com:8443/"))
            r = call(sim.port, "GET", SCOPE + "/tenant/operationResults/nope" + V)
            self.assertEqual((r.status, r.json()["error"]["code"]), (404, "OperationNotFound"))


class Process(unittest.TestCase):
    def test_tls(self):
        certs = os.path.join(TMP, "certs")
        subprocess.run(["sh", MAKE_CERTS, certs], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
        with Sim(tls=(os.path.join(certs, "server.crt"), os.path.join(certs, "server.key"))) as sim:
            context = ssl.create_default_context(cafile=os.path.join(certs, "ca.crt"))
            r = call(sim.port, "GET", user() + V, context=context)
            self.assertEqual(r.status, 200)
            r = call(sim.port, "DELETE", user() + V, headers={"If-Match": r.headers["etag"]}, context=context)
            self.assertEqual(r.status, 204)

    def test_clean_shutdown_on_signals(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            sim = Sim()
            self.assertEqual(call(sim.port, "GET", user() + V).status, 200)
            started = time.monotonic()
            self.assertEqual(sim.stop(sig), 0)
            self.assertLess(time.monotonic() - started, 4.0)

    def test_bad_arguments_are_refused(self):
        for extra in (["--subscription", "x"], ["--service", "1x"], ["--tls-cert", "a"]):
            p = subprocess.run([sys.executable, SIM, "--port", "0"] + extra, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=15)
            self.assertEqual(p.returncode, 2, extra)


if __name__ == "__main__":
    sys.exit(testlib.main("test_azure_apim_sim", limit_s=RUN_LIMIT_S))
