#!/usr/bin/env python3
"""azure_apim_sim.py - a local Azure API Management (users) simulator for
cpuser tests.

It serves the part of the Azure Resource Manager API that cpuser's Azure
backend uses, over HTTP/1.1 or HTTPS, with its state in memory:

  /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ApiManagement
      /service/{service}/users/{userId}
          GET     -> 200 UserContract, ETag header
          PATCH   -> 200 (If-Match required; properties merged; a new ETag)
          DELETE  -> 204 (or --sync-status 200), or 202 Accepted with
                     Azure-AsyncOperation and Location (--polls N > 0)
      .../service/{service}/tenant/operationResults/{opId}
          GET     -> 200 {"id", "name", "status": "InProgress" | "Succeeded" |
                     "Failed" | "Canceled", "startTime", ["endTime"], ["error"]}
  Every endpoint needs "Authorization: Bearer <token>" and
  ?api-version=2024-05-01; errors are ARM ErrorResponse bodies
  {"error": {"code", "message", "target", "details": [...]}}.

Semantics (shared/seeds/003_f6f63f542775ca03.txt, and ARM's conventions
where the page says nothing):
  - DELETE needs If-Match: "*" or the user's current ETag; another ETag is
    412 PreconditionFailed; no If-Match is 400.
  - The subscription id must be a UUID and the service name must match
    ^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$ (400 otherwise); an unknown
    subscription, resource group or service is 404.
  - deleteSubscriptions and notify are true/false, appType portal or
    developerPortal (400 otherwise); they are recorded, not acted on.
  - A user that does not exist (already deleted) is 204 on DELETE (ARM's
    idempotent delete; --missing-user-status 404 to answer 404 instead).
  - With --polls N > 0 a DELETE is 202 Accepted; the operation completes on
    its Nth poll (a GET of either the Azure-AsyncOperation or the Location
    URL counts): --operation-result succeeded removes the user then, failed
    or canceled leaves it. The Location URL answers 202 while in progress,
    204 on success, 409 with the operation's error on failure.
    Retry-After (--retry-after S, default 0; negative: not sent) is on the
    202 and on every in-progress poll.
  - --async-headers both|async|location|none picks which of the two URLs the
    202 carries; --operation-host HOST[:PORT] puts them on another origin
    (for cross-origin refusal tests).

Usage:
    python3 tests/sim/azure_apim_sim.py --port 0 --port-file /tmp/p --token T
then read the port from /tmp/p. SIGTERM or SIGINT stops it (exit status 0).
Fixtures: subscription 00000000-0000-0000-0000-000000000000, resource group
rg1, service apimService1 (--subscription, --resource-group, --service to
change them); users 5931a75ae4bbd512288c680b and user1..userN (--seed-users).
Python 3 standard library only. Tokens are never logged.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hmac
import json
import re
import sys
import threading
import traceback
import urllib.parse

import simlib

API_VERSION = "2024-05-01"
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SERVICE_RE = re.compile(r"[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?")
PREFIX = (r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
          r"/providers/Microsoft\.ApiManagement/service/(?P<service>[^/]+)")
USER_ROUTE = re.compile(PREFIX + r"/users/(?P<user>[^/]+)", re.IGNORECASE)
OPERATION_ROUTE = re.compile(PREFIX + r"/tenant/operationResults/(?P<op>[^/]+)", re.IGNORECASE)
EXAMPLE_USER = "5931a75ae4bbd512288c680b"
MAX_BODY = 1 << 20


class ApiError(Exception):
    """An ARM ErrorResponse."""

    def __init__(self, status, code, message, target=None, details=None, headers=None):
        super().__init__(message)
        self.status = status
        error = {"code": code, "message": message}
        if target is not None:
            error["target"] = target
        if details:
            error["details"] = details
        self.body = {"error": error}
        self.headers = headers or {}


def now_text():
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    """Users and operations, under one lock."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.lock = threading.Lock()
        self.users = {}        # user id (lower case) -> dict
        self.operations = {}   # op id -> dict
        self.counter = 0
        self.add_user(EXAMPLE_USER, "Administrator", "admin@live.com")
        for n in range(1, cfg.seed_users + 1):
            self.add_user("user%d" % n, "User %d" % n, "user%d@example.com" % n)

    def next_id(self):
        self.counter += 1
        return "%024x" % (0x5c730e343244df1b9cb56e00 + self.counter)

    def new_etag(self):
        self.counter += 1
        raw = self.counter.to_bytes(8, "big")
        return '"%s"' % base64.b64encode(raw).decode("ascii")

    def add_user(self, user_id, name, email):
        first, _, last = name.partition(" ")
        self.users[user_id.lower()] = {
            "id": user_id,
            "etag": self.new_etag(),
            "properties": {"firstName": first, "lastName": last or first, "email": email,
                           "state": "active", "registrationDate": "2024-01-01T00:00:00Z",
                           "note": None, "identities": [{"provider": "Basic", "id": email}]},
        }


