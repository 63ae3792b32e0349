#!/usr/bin/env python3
"""End-to-end tests of the cpuser CLI's resources after users: `cpuser groups`,
`cpuser idtags`, `cpuser payment-methods USER`, `cpuser invoice-details USER`
(build/cpuser) against the local AMPECO simulator, over plain HTTP and over
TLS. The harness (simulators, the CLI runner that checks every output for
the secrets) is tests/cli/test_cli.py's.

Run after `make build/cpuser`:  python3 tests/cli/test_cli_resources.py
Python 3 standard library only. Every wait is bounded, every process is
stopped, the temporary directory is removed. Ends with "N passed, N failed".
"""

import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli as base  # noqa: E402  (the shared harness)
import testlib  # noqa: E402  (tests/testlib.py, on the path through test_cli)

from test_cli import fields, run  # noqa: E402

CRUD = None      # mutations over plain HTTP
TLS = None       # over TLS
QUIET = None     # usage errors: must never receive a request
RO = None        # a read-only token's server


def setUpModule():
    try:
        start()
    except BaseException:
        tearDownModule()
        raise


def start():
    global CRUD, TLS, QUIET, RO
    if not os.access(base.CLI, os.X_OK):
        raise RuntimeError("build/cpuser is missing: run make build/cpuser first")
    base.TMP = testlib.temp_dir("cpuser-cli-res-")
    base.CERTS = os.path.join(base.TMP, "certs")
    subprocess.run(["sh", base.MAKE_CERTS, base.CERTS], check=True, stdout=subprocess.DEVNULL,
                   timeout=60)
    base.TOKEN_FILE = os.path.join(base.TMP, "token")
    with open(os.open(base.TOKEN_FILE, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(base.TOKEN + "\n")
    CRUD = base.Sim("crud", "--seed-users", "30")
    TLS = base.Sim("tls", "--seed-users", "3", tls=True)
    QUIET = base.Sim("quiet", "--seed-users", "3")
    RO = base.Sim("ro", "--seed-users", "3", "--read-only-token", base.RO_TOKEN)


def tearDownModule():
    testlib.cleanup()


def lines(out):
    return [line.split("\t") for line in out.splitlines()]


# ---------------------------------------------------------------------------

class Groups(unittest.TestCase):

    def test_lifecycle(self):
        url = CRUD.url()
        rc, out, err = run(["groups", "create", "--name", "Night shift Zoë", "--partner", "2",
                            "--description", "Drivers on nights", "--external-id", "grp-night"], url=url)
        self.assertEqual((rc, err), (0, ""))
        g = fields(out)
        self.assertEqual((g["name"], g["partnerId"], g["externalId"]), ("Night shift Zoë", "2", "grp-night"))
        gid = g["id"]
        rc, out, _ = run(["--json", "groups", "get", gid], url=url)
        self.assertEqual(rc, 0)
        self.assertEqual(json.loads(out)["description"], "Drivers on nights")
        # update: name is required by the spec's PATCH; description to null
        rc, out, _ = run(["--json", "groups", "update", gid, "--name", "Nights", "--null", "description"], url=url)
        self.assertEqual(rc, 0)
        g = json.loads(out)
        self.assertEqual((g["name"], g["description"], g["partnerId"]), ("Nights", None, 2))
        rc, out, _ = run(["groups", "list", "--partner", "2"], url=url)
        self.assertEqual(rc, 0)
        self.assertEqual([row[:3] for row in lines(out)], [[gid, "Nights", "2"]])
        rc, out, _ = run(["groups", "list", "--no-partner", "true", "--per-page", "1"], url=url)
        self.assertEqual(rc, 0)
        self.assertEqual([row[1] for row in lines(out)], ["Fleet A", "Fleet B"])   # walked one per page
        rc, out, _ = run(["groups", "list", "--limit", "2"], url=url)
        self.assertEqual(len(lines(out)), 2)
        rc, out, _ = run(["--json", "groups", "delete", gid], url=url)
        self.assertEqual(rc, 0)
        self.assertEqual(json.loads(out), {"id": gid, "action": "delete", "httpStatus": 204})
        rc, out, err = run(["groups", "get", gid], url=url)
        self.assertEqual(rc, 3)
        self.assertIn("HTTP 404", err)

    def test_server_refusal_and_read_only(self):
        rc, _, err = run(["groups", "create", "--name", "x", "--partner", "77"], url=CRUD.url())
        self.assertEqual(rc, 4)
        self.assertIn("partnerId", err)
        rc, out, _ = run(["groups", "get", "1"], url=RO.url(), token_file=self.ro_token())
        self.assertEqual((rc, fields(out)["name"]), (0, "Fleet A"))
        rc, _, err = run(["groups", "delete", "1"], url=RO.url(), token_file=self.ro_token())
        self.assertEqual(rc, 5)

    @staticmethod
    def ro_token():
        path = os.path.join(base.TMP, "ro-token")
        if not os.path.exists(path):
            with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
                f.write(base.RO_TOKEN + "\n")
        return path


class IdTags(unittest.TestCase):

    def test_lifecycle_and_filters(self):
        url = CRUD.url()
        rc, out, err = run(["idtags", "create", "--uid", "CAFE0001", "--status", "enabled", "--type", "rfid",
                            "--user", "4", "--vehicle-type", "private_car", "--payment-method", "auto",
                            "--expire-at", "2031-01-01T00:00:00Z", "--label", "Kiosk card"], url=url)
        self.assertEqual((rc, err), (0, ""))
        t = fields(out)
        self.assertEqual((t["idTagUid"], t["userId"], t["vehicleType"], t["paymentMethodId"]),
                         ("CAFE0001", "4", "private_car", "auto"))
        tid = t["id"]
        rc, out, _ = run(["idtags", "list", "--user", "4"], url=url)
        self.assertEqual(lines(out), [[tid, "CAFE0001", "enabled", "rfid", "4", "Kiosk card"]])
        rc, out, _ = run(["--json", "idtags", "update", tid, "--status", "suspended",
                          "--null", "vehicleType,userId"], url=url)
        self.assertEqual(rc, 0)
        t = json.loads(out)
        self.assertEqual((t["status"], t["vehicleType"], t["userId"], t["idTagUid"]),
                         ("suspended", None, None, "CAFE0001"))
        rc, out, _ = run(["idtags", "list", "--status", "suspended", "--uid", "cafe0001"], url=url)
        self.assertEqual([row[0] for row in lines(out)], [tid])
        rc, out, _ = run(["--json", "idtags", "list", "--type", "emaid"], url=url)
        tags = [json.loads(line) for line in out.splitlines()]
        self.assertTrue(tags and all(t["type"] == "emaid" for t in tags))
        rc, out, _ = run(["--json", "idtags", "list", "--partner", "null", "--per-page", "3"], url=url)
        tags = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(rc, 0)
        self.assertTrue(len(tags) > 3 and all(t["partnerId"] is None for t in tags))
        self.assertEqual(len({t["id"] for t in tags}), len(tags))
        # the same UID again: the server's 422 names the field
        rc, _, err = run(["idtags", "create", "--uid", "cafe0001", "--status", "enabled", "--type", "rfid"], url=url)
        self.assertEqual(rc, 4)
        self.assertIn("idTagUid", err)
        rc, _, _ = run(["idtags", "delete", tid], url=url)
        self.assertEqual(rc, 0)
        rc, _, _ = run(["idtags", "get", tid], url=url)
        self.assertEqual(rc, 3)

    def test_over_tls(self):
        rc, out, err = run(["idtags", "create", "--uid", "TLS01", "--status", "disabled", "--type", "mac_address"],
                           url=TLS.url(), ca=base.ca())
        self.assertEqual((rc, err), (0, ""))
        tid = fields(out)["id"]
        rc, out, _ = run(["--json", "idtags", "get", tid], url=TLS.url(), ca=base.ca())
        self.assertEqual((rc, json.loads(out)["type"]), (0, "mac_address"))


class PaymentMethods(unittest.TestCase):

    def test_two_steps_through_a_pipe(self):
        url = CRUD.url()
        rc, out, _ = run(["payment-methods", "2", "list"], url=url)
        self.assertEqual((rc, lines(out)), (0, [["", "balance", "Balance", "false"]]))
        rc, step1, err = run(["--json", "payment-methods", "2", "create"], url=url)
        self.assertEqual((rc, err), (0, ""))
        answer = json.loads(step1)
        self.assertIn("redirectUrl", answer)
        self.assertIn("additionalProcessorArguments", answer)
        rc, out, err = run(["payment-methods", "2", "finish", "-"], url=url, stdin=step1)
        self.assertEqual((rc, err), (0, ""))
        card = fields(out)
        self.assertEqual((card["tokenizedType"], card["default"]), ("card", "true"))
        # a SEPA transfer, the answer given as an argument
        rc, step1, _ = run(["--json", "payment-methods", "2", "create", "--tokenized-type", "bank_transfer",
                            "--bank-transfer-type", "sepa"], url=url)
        self.assertEqual(rc, 0)
        rc, out, _ = run(["--json", "payment-methods", "2", "finish", step1.strip()], url=url)
        self.assertEqual(rc, 0)
        sepa = json.loads(out)
        self.assertEqual((sepa["bankTransferType"], sepa["default"]), ("sepa", False))
        rc, out, _ = run(["--json", "payment-methods", "2", "update", sepa["id"], "--default", "true"], url=url)
        self.assertEqual((rc, json.loads(out)["default"]), (0, True))
        rc, out, _ = run(["payment-methods", "2", "list", "--per-page", "1"], url=url)
        self.assertEqual([row[3] for row in lines(out)], ["false", "false", "true"])
        rc, out, _ = run(["payment-methods", "2", "delete", card["id"]], url=url)
        self.assertEqual((rc, out), (0, "payment method %s: deleted\n" % card["id"]))
        rc, _, _ = run(["payment-methods", "2", "get", card["id"]], url=url)
        self.assertEqual(rc, 3)

    def test_refusals(self):
        url = CRUD.url()
        rc, step1, _ = run(["--json", "payment-methods", "3", "create"], url=url)
        tx = json.loads(step1)["transactionId"]
        # step 2 without step 1's other attributes: the processor refuses
        rc, _, err = run(["payment-methods", "3", "finish", json.dumps({"transactionId": tx})], url=url)
        self.assertEqual(rc, 4)
        self.assertIn("additionalProcessorArguments", err)
        rc, _, _ = run(["payment-methods", "999", "list"], url=url)
        self.assertEqual(rc, 3)


class InvoiceDetails(unittest.TestCase):

    def test_round_trip(self):
        url = CRUD.url()
        rc, out, _ = run(["invoice-details", "5", "get"], url=url)
        self.assertEqual((rc, fields(out)), (0, {"requireInvoice": "false"}))
        rc, out, err = run(["invoice-details", "5", "set", "--require-invoice", "true", "--invoice-type", "company",
                            "--company-name", "ACME, Inc.", "--company-tax-id", "TAX1", "--country", "US",
                            "--state", "CA", "--city", "San Francisco", "--post-code", "94102"], url=url)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(fields(out)["companyName"], "ACME, Inc.")
        rc, out, _ = run(["--json", "invoice-details", "5", "get"], url=url)
        d = json.loads(out)
        self.assertEqual((d["requireInvoice"], d["invoiceType"], d["state"], d["postCode"]),
                         (True, "company", "CA", "94102"))
        rc, out, _ = run(["--json", "invoice-details", "5", "set", "--require-invoice", "false",
                          "--null", "invoiceType"], url=url)
        d = json.loads(out)
        self.assertEqual((rc, d["requireInvoice"], d["invoiceType"], d["companyName"]), (0, False, None, None))
        rc, _, err = run(["invoice-details", "5", "set", "--require-invoice", "true", "--invoice-type",
                          "individual", "--individual-name", "x" * 300], url=url)
        self.assertEqual(rc, 4)   # the simulator's 255-character limit
        self.assertIn("individualName", err)


class Usage(unittest.TestCase):
    """Refused before anything is sent: exit 2 and no request at QUIET."""

    CASES = [
        (["groups"], "needs an ACTION"),
        (["groups", "rename", "1"], "unknown action"),
        (["groups", "create"], "needs --name"),
        (["groups", "create", "--name", "x", "--email", "a@b.co"], "does not take --email"),
        (["groups", "update", "1"], "nothing to change"),
        (["groups", "update", "1", "--description", "d"], "needs --name"),
        (["groups", "update", "1", "--null", "name"], "cannot be null"),
        (["groups", "create", "--name", "x", "--description", "d" * 2001], "2000"),
        (["groups", "create", "--name", "x", "--partner", "two"], "whole number"),
        (["groups", "create", "--name", "x", "--null", "bogus"], "--null"),
        (["groups", "list", "--no-partner", "maybe"], "true, false"),
        (["groups", "get"], "missing arguments"),
        (["groups", "get", ".."], "empty, . or .."),
        (["idtags", "create", "--uid", "A", "--status", "enabled"], "needs --type"),
        (["idtags", "create", "--uid", "A", "--status", "enabled", "--type", "emaid"], "emaid cannot be written"),
        (["idtags", "create", "--uid", "A", "--status", "lost", "--type", "rfid"], "enabled, disabled, suspended"),
        (["idtags", "list", "--status", "lost"], "enabled, disabled, suspended"),
        (["idtags", "update", "1", "--null", "status"], "cannot be null"),
        (["payment-methods"], "needs a USER and an ACTION"),
        (["payment-methods", "2"], "needs a USER and an ACTION"),
        (["payment-methods", "2", "create", "--tokenized-type", "bank_transfer"], "--bank-transfer-type"),
        (["payment-methods", "2", "create", "--bank-transfer-type", "pse"], "--bank-transfer-type"),
        (["payment-methods", "2", "update", "7", "--default", "yes"], "true or false"),
        (["payment-methods", "2", "update", "7", "--tokenized-type", "card"], "does not take"),
        (["payment-methods", "2", "finish", "[1]"], "JSON object"),
        (["payment-methods", "2", "finish", "{\"a\":"], "JSON object"),
        (["invoice-details", "2", "set", "--require-invoice", "true"], "needs --invoice-type"),
        (["invoice-details", "2", "set", "--require-invoice", "true", "--invoice-type", "company",
          "--country", "DE", "--state", "BY"], "--state"),
        (["invoice-details", "2", "set", "--require-invoice", "true", "--invoice-type", "company",
          "--country", "ZZ"], "--country"),
        (["invoice-details", "2", "set", "--invoice-type", "company"], "needs --require-invoice"),
        (["invoice-details", "2", "get", "--name", "x"], "does not take --name"),
        (["vouchers", "list"], "unknown resource"),
    ]

    def test_refused_before_sending(self):
        before = len(QUIET.log_lines())
        for args, message in self.CASES:
            with self.subTest(args=args):
                rc, out, err = run(args, url=QUIET.url())
                self.assertEqual(rc, 2, err)
                self.assertEqual(out, "")
                self.assertIn(message, err)
                self.assertEqual(len(err.splitlines()), 1, err)
        self.assertEqual(len(QUIET.log_lines()), before)

    def test_help_lists_every_action(self):
        rc, out, _ = run(["--help"], token_file=False)
        self.assertEqual(rc, 0)
        for line in ("groups list", "groups create --name", "groups update ID", "idtags list",
                     "idtags create --uid", "idtags update ID", "payment-methods USER list",
                     "payment-methods USER create", "payment-methods USER finish",
                     "payment-methods USER update PM", "payment-methods USER get PM | delete PM",
                     "invoice-details USER get", "invoice-details USER set", "--null LIST"):
            self.assertIn(line, out)


# ---------------------------------------------------------------------------

ORDER = (Groups, IdTags, PaymentMethods, InvoiceDetails, Usage)


if __name__ == "__main__":
    sys.exit(testlib.main("test_cli_resources", ORDER))
