#!/usr/bin/env python3
"""Tests for the AMPECO simulator (tests/sim/ampeco_sim.py).

Standard library only. Every simulator runs as a subprocess on port 0 and
reports its port through --port-file; all of them are stopped at the end and
the temporary directory is removed. The last line printed is
"N passed, N failed"; the exit status is non-zero when anything failed.

    python3 tests/sim/test_sim.py
"""

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import unittest
import urllib.parse
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import testlib  # noqa: E402  (tests/testlib.py: simulator processes, the runner)

SIM = os.path.join(HERE, "ampeco_sim.py")
TOKEN = "test-token-5f2c9a"
USERS = "/public-api/resources/users/v1.0"
ACTIONS1 = "/public-api/actions/users/v1.0"
ACTIONS2 = "/public-api/actions/users/v2.0"
GROUPS = "/public-api/resources/user-groups/v1.0"
TAGS = "/public-api/resources/id-tags/v2.0"
SEED_EPOCH = 1704067200  # seeded user n was created and last updated at SEED_EPOCH + 60 n
RUN_LIMIT_S = 150        # the watchdog ends the whole run after this long

TMP = testlib.temp_dir("ampeco-sim-test-")


# --------------------------------------------------------------------------
# Harness: simulator processes and a tiny HTTP helper
# --------------------------------------------------------------------------

class Sim(testlib.Sim):
    """One simulator subprocess with our token and `seed` seeded users."""

    def __init__(self, *extra, seed=0):
        super().__init__(SIM, TMP, "--token", TOKEN, "--seed-users", str(seed), *extra)


class Reply:
    def __init__(self, response, raw):
        self.status = response.status
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        self.raw = raw
        self.json = None
        if raw:
            self.json = json.loads(raw.decode("utf-8"), parse_float=Decimal)

    def header(self, name):
        return self.headers.get(name.lower())


def call(port, method, path, body=None, token=TOKEN, headers=None, conn=None, context=None,
         host="127.0.0.1", raw_body=None):
    """One request; a new connection unless `conn` is given."""
    own = conn is None
    if own:
        if context is not None:
            conn = http.client.HTTPSConnection(host, port, timeout=10, context=context)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=10)
    sent = dict(headers or {})
    if token is not None:
        sent.setdefault("Authorization", "Bearer " + token)
    data = raw_body
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        sent.setdefault("Content-Type", "application/json")
    sent.setdefault("Accept", "application/json")
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        return Reply(response, response.read())
    finally:
        if own:
            conn.close()


def q(path, **params):
    """path?params with filter/include written the PHP way."""
    pairs = []
    for key, value in params.items():
        if key.startswith("f_"):
            pairs.append(("filter[%s]" % key[2:].replace("__", "."), value))
        elif key == "include":
            pairs += [("include[]", item) for item in value]
        else:
            pairs.append((key, value))
    return path + "?" + urllib.parse.urlencode(pairs)


def relative(url):
    split = urllib.parse.urlsplit(url)
    return split.path + ("?" + split.query if split.query else "")


def new_user_body(tag, **extra):
    body = {"email": "%s@example.org" % tag, "password": "secret-pass-1"}
    body.update(extra)
    return body