class Handler(simlib.SimHandler):
    server_version = "azure-apim-sim/1.0"

    def send_error(self, code, message=None, explain=None):
        self.close_connection = True
        self.respond(code, {"error": {"code": "BadRequest", "message": message or "Bad request."}}, {})

    # ---- helpers
    def origin(self):
        cfg = self.server.cfg
        scheme = "https" if self.server.tls else "http"
        if cfg.operation_host:
            return "%s://%s" % (scheme, cfg.operation_host)
        host = self.headers.get("Host", "")
        if not re.fullmatch(r"[A-Za-z0-9.\-]+(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?", host or "-"):
            host = "%s:%d" % (self.server.display_host, self.server.server_port)
        return "%s://%s" % (scheme, host)

    def read_body(self):
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            raise ApiError(400, "BadRequest", "Transfer-Encoding is not supported by the simulator.")
        if length is None:
            return b""
        if not length.strip().isdigit() or int(length) > MAX_BODY:
            raise ApiError(400, "BadRequest", "Invalid Content-Length.")
        data = self.rfile.read(int(length))
        if len(data) != int(length):
            raise ApiError(400, "BadRequest", "Request body ended early.")
        return data

    def authenticated(self):
        header = self.headers.get("Authorization") or ""
        match = re.fullmatch(r"\s*Bearer\s+(\S+)\s*", header, re.IGNORECASE)
        if not match:
            raise ApiError(401, "AuthenticationFailed",
                           "Authentication failed. The 'Authorization' header is missing.",
                           headers={"WWW-Authenticate": 'Bearer authorization_uri="https://login.example"'})
        offered = match.group(1).encode("utf-8", "replace")
        ok = False
        for token in self.server.cfg.tokens:
            ok |= hmac.compare_digest(offered, token.encode("utf-8"))
        if not ok:
            raise ApiError(401, "InvalidAuthenticationToken",
                           "The access token is invalid.",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    # ---- the request cycle
    def dispatch(self):
        headers = {}
        try:
            raw = self.read_body()
            split = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
            path = urllib.parse.unquote(split.path)
            user = USER_ROUTE.fullmatch(split.path)
            operation = OPERATION_ROUTE.fullmatch(split.path)
            if user is None and operation is None:
                raise ApiError(404, "NotFound", "The requested path %s was not found." % path)
            self.authenticated()
            versions = query.get("api-version", [])
            if not versions:
                raise ApiError(400, "MissingApiVersionParameter",
                               "The api-version query parameter (?api-version=) is required for all requests.")
            if versions != [API_VERSION]:
                raise ApiError(400, "InvalidApiVersionParameter",
                               "The api-version '%s' is invalid. The supported version is '%s'."
                               % (versions[-1], API_VERSION))
            match = user or operation
            groups = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
            self.check_scope(groups)
            with self.server.store.lock:
                if operation is not None:
                    if self.command != "GET":
                        raise ApiError(405, "MethodNotAllowed", "Only GET is supported here.")
                    status, payload, headers = self.get_operation(groups["op"])
                elif "asyncId" in query:
                    if self.command != "GET":
                        raise ApiError(405, "MethodNotAllowed", "Only GET is supported here.")
                    status, payload, headers = self.get_location(query["asyncId"][-1])
                elif self.command in ("GET", "HEAD"):
                    status, payload, headers = self.get_user(groups["user"])
                elif self.command == "DELETE":
                    status, payload, headers = self.delete_user(groups, query)
                elif self.command == "PATCH":
                    status, payload, headers = self.patch_user(groups["user"], raw)
                else:
                    raise ApiError(405, "MethodNotAllowed", "The method %s is not allowed." % self.command)
        except ApiError as exc:
            status, payload = exc.status, exc.body
            headers = dict(exc.headers)
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        except Exception:  # a simulator bug: say so, keep serving
            traceback.print_exc()
            status, payload = 500, {"error": {"code": "InternalServerError", "message": "Simulator error."}}
        self.respond(status, payload, headers)

    def check_scope(self, groups):
        cfg = self.server.cfg
        if not UUID_RE.fullmatch(groups["sub"]):
            raise ApiError(400, "InvalidSubscriptionId",
                           "The provided subscription identifier '%s' is malformed or invalid." % groups["sub"],
                           target="subscriptionId")
        if not SERVICE_RE.fullmatch(groups["service"]) or len(groups["service"]) > 50:
            raise ApiError(400, "ValidationError", "The service name is invalid.", target="serviceName",
                           details=[{"code": "PatternMismatch", "target": "serviceName",
                                     "message": "must match ^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$"}])
        if groups["sub"].lower() != cfg.subscription.lower():
            raise ApiError(404, "SubscriptionNotFound", "The subscription '%s' could not be found." % groups["sub"])
        if groups["rg"].lower() != cfg.resource_group.lower():
            raise ApiError(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % groups["rg"])
        if groups["service"].lower() != cfg.service.lower():
            raise ApiError(404, "ResourceNotFound",
                           "The Resource 'Microsoft.ApiManagement/service/%s' under resource group '%s' "
                           "was not found." % (groups["service"], groups["rg"]))

    def user_url(self, user_id):
        cfg = self.server.cfg
        return ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ApiManagement/service/%s/users/%s"
                % (cfg.subscription, cfg.resource_group, cfg.service, urllib.parse.quote(user_id, safe="")))

    def user_contract(self, user):
        return {"id": self.user_url(user["id"]), "type": "Microsoft.ApiManagement/service/users",
                "name": user["id"], "properties": user["properties"]}

    def find_user(self, user_id):
        user = self.server.store.users.get(user_id.lower())
        if user is None:
            raise ApiError(404, "ResourceNotFound", "User not found.", target="userId")
        return user

    def get_user(self, user_id):
        user = self.find_user(user_id)
        return 200, self.user_contract(user), {"ETag": user["etag"]}

    def if_match(self, user):
        value = self.headers.get("If-Match")
        if value is None or value.strip() == "":
            raise ApiError(400, "ValidationError", "The If-Match header is required.", target="If-Match",
                           details=[{"code": "MissingIfMatch", "target": "If-Match",
                                     "message": "Give the ETag of a GET of the user, or *."}])
        tags = [t.strip() for t in value.split(",")]
        if "*" in tags or (user is not None and user["etag"] in tags):
            return
        if user is None:
            return
        raise ApiError(412, "PreconditionFailed",
                       "The entity tag (ETag) in If-Match does not match the current state of the user.",
                       target="If-Match",
                       details=[{"code": "ETagMismatch", "target": "If-Match",
                                 "message": "Current ETag is %s; GET the user again." % user["etag"]}])

    def patch_user(self, user_id, raw):
        user = self.find_user(user_id)
        self.if_match(user)
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "InvalidRequestContent", "The request content is not valid JSON.") from None
        props = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(props, dict):
            raise ApiError(400, "ValidationError", "Body must be {\"properties\": {...}}.", target="properties")
        user["properties"].update(props)
        user["etag"] = self.server.store.new_etag()
        return 200, self.user_contract(user), {"ETag": user["etag"]}

    def delete_user(self, groups, query):
        cfg = self.server.cfg
        store = self.server.store
        user = store.users.get(groups["user"].lower())
        details = []
        for name in ("deleteSubscriptions", "notify"):
            values = query.get(name, [])
            if values and (len(values) > 1 or values[0].lower() not in ("true", "false")):
                details.append({"code": "InvalidBoolean", "target": name, "message": "true or false"})
        app = query.get("appType", [])
        if app and (len(app) > 1 or app[0] not in ("portal", "developerPortal")):
            details.append({"code": "InvalidEnumValue", "target": "appType",
                            "message": "portal or developerPortal"})
        if details:
            raise ApiError(400, "ValidationError", "One or more fields contain incorrect values.",
                           details=details)
        self.if_match(user)
        if user is None:
            if cfg.missing_user_status == 404:
                raise ApiError(404, "ResourceNotFound", "User not found.", target="userId")
            return 204, None, {}
        if cfg.polls <= 0:
            del store.users[user["id"].lower()]
            if cfg.sync_status == 200:
                return 200, None, {}
            return 204, None, {}
        op_id = store.next_id()
        store.operations[op_id] = {"id": op_id, "user": user["id"].lower(), "polls": 0,
                                   "status": "InProgress", "start": now_text(), "end": None}
        headers = self.operation_headers(op_id, user["id"])
        return 202, None, headers

    def operation_path(self, op_id):
        cfg = self.server.cfg
        return ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ApiManagement/service/%s"
                "/tenant/operationResults/%s?api-version=%s"
                % (cfg.subscription, cfg.resource_group, cfg.service, op_id, API_VERSION))

    def operation_headers(self, op_id, user_id):
        cfg = self.server.cfg
        headers = {}
        origin = self.origin()
        if cfg.async_headers in ("both", "location"):
            headers["Location"] = "%s%s?api-version=%s&asyncId=%s&asyncCode=204" % (
                origin, self.user_url(user_id), API_VERSION, op_id)
        if cfg.async_headers in ("both", "async"):
            headers["Azure-AsyncOperation"] = origin + self.operation_path(op_id)
        if cfg.retry_after >= 0:
            headers["Retry-After"] = str(cfg.retry_after)
        return headers

    def advance(self, op_id):
        """One poll of an operation: it ends on its Nth poll."""
        cfg = self.server.cfg
        store = self.server.store
        op = store.operations.get(op_id)
        if op is None:
            raise ApiError(404, "OperationNotFound", "The operation '%s' was not found." % op_id)
        if op["status"] == "InProgress":
            op["polls"] += 1
            if op["polls"] >= cfg.polls:
                op["status"] = cfg.operation_result.capitalize()
                op["end"] = now_text()
                if op["status"] == "Succeeded":
                    store.users.pop(op["user"], None)
        return op

    def operation_error(self, op):
        if op["status"] == "Canceled":
            return {"code": "OperationCanceled", "message": "The operation was canceled."}
        return {"code": "UserDeleteFailed", "message": "The user's subscriptions could not be removed.",
                "target": "deleteSubscriptions",
                "details": [{"code": "SubscriptionActive", "target": "subscriptions/sid-1",
                             "message": "The subscription is still active."}]}

    def get_operation(self, op_id):
        cfg = self.server.cfg
        op = self.advance(op_id)
        body = {"id": self.operation_path(op_id).split("?")[0], "name": op_id,
                "status": op["status"], "startTime": op["start"]}
        headers = {}
        if op["end"]:
            body["endTime"] = op["end"]
        if op["status"] in ("Failed", "Canceled"):
            body["error"] = self.operation_error(op)
        if op["status"] == "InProgress" and cfg.retry_after >= 0:
            headers["Retry-After"] = str(cfg.retry_after)
        return 200, body, headers

    def get_location(self, op_id):
        op = self.advance(op_id)
        if op["status"] == "InProgress":
            return 202, None, self.operation_headers(op_id, op["user"])
        if op["status"] == "Succeeded":
            return 204, None, {}
        return 409, {"error": self.operation_error(op)}, {}

    def respond(self, status, payload, headers):
        headers = {"Cache-Control": "no-cache", "x-ms-request-id": "sim-%d" % self.server.next_request(), **headers}
        self.send_json(status, payload, headers, "application/json; charset=utf-8")


class SimServer(simlib.SimServer):
    def __init__(self, cfg, store):
        self.store = store
        self.requests = 0
        super().__init__("azure-apim-sim", cfg, Handler)

    def next_request(self):
        with self.log_lock:
            self.requests += 1
            return self.requests


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="azure_apim_sim.py",
                                description="Local Azure API Management users simulator "
                                            "(get, update, delete with 202 polling). Standard library only.",
                                epilog="Stop it with SIGTERM or SIGINT. Tokens are never logged.")
    simlib.add_listen_args(p, 8081)
    simlib.add_token_args(p, "accepted bearer token (repeatable; default 'sim-token')")
    simlib.add_server_args(p, "METHOD TARGET STATUS")
    p.add_argument("--seed-users", type=int, default=0, metavar="N", help="also create user1..userN")
    p.add_argument("--subscription", default="00000000-0000-0000-0000-000000000000")
    p.add_argument("--resource-group", default="rg1")
    p.add_argument("--service", default="apimService1")
    p.add_argument("--polls", type=int, default=0, metavar="N",
                   help="0: DELETE answers at once; N > 0: 202, the operation ends on its Nth poll")
    p.add_argument("--operation-result", choices=("succeeded", "failed", "canceled"), default="succeeded")
    p.add_argument("--retry-after", type=int, default=0, metavar="SECONDS",
                   help="Retry-After on the 202 and in-progress polls (default 0; negative: none)")
    p.add_argument("--async-headers", choices=("both", "async", "location", "none"), default="both",
                   help="which operation URLs the 202 carries (default both)")
    p.add_argument("--operation-host", metavar="HOST[:PORT]",
                   help="put the operation URLs on this host (default: the request's Host)")
    p.add_argument("--sync-status", type=int, choices=(200, 204), default=204,
                   help="status of a DELETE that completes at once (default 204)")
    p.add_argument("--missing-user-status", type=int, choices=(204, 404), default=204,
                   help="DELETE of a user that does not exist (default 204, ARM's idempotent delete)")
    args = p.parse_args(argv)
    args.tokens = simlib.read_tokens(args) or ["sim-token"]
    simlib.check_server_args(p, args)
    if not UUID_RE.fullmatch(args.subscription) or not SERVICE_RE.fullmatch(args.service):
        p.error("--subscription must be a UUID and --service a valid service name")
    if args.seed_users < 0:
        p.error("--seed-users must be >= 0")
    return args


def main(argv=None):
    cfg = parse_args(argv)
    store = Store(cfg)
    return simlib.serve("azure-apim-sim", cfg, lambda: SimServer(cfg, store))


if __name__ == "__main__":
    sys.exit(main())