class SimTestCase(unittest.TestCase):
    sim = None

    def get(self, path, **kw):
        return call(self.sim.port, "GET", path, **kw)

    def post(self, path, body=None, **kw):
        return call(self.sim.port, "POST", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return call(self.sim.port, "PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return call(self.sim.port, "DELETE", path, **kw)

    def create_user(self, tag, **extra):
        reply = self.post(USERS, new_user_body(tag, **extra))
        self.assertEqual(reply.status, 201, reply.raw)
        return reply.json["data"]

    def assert_json(self, reply, status):
        self.assertEqual(reply.status, status, reply.raw[:500])
        self.assertEqual(reply.header("Content-Type"), "application/json")
        self.assertIsNotNone(reply.header("X-RateLimit-Limit"))
        self.assertIsNotNone(reply.header("X-RateLimit-Remaining"))

    def walk(self, path):
        """Follow cursor pagination from `path`; return every item."""
        items, pages = [], 0
        reply = self.get(path)
        while True:
            self.assert_json(reply, 200)
            pages += 1
            items += reply.json["data"]
            nxt = reply.json["links"]["next"]
            if nxt is None:
                self.assertIsNone(reply.json["meta"]["next_cursor"])
                return items, pages
            reply = self.get(relative(nxt))


# --------------------------------------------------------------------------
# Listing, filters and pagination over 250 seeded users (read-only server)
# --------------------------------------------------------------------------

class ListingTests(SimTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(seed=250)

    def ids(self, **params):
        items, _ = self.walk(q(USERS, cursor="", **params))
        return [int(item["id"]) for item in items]

    def test_cursor_walk_sees_every_user_once(self):
        reply = self.get(q(USERS, cursor="", per_page=100))
        seen, sizes = [], []
        while True:
            self.assert_json(reply, 200)
            body = reply.json
            self.assertEqual(set(body["meta"]), {"path", "per_page", "next_cursor", "prev_cursor"})
            self.assertEqual(body["meta"]["per_page"], 100)
            self.assertTrue(body["meta"]["path"].endswith(USERS))
            self.assertIsNone(body["links"]["first"])
            self.assertIsNone(body["links"]["last"])
            sizes.append(len(body["data"]))
            seen += [int(user["id"]) for user in body["data"]]
            if body["links"]["next"] is None:
                break
            params = urllib.parse.parse_qs(urllib.parse.urlsplit(body["links"]["next"]).query)
            self.assertEqual(params["cursor"], [body["meta"]["next_cursor"]])
            self.assertEqual(params["per_page"], ["100"])
            reply = self.get(relative(body["links"]["next"]))
        self.assertEqual(sizes, [100, 100, 50])
        self.assertEqual(seen, list(range(1, 251)))

    def test_cursor_prev_goes_back(self):
        first = self.get(q(USERS, cursor="", per_page=100)).json
        self.assertIsNone(first["meta"]["prev_cursor"])
        second = self.get(relative(first["links"]["next"])).json
        self.assertIsNotNone(second["meta"]["prev_cursor"])
        back = self.get(relative(second["links"]["prev"])).json
        self.assertEqual([u["id"] for u in back["data"]], [u["id"] for u in first["data"]])

    def test_cursor_invalid_is_422(self):
        reply = self.get(q(USERS, cursor="not-a-cursor!"))
        self.assert_json(reply, 422)
        self.assertIn("cursor", reply.json["errors"])

    def test_page_pagination(self):
        reply = self.get(q(USERS, per_page=100, page=2))
        self.assert_json(reply, 200)
        body = reply.json
        meta = body["meta"]
        self.assertEqual((meta["current_page"], meta["from"], meta["to"], meta["last_page"],
                          meta["per_page"], meta["total"]), (2, 101, 200, 3, 100, 250))
        self.assertEqual([int(u["id"]) for u in body["data"]], list(range(101, 201)))
        self.assertIn("page=1", body["links"]["prev"])
        self.assertIn("page=3", body["links"]["next"])
        self.assertIn("page=1", body["links"]["first"])
        self.assertIn("page=3", body["links"]["last"])
        labels = [(link["label"], link["active"]) for link in meta["links"]]
        self.assertEqual(labels, [("&laquo; Previous", False), ("1", False), ("2", True),
                                  ("3", False), ("Next &raquo;", False)])
        last = self.get(relative(body["links"]["next"])).json
        self.assertEqual(len(last["data"]), 50)
        self.assertIsNone(last["links"]["next"])
        beyond = self.get(q(USERS, per_page=100, page=4)).json
        self.assertEqual(beyond["data"], [])
        self.assertIsNone(beyond["meta"]["from"])
        default = self.get(USERS).json  # no cursor: page pagination, 100 per page
        self.assertEqual(default["meta"]["current_page"], 1)
        self.assertEqual(len(default["data"]), 100)

    def test_per_page_bounds(self):
        for value, message in (("0", "The per page field must be at least 1."),
                               ("101", "The per page field must not be greater than 100."),
                               ("abc", "The per page field must be an integer.")):
            reply = self.get(q(USERS, per_page=value))
            self.assert_json(reply, 422)
            self.assertEqual(reply.json, {"message": message, "errors": {"per_page": [message]}})
        self.assertEqual(len(self.get(q(USERS, per_page=1)).json["data"]), 1)

    def test_filter_user_group(self):
        self.assertEqual(self.ids(f_userGroupId="1"), [n for n in range(1, 251) if n % 3 == 0])
        self.assertEqual(self.ids(f_userGroupId="3"), [n for n in range(1, 251) if n % 7 == 0])
        reply = self.get(q(USERS, f_userGroupId="abc"))
        self.assert_json(reply, 422)
        self.assertIn("filter.userGroupId", reply.json["errors"])

    def test_filter_partner(self):
        self.assertEqual(self.ids(f_partnerId="1"), [n for n in range(1, 251) if n % 7 == 0])
        self.assertEqual(self.ids(f_partnerId="2"), [])  # invites to partner 2 are still pending

    def test_filter_external_id_and_email(self):
        self.assertEqual(self.ids(f_externalId="ext-00010"), [10])
        self.assertEqual(self.ids(f_externalId="ext-00011"), [])
        self.assertEqual(self.ids(f_email="user42@example.com"), [42])
        self.assertEqual(self.ids(f_email="USER42@Example.com"), [42])
        self.assertEqual(self.ids(f_email="nobody@example.com"), [])

    def test_filter_external_app_data(self):
        self.assertEqual(self.ids(f_externalAppData__crm__tier="gold"),
                         [n for n in range(1, 251) if n % 8 == 0])
        self.assertEqual(self.ids(f_externalAppData__externalCustomerId="cus_000012"), [12])

    def test_filter_last_updated(self):
        def stamp(minutes):
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(SEED_EPOCH + 60 * minutes))
        self.assertEqual(self.ids(f_lastUpdatedAfter=stamp(120)), list(range(120, 251)))
        self.assertEqual(self.ids(f_lastUpdatedBefore=stamp(10)), list(range(1, 11)))
        self.assertEqual(self.ids(f_lastUpdatedAfter=stamp(5), f_lastUpdatedBefore=stamp(10)),
                         list(range(5, 11)))
        self.assertEqual(self.ids(f_lastUpdatedAfter="2024-01-01T03:00:00+01:00"), list(range(120, 251)))
        reply = self.get(q(USERS, f_lastUpdatedAfter="yesterday-ish"))
        self.assert_json(reply, 422)
        self.assertEqual(reply.json["errors"]["filter.lastUpdatedAfter"],
                         ["The filter.last updated after field must be a valid date."])

    def test_filters_survive_in_next_links(self):
        ids = self.ids(f_userGroupId="1", per_page="7")
        self.assertEqual(ids, [n for n in range(1, 251) if n % 3 == 0])

    def test_includes(self):
        plain = self.get(USERS + "/7").json["data"]
        self.assertNotIn("partnerInvites", plain)
        self.assertNotIn("externalAppData", plain)
        full = self.get(q(USERS + "/8", include=["partnerInvites", "externalAppData"])).json["data"]
        self.assertEqual(full["partnerInvites"], [])
        self.assertEqual(full["externalAppData"], {"externalCustomerId": "cus_000008", "crm": {"tier": "gold"}})
        seven = self.get(q(USERS + "/7", include=["partnerInvites"])).json["data"]
        self.assertEqual(seven["partnerInvites"][0]["status"], "accepted")
        self.assertEqual(seven["partnerInvites"][0]["partnerId"], 1)
        listed = self.get(q(USERS, per_page=10, include=["externalAppData"])).json["data"]
        self.assertTrue(all("externalAppData" in u for u in listed))

    def test_user_schema(self):
        user = self.get(q(USERS + "/9", withAmountDue="true")).json["data"]
        expected = ["id", "email", "emailVerified", "requirePasswordReset", "firstName", "middleName",
                    "lastName", "phone", "country", "state", "city", "postCode", "address", "vehicleNo",
                    "personalId", "locale", "balance", "status", "userGroupIds", "externalId",
                    "subscriptionId", "options", "lastUpdatedAt", "createdAt", "createdBy",
                    "receiveNewsAndPromotions", "bankDetails", "amountDue"]
        self.assertEqual(list(user), expected)
        self.assertEqual(user["id"], "9")
        self.assertEqual(user["balance"], Decimal("10.125"))
        self.assertEqual(user["amountDue"], Decimal("9.99"))
        self.assertIsInstance(user["subscriptionId"], int)
        self.assertEqual(user["lastUpdatedAt"], "2024-01-01T00:09:00Z")
        self.assertEqual(user["emailVerified"], "2024-01-01 00:09:00")
        self.assertNotIn("amountDue", self.get(USERS + "/9").json["data"])


# --------------------------------------------------------------------------
# Users: auth, CRUD, validation, actions (a server of its own)
# --------------------------------------------------------------------------

class UserTests(SimTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(seed=20)

    def test_auth_required(self):
        for token in (None, "wrong-token"):
            reply = self.get(USERS, token=token)
            self.assert_json(reply, 401)
            self.assertEqual(reply.json, {"message": "Unauthenticated."})
        reply = self.get(USERS, token=None, headers={"Authorization": "Basic " + TOKEN})
        self.assertEqual(reply.status, 401)
        reply = self.post(USERS, new_user_body("noauth"), token=None)
        self.assertEqual(reply.status, 401)
        self.assertEqual(self.get(q(USERS, f_email="noauth@example.org")).json["data"], [])

    def test_crud_round_trip(self):
        body = new_user_body("crud", first_name="Ana", middle_name="Maria", last_name="Petrova",
                             phone="+359888000111", country="BG", city="Sofia", post_code="1000",
                             address="1 Vitosha Blvd", vehicle_no="CB1234AB", personal_id="8001011234",
                             locale="bg-BG", requirePasswordReset=True, receiveNewsAndPromotions=True,
                             externalId="crm-77", userGroupIds=[1, 2],
                             options={"sessionsAllowed": "simultaneous_use_of_idtags"},
                             bankDetails={"bankIban": "BG80BNBG96611020345678", "bankName": "BNB"},
                             externalAppData={"externalCustomerId": "cus_abc"},
                             emailVerified="2022-11-12 12:00:00")
        reply = self.post(USERS, body)
        self.assert_json(reply, 201)
        user = reply.json["data"]
        self.assertRegex(user["id"], r"^\d+$")
        expect = {"email": "crud@example.org", "firstName": "Ana", "middleName": "Maria",
                  "lastName": "Petrova", "phone": "+359888000111", "country": "BG", "state": None,
                  "city": "Sofia", "postCode": "1000", "address": "1 Vitosha Blvd",
                  "vehicleNo": "CB1234AB", "personalId": "8001011234", "locale": "bg-BG",
                  "requirePasswordReset": True, "receiveNewsAndPromotions": True,
                  "externalId": "crm-77", "userGroupIds": [1, 2], "status": "enabled",
                  "balance": Decimal(0), "subscriptionId": None,
                  "options": {"sessionsAllowed": "simultaneous_use_of_idtags"},
                  "emailVerified": "2022-11-12 12:00:00"}
        for key, value in expect.items():
            self.assertEqual(user[key], value, key)
        self.assertEqual(user["bankDetails"]["bankIban"], "BG80BNBG96611020345678")
        self.assertIsNone(user["bankDetails"]["bankCode"])
        self.assertNotIn("password", user)
        self.assertNotIn("first_name", user)
        self.assertRegex(user["createdAt"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        uid = user["id"]

        read = self.get(USERS + "/" + uid)
        self.assert_json(read, 200)
        self.assertEqual(read.json["data"], user)
        with_data = self.get(q(USERS + "/" + uid, include=["externalAppData"])).json["data"]
        self.assertEqual(with_data["externalAppData"], {"externalCustomerId": "cus_abc"})

        patched = self.patch(USERS + "/" + uid, {"last_name": "Ivanova", "personal_id": "ignored",
                                                 "bankDetails": {"bankCode": "BNBGBGSF"}})
        self.assert_json(patched, 200)
        after = patched.json["data"]
        self.assertEqual(after["lastName"], "Ivanova")
        self.assertEqual(after["personalId"], "8001011234")  # not updatable per the spec
        self.assertEqual(after["bankDetails"]["bankCode"], "BNBGBGSF")
        self.assertEqual(after["bankDetails"]["bankIban"], "BG80BNBG96611020345678")
        for key in user:
            if key not in ("lastName", "bankDetails", "lastUpdatedAt"):
                self.assertEqual(after[key], user[key], key)
        self.assertEqual(self.get(USERS + "/" + uid).json["data"], after)

        gone = self.delete(USERS + "/" + uid)
        self.assertEqual(gone.status, 204)
        self.assertEqual(gone.raw, b"")
        self.assertIsNone(gone.header("Content-Type"))
        self.assertIsNotNone(gone.header("X-RateLimit-Remaining"))
        for reply in (self.get(USERS + "/" + uid), self.delete(USERS + "/" + uid),
                      self.patch(USERS + "/" + uid, {"last_name": "x"})):
            self.assert_json(reply, 404)
            self.assertIsInstance(reply.json["message"], str)

    def test_ids_increase(self):
        first = int(self.create_user("inc-a")["id"])
        second = int(self.create_user("inc-b")["id"])
        self.assertGreater(first, 20)
        self.assertGreater(second, first)

    def test_not_found(self):
        for path in (USERS + "/999999", USERS + "/abc"):
            reply = self.get(path)
            self.assert_json(reply, 404)
            self.assertIn("message", reply.json)
        reply = self.get("/public-api/resources/nothing/v1.0")
        self.assertEqual(reply.status, 404)
        self.assertIn("could not be found", reply.json["message"])
        reply = call(self.sim.port, "PUT", USERS + "/1", body={"last_name": "x"})
        self.assertEqual(reply.status, 405)
        self.assertIn("PATCH", reply.json["message"])
        reply = self.post(ACTIONS1 + "/999999/change-status", {"status": "enabled", "reason": "x"})
        self.assert_json(reply, 404)

    def test_422_required(self):
        reply = self.post(USERS, {"email": "", "password": "abc"})
        self.assert_json(reply, 422)
        self.assertEqual(reply.json, {
            "message": "The email field is required. (and 1 more error)",
            "errors": {"email": ["The email field is required."],
                       "password": ["The password field must be at least 6 characters."]}})
        reply = self.post(USERS, {})
        self.assertEqual(reply.json["errors"], {"email": ["The email field is required."],
                                                "password": ["The password field is required."]})

    def test_422_email_format_and_password(self):
        for bad in ("not-an-email", "a@@b.c", "a b@example.com", "@example.com", "x@"):
            reply = self.post(USERS, new_user_body("x", email=bad))
            self.assert_json(reply, 422)
            self.assertEqual(reply.json["errors"], {"email": ["The email field must be a valid email address."]},
                             bad)
            self.assertEqual(reply.json["message"], "The email field must be a valid email address.")
        reply = self.post(USERS, new_user_body("shortpw", password="12345"))
        self.assertEqual(reply.json["errors"], {"password": ["The password field must be at least 6 characters."]})
        self.assertEqual(self.post(USERS, new_user_body("pw6", password="123456")).status, 201)
        reply = self.post(USERS, new_user_body("types", email=5, password=["x"]))
        self.assertEqual(reply.json["errors"], {"email": ["The email field must be a string."],
                                                "password": ["The password field must be a string."]})

    def test_422_unique_email(self):
        for email in ("user1@example.com", "USER1@Example.COM"):
            reply = self.post(USERS, new_user_body("dup", email=email))
            self.assert_json(reply, 422)
            self.assertEqual(reply.json, {"message": "The email has already been taken.",
                                          "errors": {"email": ["The email has already been taken."]}})
        reply = self.patch(USERS + "/2", {"email": "user1@example.com"})
        self.assert_json(reply, 422)
        self.assertEqual(reply.json["errors"]["email"], ["The email has already been taken."])
        self.assertEqual(self.patch(USERS + "/2", {"email": "user2@example.com"}).status, 200)

    def test_422_enums_and_types(self):
        body = new_user_body("enums", country="XX", options={"sessionsAllowed": "many"},
                             userGroupIds=[1, 999, "x"], requirePasswordReset="maybe", first_name=12)
        reply = self.post(USERS, body)
        self.assert_json(reply, 422)
        errors = reply.json["errors"]
        self.assertEqual(errors["country"], ["The selected country is invalid."])
        self.assertEqual(errors["options.sessionsAllowed"], ["The selected options.sessions allowed is invalid."])
        self.assertEqual(errors["userGroupIds.2"], ["The user group ids.2 field must be an integer."])
        self.assertEqual(errors["requirePasswordReset"], ["The require password reset field must be true or false."])
        self.assertEqual(errors["first_name"], ["The first name field must be a string."])
        # errors come in rule order, which follows the spec's property order
        self.assertEqual(list(errors), ["requirePasswordReset", "first_name", "country",
                                        "userGroupIds.2", "options.sessionsAllowed"])
        self.assertEqual(reply.json["message"],
                         "The require password reset field must be true or false. (and 4 more errors)")
        reply = self.post(USERS, new_user_body("groups", userGroupIds=[1, 999]))
        self.assertEqual(reply.json["errors"], {"userGroupIds.1": ["The selected user group ids.1 is invalid."]})

    def test_state_only_for_us_and_au(self):
        reply = self.post(USERS, new_user_body("st-us", country="US", state="ZZ"))
        self.assert_json(reply, 422)
        self.assertEqual(reply.json["errors"], {"state": ["The selected state is invalid."]})
        self.assertEqual(self.create_user("st-us2", country="US", state="TX")["state"], "TX")
        self.assertEqual(self.create_user("st-au", country="AU", state="VIC")["state"], "VIC")
        self.assertIsNone(self.create_user("st-de", country="DE", state="Bavaria")["state"])
        user = self.create_user("st-move", country="US", state="NY")
        moved = self.patch(USERS + "/" + user["id"], {"country": "FR"}).json["data"]
        self.assertEqual((moved["country"], moved["state"]), ("FR", None))

    def test_snake_case_on_write(self):
        user = self.create_user("camel", firstName="Ignored", first_name="Used", postCode="0")
        self.assertEqual(user["firstName"], "Used")
        self.assertIsNone(user["postCode"])

    def test_body_must_be_json(self):
        reply = call(self.sim.port, "POST", USERS, raw_body=b"email=a@b.c&password=secret1",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assert_json(reply, 422)
        self.assertIn("X-Sim-Warning".lower(), reply.headers)
        reply = call(self.sim.port, "POST", USERS, raw_body=b'{"email": "a@b.c",',
                     headers={"Content-Type": "application/json"})
        self.assert_json(reply, 422)

    def test_external_app_data_numbers_are_exact(self):
        data = {"externalCustomerId": "cus_1", "score": 0.12345, "big": 1e30, "n": 7, "nested": {"ok": True}}
        raw = json.dumps(new_user_body("appdata", externalAppData=data)).encode()
        reply = call(self.sim.port, "POST", q(USERS, include=["externalAppData"]), raw_body=raw,
                     headers={"Content-Type": "application/json"})
        self.assertEqual(reply.status, 201, reply.raw)
        self.assertIn(b'"score":0.12345', reply.raw)
        self.assertEqual(reply.json["data"]["externalAppData"]["big"], Decimal("1e30"))
        self.assertEqual(self.get(q(USERS, f_externalAppData__score="0.12345")).json["data"][0]["email"],
                         "appdata@example.org")

    def test_protocol_errors_are_json(self):
        for request in (b"GARBAGE\r\n\r\n", b"BREW / HTTP/1.1\r\n\r\n",
                        ("POST %s HTTP/1.1\r\nContent-Length: abc\r\n\r\n" % USERS).encode(),
                        ("POST %s HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" % USERS).encode()):
            with socket.create_connection(("127.0.0.1", self.sim.port), timeout=10) as sock:
                sock.sendall(request)
                data = b""
                while True:
                    piece = sock.recv(65536)
                    if not piece:
                        break
                    data += piece
            head, _, body = data.partition(b"\r\n\r\n")
            self.assertRegex(head, rb"^HTTP/1\.[01] (400|501) ", request)
            self.assertIn(b"Content-Type: application/json", head)
            self.assertIn("message", json.loads(body))

    def test_unicode_round_trip(self):
        names = {"first_name": "Zoë 😀", "last_name": "Łukasiewicz-山田", "city": "München",
                 "address": "ул. Витоша 1"}
        user = self.create_user("unicode", **names)
        reply = self.get(USERS + "/" + user["id"])
        self.assertEqual(reply.json["data"]["firstName"], "Zoë 😀")
        self.assertEqual(reply.json["data"]["lastName"], "Łukasiewicz-山田")
        self.assertEqual(reply.json["data"]["address"], "ул. Витоша 1")
        self.assertIn("山田".encode("utf-8"), reply.raw)
        self.assertIn("😀".encode("utf-8"), reply.raw)
        self.assertNotIn(b"\\u", reply.raw)
        listed = self.get(q(USERS, f_email="unicode@example.org")).json["data"]
        self.assertEqual(listed[0]["city"], "München")

    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.sim.port, timeout=10)
        try:
            first = None
            for i in range(6):
                path = USERS + "/%d" % (i + 1) if i % 2 else q(USERS, per_page=5)
                reply = call(self.sim.port, "GET", path, conn=conn)
                self.assertEqual(reply.status, 200)
                self.assertNotEqual((reply.header("Connection") or "").lower(), "close")
                if first is None:
                    first = conn.sock
                self.assertIs(conn.sock, first, "the connection was reopened")
            reply = call(self.sim.port, "POST", USERS, body=new_user_body("ka"), conn=conn)
            self.assertEqual(reply.status, 201)
            reply = call(self.sim.port, "GET", USERS + "/999999", conn=conn)
            self.assertEqual(reply.status, 404)
            reply = call(self.sim.port, "GET", USERS + "/1", conn=conn)
            self.assertEqual(reply.status, 200)
            self.assertIs(conn.sock, first)
        finally:
            conn.close()

    def test_connection_close(self):
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=10) as sock:
            sock.sendall(("GET %s/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                          "Connection: close\r\n\r\n" % (USERS, TOKEN)).encode())
            data = b""
            while True:
                piece = sock.recv(65536)
                if not piece:
                    break  # the server closed: Connection: close was honoured
                data += piece
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200"))
        self.assertIn(b"\r\nConnection: close", head)
        self.assertEqual(json.loads(body)["data"]["id"], "1")

    def test_actions_status_and_balance(self):
        uid = self.create_user("money")["id"]
        reply = self.post(ACTIONS1 + "/%s/change-status" % uid, {"status": "disabled", "reason": "test"})
        self.assertEqual(reply.status, 202)
        self.assertEqual(self.get(USERS + "/" + uid).json["data"]["status"], "disabled")
        reply = self.post(ACTIONS1 + "/%s/change-status" % uid, {"status": "paused"})
        self.assert_json(reply, 422)
        self.assertEqual(set(reply.json["errors"]), {"status", "reason"})
        for amount in ("0.1", "0.2"):
            reply = self.post(ACTIONS1 + "/%s/add-balance" % uid,
                              raw_body=('{"amount": %s, "reason": "top up"}' % amount).encode(),
                              headers={"Content-Type": "application/json"})
            self.assertEqual(reply.status, 202, reply.raw)
        reply = self.get(USERS + "/" + uid)
        self.assertIn(b'"balance":0.3,', reply.raw)
        self.assertEqual(reply.json["data"]["balance"], Decimal("0.3"))
        reply = self.post(ACTIONS1 + "/%s/add-balance" % uid, {"amount": "1.2345", "reason": "x"})
        self.assert_json(reply, 422)
        self.assertEqual(reply.json["errors"]["amount"], ["The amount field must have 0-3 decimal places."])
        reply = self.post(ACTIONS1 + "/%s/apply-custom-fee" % uid, {"amount": 0.25, "description": "Parking"})
        self.assertEqual(reply.status, 202)
        self.assertEqual(self.get(USERS + "/" + uid).json["data"]["balance"], Decimal("0.05"))
        reply = self.post(ACTIONS1 + "/%s/apply-custom-fee" % uid, {"amount": 100, "description": "Too much"})
        self.assert_json(reply, 400)
        self.assertIn("insufficient", reply.json["message"])
        reply = self.post(ACTIONS1 + "/%s/apply-custom-fee" % uid, {"amount": 1})
        self.assertEqual(reply.json["errors"], {"description": ["The description field is required."]})

    def test_actions_subscription(self):
        uid = self.create_user("subscriber")["id"]
        base = ACTIONS1 + "/" + uid
        self.assertEqual(self.post(base + "/clear-subscription-amount-due").status, 400)
        self.assertEqual(self.post(base + "/cancel-subscription", {"reason": "x"}).status, 400)
        reply = self.post(base + "/activate-subscription", {"planId": 99})
        self.assertEqual(reply.json["errors"], {"planId": ["The selected plan id is invalid."]})
        reply = self.post(base + "/activate-subscription", {"planId": 2, "endDate": "2030-02-30"})
        self.assertEqual(reply.json["errors"], {"endDate": ["The end date field must match the format Y-m-d."]})
        reply = self.post(base + "/activate-subscription", {"planId": 2, "endDate": "2030-05-30", "autoRenewal": True})
        self.assertEqual(reply.status, 202)
        user = self.get(q(USERS + "/" + uid, withAmountDue="true")).json["data"]
        self.assertIsInstance(user["subscriptionId"], int)
        self.assertEqual(user["amountDue"], Decimal("29.99"))
        self.assertEqual(self.post(base + "/activate-subscription", {"planId": 1}).status, 400)
        self.assertEqual(self.post(base + "/clear-subscription-amount-due").status, 202)
        self.assertEqual(self.get(q(USERS + "/" + uid, withAmountDue="1")).json["data"]["amountDue"], 0)
        reply = self.post(base + "/cancel-subscription", {})
        self.assertEqual(reply.json["errors"], {"reason": ["The reason field is required."]})
        self.assertEqual(self.post(base + "/cancel-subscription", {"reason": "moving"}).status, 202)
        self.assertIsNone(self.get(USERS + "/" + uid).json["data"]["subscriptionId"])

    def test_actions_voucher(self):
        uid = self.create_user("voucher")["id"]
        url = ACTIONS2 + "/%s/redeem-voucher" % uid
        self.assertEqual(self.post(url, {"code": "VOUCHER10"}).status, 202)
        self.assertEqual(self.get(USERS + "/" + uid).json["data"]["balance"], Decimal(10))
        again = self.post(url, {"code": "VOUCHER10"})
        self.assert_json(again, 406)
        unknown = self.post(url, {"code": "NOPE"})
        self.assert_json(unknown, 406)
        self.assertIn("message", unknown.json)
        self.assertEqual(self.post(url, {}).json["errors"], {"code": ["The code field is required."]})
        self.assertEqual(self.post(ACTIONS1 + "/%s/redeem-voucher" % uid, {"code": "VOUCHER10"}).status, 404)

    def test_export_private_data(self):
        uid = self.create_user("export", first_name="Exporté")["id"]
        reply = self.get(ACTIONS2 + "/%s/export-all-private-data" % uid)
        self.assert_json(reply, 200)
        url = reply.json["downloadUrl"]
        self.assertTrue(url.startswith("http://127.0.0.1:%d/" % self.sim.port))
        download = self.get(relative(url), token=None)
        self.assertEqual(download.status, 200)
        self.assertGreater(len(download.raw), 100_000)
        document = download.json
        self.assertEqual(document["user"]["email"], "export@example.org")
        self.assertEqual(document["user"]["firstName"], "Exporté")
        self.assertEqual(len(document["sessions"]), 400)
        self.assertEqual(self.get("/sim-downloads/unknown.json", token=None).status, 404)
        self.assertEqual(self.get(ACTIONS2 + "/999999/export-all-private-data").status, 404)

    def test_log_has_no_secrets(self):
        self.create_user("logged")
        self.get(USERS, token="another-secret-token")
        with open(self.sim.log_path, encoding="utf-8") as handle:
            text = handle.read()
        self.assertIn("POST %s 201\n" % USERS, text)
        self.assertIn("GET %s 401\n" % USERS, text)
        self.assertNotIn(TOKEN, text)
        self.assertNotIn("another-secret-token", text)
        self.assertNotIn("secret-pass-1", text)
        for line in text.splitlines():
            self.assertRegex(line, r"^([A-Z]+|-) (/\S*|-) \d{3}$")


# --------------------------------------------------------------------------
# User groups, id tags, payment methods, invoice details
# --------------------------------------------------------------------------

class OtherResourceTests(SimTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim(seed=20)

    def test_user_groups(self):
        reply = self.post(GROUPS, {"name": "Night shift", "partnerId": 2, "description": "d"})
        self.assert_json(reply, 201)
        group = reply.json["data"]
        self.assertIsInstance(group["id"], int)
        self.assertEqual(list(group), ["id", "name", "partnerId", "description", "externalId", "lastUpdatedAt"])
        gid = group["id"]
        self.assertEqual(self.get(GROUPS + "/%d" % gid).json["data"], group)
        reply = self.post(GROUPS, {"partnerId": 77, "description": "x" * 2001})
        self.assertEqual(set(reply.json["errors"]), {"name", "partnerId", "description"})
        reply = self.patch(GROUPS + "/%d" % gid, {"description": "no name"})
        self.assertEqual(reply.json["errors"], {"name": ["The name field is required."]})
        self.assertEqual(self.patch(GROUPS + "/%d" % gid, {"name": "Nights"}).json["data"]["name"], "Nights")
        listed = self.get(q(GROUPS, f_noPartner="true")).json
        self.assertTrue(all(g["partnerId"] is None for g in listed["data"]))
        self.assertIn("current_page", listed["meta"])
        self.assertEqual([g["id"] for g in self.get(q(GROUPS, f_partnerId="2")).json["data"]], [gid])
        uid = self.create_user("grouped", userGroupIds=[gid])["id"]
        self.assertEqual([u["id"] for u in self.get(q(USERS, f_userGroupId=str(gid))).json["data"]], [uid])
        reply = self.patch(GROUPS + "/%d" % gid, {"name": "Nights", "partnerId": 1})
        self.assertIn("partnerId", reply.json["errors"])
        self.assertEqual(self.delete(GROUPS + "/%d" % gid).status, 204)
        self.assertEqual(self.get(GROUPS + "/%d" % gid).status, 404)
        self.assertEqual(self.get(USERS + "/" + uid).json["data"]["userGroupIds"], [])

    def test_id_tags(self):
        uid = int(self.create_user("tagged")["id"])
        reply = self.post(TAGS, {"idTagUid": "AABBCCDD", "status": "enabled", "type": "rfid", "userId": uid,
                                 "expireAt": "2031-01-01T00:00:00Z", "vehicleType": "private_car"})
        self.assert_json(reply, 201)
        tag = reply.json["data"]
        self.assertEqual((tag["userId"], tag["expireAt"], tag["partnerId"]), (uid, "2031-01-01T00:00:00Z", None))
        reply = self.post(TAGS, {"idTagUid": "aabbccdd", "status": "on", "type": "emaid", "userId": 999999})
        self.assertEqual(reply.json["errors"], {
            "idTagUid": ["The id tag uid has already been taken."],
            "status": ["The selected status is invalid."],
            "type": ["The selected type is invalid."],
            "userId": ["The selected user id is invalid."]})
        self.assertEqual(self.post(TAGS, {}).json["message"], "The id tag uid field is required. (and 2 more errors)")
        self.assertEqual([t["id"] for t in self.get(q(TAGS, f_userId=str(uid))).json["data"]], [tag["id"]])
        emaid = self.get(q(TAGS, f_type="emaid")).json["data"]
        self.assertTrue(emaid and all(t["type"] == "emaid" for t in emaid))
        self.assertEqual(self.get(q(TAGS, f_status="bogus")).status, 422)
        items, _ = self.walk(q(TAGS, cursor="", per_page=3))
        self.assertEqual(len(items), len({t["id"] for t in items}))
        self.assertIn(tag["id"], [t["id"] for t in items])
        reply = self.patch(TAGS + "/%d" % tag["id"], {"status": "suspended"})
        self.assertEqual(reply.json["data"]["status"], "suspended")
        self.assertEqual(reply.json["data"]["idTagUid"], "AABBCCDD")
        self.assertEqual([t["id"] for t in self.get(q(TAGS, f_status="suspended", f_userId=str(uid))).json["data"]],
                         [tag["id"]])
        self.assertEqual(self.delete(TAGS + "/%d" % tag["id"]).status, 204)
        self.assertEqual(self.get(TAGS + "/%d" % tag["id"]).status, 404)

    def test_payment_methods(self):
        uid = self.create_user("payer")["id"]
        base = USERS + "/%s/payment-methods" % uid
        listed = self.get(base).json
        self.assertEqual([(m["id"], m["type"]) for m in listed["data"]], [(None, "balance")])
        step1 = self.post(base, {})
        self.assert_json(step1, 200)
        self.assertIn("redirectUrl", step1.json)
        # step 2 needs step 1's other attributes back (all but the two URLs)
        alone = self.post(base, {"transactionId": step1.json["transactionId"]})
        self.assert_json(alone, 422)
        self.assertEqual(list(alone.json["errors"]), ["additionalProcessorArguments"])
        back = {k: v for k, v in step1.json.items() if k not in ("successUrl", "redirectUrl")}
        step2 = self.post(base, back)
        self.assert_json(step2, 201)
        card = step2.json["data"]
        self.assertEqual((card["type"], card["tokenizedType"], card["default"]), ("tokenized", "card", True))
        self.assertIsInstance(card["id"], str)
        self.assertEqual(self.post(base, back).json["message"], "Invalid Operation")  # used up
        bank = self.post(base, {"tokenizedType": "bank_transfer"})
        self.assertIn("bankTransferType", bank.json["errors"])
        setup = self.post(base, {"tokenizedType": "bank_transfer", "bankTransferType": "sepa"}).json
        wrong = dict(setup, additionalProcessorArguments="forged")
        self.assertIn("additionalProcessorArguments", self.post(base, wrong).json["errors"])
        sepa = self.post(base, setup).json["data"]
        self.assertEqual((sepa["bankTransferType"], sepa["default"]), ("sepa", False))
        self.assertTrue(self.patch(base + "/" + sepa["id"], {"default": True}).json["data"]["default"])
        self.assertFalse(self.get(base + "/" + card["id"]).json["data"]["default"])
        reply = self.patch(base + "/" + sepa["id"], {"default": False})
        self.assert_json(reply, 422)
        reply = self.post(ACTIONS1 + "/%s/apply-custom-fee" % uid,
                          {"amount": 5, "description": "Card fee", "paymentMethodId": card["id"]})
        self.assertEqual(reply.status, 202)
        self.assertEqual(self.delete(base + "/" + card["id"]).status, 204)
        self.assertEqual(self.get(base + "/" + card["id"]).status, 404)
        self.assertEqual(len(self.get(base).json["data"]), 2)

    def test_invoice_details(self):
        uid = self.create_user("invoiced")["id"]
        url = USERS + "/%s/invoice-details" % uid
        blank = self.get(url)
        self.assert_json(blank, 200)
        self.assertEqual((blank.json["requireInvoice"], blank.json["invoiceType"]), (False, None))
        body = {"requireInvoice": True, "invoiceType": "company", "companyName": "Example Corp",
                "companyTaxId": "TAX1", "country": "US", "state": "CA", "city": "San Francisco",
                "postCode": "94102", "address": "123 Market Street"}
        saved = self.post(url, body)
        self.assert_json(saved, 200)
        self.assertEqual(saved.json["companyName"], "Example Corp")
        self.assertEqual(saved.json["state"], "CA")
        self.assertRegex(saved.json["requireInvoiceLastUpdatedAt"], r"Z$")
        self.assertEqual(self.get(url).json, saved.json)
        reply = self.post(url, {"country": "US", "state": "ZZ"})
        self.assertEqual(set(reply.json["errors"]), {"requireInvoice", "invoiceType", "state"})
        self.assertEqual(self.get(USERS + "/999999/invoice-details").status, 404)


# --------------------------------------------------------------------------
# Transport behaviour: rate limit, chunked, TLS, mutual TLS, signals
# --------------------------------------------------------------------------

class RateLimitTests(SimTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--rate-limit", "3", "--rate-window", "2", seed=3)

    def test_rate_limit(self):
        remaining = []
        for _ in range(3):
            reply = self.get(USERS + "/1")
            self.assertEqual(reply.status, 200)
            self.assertEqual(reply.header("X-RateLimit-Limit"), "3")
            remaining.append(reply.header("X-RateLimit-Remaining"))
        self.assertEqual(remaining, ["2", "1", "0"])
        reply = self.get(USERS + "/1")
        self.assert_json(reply, 429)
        self.assertEqual(reply.json, {"message": "Too Many Attempts."})
        retry = int(reply.header("Retry-After"))
        self.assertTrue(1 <= retry <= 2, retry)
        self.assertEqual(reply.header("X-RateLimit-Remaining"), "0")
        time.sleep(retry + 0.2)
        reply = self.get(USERS + "/1")
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.header("X-RateLimit-Remaining"), "2")


class ChunkedTests(SimTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--chunked", seed=30)

    def test_chunked_bodies(self):
        with socket.create_connection(("127.0.0.1", self.sim.port), timeout=10) as sock:
            reader = sock.makefile("rb")
            for _ in range(2):  # two responses on one connection
                sock.sendall(("GET %s?per_page=20 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
                              % (USERS, TOKEN)).encode())
                status = reader.readline()
                self.assertTrue(status.startswith(b"HTTP/1.1 200"), status)
                headers = {}
                while True:
                    line = reader.readline().rstrip(b"\r\n")
                    if not line:
                        break
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                self.assertEqual(headers.get("transfer-encoding"), "chunked")
                self.assertNotIn("content-length", headers)
                chunks = []
                while True:
                    size = int(reader.readline().strip(), 16)
                    data = reader.read(size)
                    self.assertEqual(reader.read(2), b"\r\n")
                    if size == 0:
                        break
                    chunks.append(data)
                self.assertGreater(len(chunks), 3)
                self.assertEqual(len(json.loads(b"".join(chunks))["data"]), 20)

    def test_chunked_with_http_client(self):
        user = self.create_user("chunky", first_name="Ünïcode")
        reply = self.get(USERS + "/" + user["id"])
        self.assertEqual(reply.header("Transfer-Encoding"), "chunked")
        self.assertEqual(reply.json["data"]["firstName"], "Ünïcode")
        gone = self.delete(USERS + "/" + user["id"])
        self.assertEqual((gone.status, gone.raw), (204, b""))
        self.assertIsNone(gone.header("Transfer-Encoding"))

    def test_chunked_request_body(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.sim.port, timeout=10)
        try:
            payload = json.dumps(new_user_body("chunk-in")).encode()
            conn.request("POST", USERS, body=iter([payload[:10], payload[10:]]), encode_chunked=True,
                         headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json",
                                  "Transfer-Encoding": "chunked"})
            response = conn.getresponse()
            self.assertEqual(response.status, 201)
            self.assertEqual(json.loads(response.read())["data"]["email"], "chunk-in@example.org")
        finally:
            conn.close()


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_pki(directory):
    """A throw-away CA, a server cert for localhost/127.0.0.1 and a client cert."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
            "-subj", "/CN=cpuser test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    for name, cn, ext in (("server", "localhost",
                           "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
                          ("client", "cpuser-test-client", "extendedKeyUsage=clientAuth\n")):
        with open(os.path.join(directory, name + ".ext"), "w", encoding="ascii") as handle:
            handle.write("basicConstraints=CA:FALSE\n" + ext)
        openssl("req", "-new", *ec, "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn,
                cwd=directory)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext",
                cwd=directory)
    return {name: os.path.join(directory, name) for name in
            ("ca.crt", "server.crt", "server.key", "client.crt", "client.key")}


@unittest.skipUnless(shutil.which("openssl"), "the openssl command-line tool is not installed")
class TlsTests(SimTestCase):
    @classmethod
    def setUpClass(cls):
        pki_dir = os.path.join(TMP, "pki")
        os.mkdir(pki_dir)
        cls.pki = make_pki(pki_dir)
        cls.sim = Sim("--tls-cert", cls.pki["server.crt"], "--tls-key", cls.pki["server.key"], seed=5)
        cls.mtls = Sim("--tls-cert", cls.pki["server.crt"], "--tls-key", cls.pki["server.key"],
                       "--tls-client-ca", cls.pki["ca.crt"], seed=5)

    def context(self, client_cert=False):
        context = ssl.create_default_context(cafile=self.pki["ca.crt"])
        if client_cert:
            context.load_cert_chain(self.pki["client.crt"], self.pki["client.key"])
        return context

    def test_tls_verified_by_name_and_ip(self):
        for host in ("localhost", "127.0.0.1"):
            reply = call(self.sim.port, "GET", USERS + "/1", context=self.context(), host=host)
            self.assert_json(reply, 200)
            self.assertEqual(reply.json["data"]["email"], "user1@example.com")
        reply = call(self.sim.port, "GET", USERS + "/1", context=self.context(), token=None)
        self.assertEqual(reply.status, 401)

    def test_tls_keep_alive_and_links(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.sim.port, timeout=10, context=self.context())
        try:
            reply = call(self.sim.port, "GET", q(USERS, cursor="", per_page=2), conn=conn)
            sock = conn.sock
            self.assertTrue(reply.json["links"]["next"].startswith("https://127.0.0.1:%d/" % self.sim.port))
            reply = call(self.sim.port, "GET", relative(reply.json["links"]["next"]), conn=conn)
            self.assertEqual([u["id"] for u in reply.json["data"]], ["3", "4"])
            self.assertIs(conn.sock, sock)
        finally:
            conn.close()

    def test_tls_rejects_untrusted_client_side(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            call(self.sim.port, "GET", USERS, context=ssl.create_default_context())

    def test_plain_http_to_tls_port_fails(self):
        with self.assertRaises((OSError, http.client.HTTPException)):
            call(self.sim.port, "GET", USERS)

    def test_mutual_tls(self):
        reply = call(self.mtls.port, "GET", USERS + "/2", context=self.context(client_cert=True))
        self.assert_json(reply, 200)
        self.assertEqual(reply.json["data"]["email"], "user2@example.com")
        with self.assertRaises(OSError):
            call(self.mtls.port, "GET", USERS + "/2", context=self.context(client_cert=False))
        # the server keeps serving after refusing a client
        reply = call(self.mtls.port, "GET", USERS + "/3", context=self.context(client_cert=True))
        self.assertEqual(reply.status, 200)


class OptionTests(SimTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = Sim("--user-id-format", "integer", "--action-body", "empty", "--return-password-hash",
                      "--always-collect-invoice-details", "--export-sessions", "3", seed=4)

    def test_options(self):
        user = self.get(USERS + "/4").json["data"]
        self.assertEqual(user["id"], 4)
        self.assertTrue(user["password"].startswith("$2y$"))
        self.assertEqual(list(user).index("password"), list(user).index("options") + 1)
        reply = self.post(ACTIONS1 + "/4/change-status", {"status": "disabled", "reason": "x"})
        self.assertEqual((reply.status, reply.raw, reply.header("Content-Length")), (202, b"", "0"))
        self.assertIsNone(reply.header("Content-Type"))
        saved = self.post(USERS + "/4/invoice-details", {"requireInvoice": False, "invoiceType": "individual",
                                                           "individualName": "John Doe"}).json
        self.assertEqual((saved["requireInvoice"], saved["requireInvoiceEnforcedBy"], saved["originalRequestValue"]),
                         (True, "operator_setting", False))
        url = self.get(ACTIONS2 + "/4/export-all-private-data").json["downloadUrl"]
        self.assertEqual(len(self.get(relative(url), token=None).json["sessions"]), 3)


class ProcessTests(unittest.TestCase):
    def test_help(self):
        done = subprocess.run([sys.executable, SIM, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0)
        for option in ("--host", "--port", "--port-file", "--token", "--token-file", "--tls-cert",
                       "--tls-key", "--tls-client-ca", "--chunked", "--rate-limit", "--rate-window",
                       "--seed-users", "--log"):
            self.assertIn(option, done.stdout)

    def test_clean_shutdown_on_signals(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            sim = Sim(seed=1)
            conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=10)
            try:  # an open keep-alive connection must not hold the shutdown up
                self.assertEqual(call(sim.port, "GET", USERS + "/1", conn=conn).status, 200)
                started = time.monotonic()
                self.assertEqual(sim.stop(sig), 0)
                self.assertLess(time.monotonic() - started, 4.0)
            finally:
                conn.close()

    def test_token_file(self):
        path = os.path.join(TMP, "tokens.txt")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\nfile-token-1\nfile-token-2\n")
        sim = Sim("--token-file", path)
        try:
            self.assertEqual(call(sim.port, "GET", USERS, token="file-token-2").status, 200)
            self.assertEqual(call(sim.port, "GET", USERS, token=TOKEN).status, 200)
            self.assertEqual(call(sim.port, "GET", USERS, token="file-token-3").status, 401)
        finally:
            self.assertEqual(sim.stop(), 0)


if __name__ == "__main__":
    sys.exit(testlib.main("test_sim", limit_s=RUN_LIMIT_S))
