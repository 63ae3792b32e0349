#!/usr/bin/env python3
"""ampeco_sim.py - a local AMPECO.CHARGE Public API simulator for cpuser tests.

It serves the user-related part of the AMPECO.CHARGE Public API v3.110.0
(shared/ampeco/openapi-users.json) over HTTP/1.1 or HTTPS, keeps its state in
memory and answers the way the spec and a Laravel backend do: bearer tokens,
rate-limit headers, Laravel validation bodies, page and cursor pagination.
Python 3.11 standard library only. Run `python3 ampeco_sim.py --help`.

Typical test use:
    python3 tests/sim/ampeco_sim.py --port 0 --port-file /tmp/p --token T \
        --seed-users 250
then read the port from /tmp/p and talk to http://127.0.0.1:<port>.
SIGTERM or SIGINT stops it cleanly (exit status 0).

Endpoints (all need "Authorization: Bearer <token>" except the download):
  /public-api/resources/users/v1.0                 GET list, POST create (201)
  /public-api/resources/users/v1.0/{user}          GET, PATCH, DELETE (204)
      .../{user}/invoice-details                   GET, POST (200, not wrapped in "data")
      .../{user}/payment-methods                   GET list, POST (step 1: 200, step 2: 201;
                                                   step 2 must pass back step 1's other attributes)
      .../{user}/payment-methods/{paymentMethodId} GET, PATCH, DELETE
  /public-api/actions/users/v1.0/{user}/change-status | add-balance | apply-custom-fee |
      activate-subscription | cancel-subscription | clear-subscription-amount-due   POST (202)
  /public-api/actions/users/v2.0/{user}/redeem-voucher            POST (202; 406 rejected)
  /public-api/actions/users/v2.0/{user}/export-all-private-data   GET -> {"downloadUrl"}
  /public-api/resources/user-groups/v1.0[/{userGroup}]  CRUD (page pagination only)
  /public-api/resources/id-tags/v2.0[/{idTag}]          CRUD (page and cursor pagination)
  /sim-downloads/<token>.json   the export document (no bearer, like a signed URL)

Listing: no `cursor` parameter -> page pagination (meta.current_page, from,
last_page, links[], path, per_page, to, total); `cursor` present (empty to
start) -> cursor pagination (meta.path, per_page, next_cursor, prev_cursor,
links.next/prev carry the other query parameters). per_page is 1..100.

Sim fixtures: vouchers VOUCHER10 (+10.000) and WELCOME5 (+5.500); plans 1-3
(9.990, 29.990, 99.000 added to amountDue); partners 1-3; user groups 1-3
always exist; a card whose name ends in 0002 is declined. Seeded user n:
user{n}@example.com, id n, lastUpdatedAt 2024-01-01T00:00:00Z + n minutes,
externalId ext-{n:05} for even n, groups 1/2/3 when n % 3/5/7 == 0, accepted
invite of partner 1 when n % 7 == 0, externalAppData when n % 4 == 0.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as dt
import hashlib
import hmac
import http.server
import json
import math
import random
import re
import secrets
import ssl
import sys
import threading
import time
import traceback
import urllib.parse
from decimal import Decimal, InvalidOperation

import simlib

# --------------------------------------------------------------------------
# Enumerations of the contract (values as listed in openapi-users.json)
# --------------------------------------------------------------------------

COUNTRIES = tuple((
    "AF AX AL DZ AS AD AO AI AQ AG AR AM AW AU AT AZ BS BH BD BB BY BE BZ BJ "
    "BM BT BO BQ BA BW BV BR IO BN BG BF BI KH CM CA CV KY CF TD CL CN CX CC "
    "CO KM CG CD CK CR CI HR CU CW CY CZ DK DJ DM DO EC EG SV GQ ER EE ET FK "
    "FO FJ FI FR GF PF TF GA GM GE DE GH GI GR GL GD GP GU GT GG GN GW GY HT "
    "HM VA HN HK HU IS IN ID IR IQ IE IM IL IT JM JP JE JO KZ KE KI KP KR XK "
    "KW KG LA LV LB LS LR LY LI LT LU MO MK MG MW MY MV ML MT MH MQ MR MU YT "
    "MX FM MD MC MN ME MS MA MZ MM NA NR NP NL NC NZ NI NE NG NU NF MP NO OM "
    "PK PW PS PA PG PY PE PH PN PL PT PR QA RE RO RU RW BL SH KN LC MF PM VC "
    "WS SM ST SA SN RS SC SL SG SX SK SI SB SO ZA GS SS ES LK SD SR SJ SZ SE "
    "CH SY TW TJ TZ TH TL TG TK TO TT TN TR TM TC TV UG UA AE GB US UM UY UZ "
    "VU VE VN VG VI WF EH YE ZM ZW "
).split())
US_STATES = tuple((
    "AL AK AS AZ AR CA CO CT DE DC FM FL GA GU HI ID IL IN IA KS KY LA ME MH "
    "MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND MP OH OK OR PW PA PR RI SC "
    "SD TN TX UT VT VI VA WA WV WI WY "
).split())
AU_STATES = tuple("NSW VIC QLD WA SA TAS ACT NT JBT CX NF CC AQ CSI ACI HM".split())
CA_PROVINCES = tuple("AB BC MB NB NL NT NS NU ON PE QC SK YT".split())
UM_TERRITORIES = tuple("81 84 85 67 89 71 76 95 79".split())
RO_COUNTIES = tuple((
    "AB AR AG BC BH BN BT BV BR B BZ CL CS CT CV DB DJ GL GR GJ HR HD IL IS "
    "IF MM MH MS NT OT PH SM SJ SB SV TR TM TL VS VL VN "
).split())

# users: state "will be considered only if the provided country is US or AU"
USER_STATE_LISTS = {"US": US_STATES, "AU": AU_STATES}
# invoice details: state "when the selected country is one of US, AU, CA, UM or RO"
INVOICE_STATE_LISTS = {"US": US_STATES, "AU": AU_STATES, "CA": CA_PROVINCES,
                       "UM": UM_TERRITORIES, "RO": RO_COUNTIES}

USER_STATUSES = ("enabled", "disabled")
SESSIONS_ALLOWED = ("single_session", "multiple_simultaneous_sessions_per_idtag",
                    "simultaneous_use_of_idtags",
                    "multiple_simultaneous_sessions_remotely_and_idtags")
INCLUDES = ("partnerInvites", "externalAppData")
ID_TAG_STATUSES = ("enabled", "disabled", "suspended")
ID_TAG_TYPES_WRITE = ("rfid", "mac_address")          # create / update
ID_TAG_TYPES_READ = ("rfid", "mac_address", "emaid")  # responses, filters
ID_TAG_VEHICLE_TYPES = ("company_car", "private_car")  # or null
TOKENIZED_TYPES = ("card", "bank_transfer")
BANK_TRANSFER_TYPES = ("sepa",)
INVOICE_TYPES = ("individual", "company")

MAX_BODY = 1 << 20            # request bodies above 1 MiB get 413
MAX_PAYMENT_METHODS = 5       # tokenized methods per user
THOUSANDTH = Decimal("0.001")
SEED_EPOCH = 1704067200       # 2024-01-01T00:00:00Z, base of seeded timestamps


class Missing:
    """Marker for 'key not present in the request'."""

    def __repr__(self):
        return "MISSING"


MISSING = Missing()


# --------------------------------------------------------------------------
# JSON, decimals and time
# --------------------------------------------------------------------------

def dec_text(value: Decimal) -> str:
    """A Decimal as a JSON number: money (at most 3 decimals) in plain form
    without trailing zeros; anything else a client sent (externalAppData may
    hold any number) exactly as it came."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -3 or value.adjusted() > 20:
        return str(value)
    text = format(value.quantize(THOUSANDTH), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def _encode(obj, out: list) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, str):
        out.append(json.dumps(obj, ensure_ascii=False))
    elif isinstance(obj, int):
        out.append(str(obj))
    elif isinstance(obj, Decimal):
        out.append(dec_text(obj))
    elif isinstance(obj, float):
        out.append(repr(obj))
    elif isinstance(obj, dict):
        out.append("{")
        first = True
        for key, val in obj.items():
            if not first:
                out.append(",")
            first = False
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _encode(val, out)
        out.append("}")
    elif isinstance(obj, (list, tuple)):
        out.append("[")
        for i, val in enumerate(obj):
            if i:
                out.append(",")
            _encode(val, out)
        out.append("]")
    else:
        raise TypeError("cannot encode %r" % type(obj))


def to_json(obj) -> bytes:
    """UTF-8 JSON (unicode kept as is), Decimals as exact numbers."""
    out: list = []
    _encode(obj, out)
    return "".join(out).encode("utf-8")


def _reject_constant(name):
    raise ValueError("invalid JSON constant " + name)


def parse_json_body(raw: bytes):
    """Parse a request body the way PHP's json_decode would accept it.

    Returns the decoded value, or MISSING when the bytes are not valid JSON
    (bad UTF-8, NaN/Infinity, unpaired surrogates...)."""
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        json.dumps(value, default=str, ensure_ascii=False).encode("utf-8")  # unpaired surrogates
        return value
    except (UnicodeError, ValueError, TypeError, RecursionError, ArithmeticError):
        return MISSING


def now_s() -> int:
    return int(time.time())


def iso_z(ts) -> str | None:
    """2024-01-15T10:30:00Z (the invoice-details example's form)."""
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso_offset(ts) -> str | None:
    """2024-02-07T13:56:19+00:00 (the payment-methods example's form)."""
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))


def sql_time(ts) -> str | None:
    """2022-11-12 12:00:00 (the emailVerified example's form)."""
    if ts is None:
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def parse_time(text) -> int | None:
    """An ISO 8601 date or date-time to epoch seconds (UTC if no offset)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return math.floor(value.timestamp())


def parse_ymd(text) -> str | None:
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return None
    return text


def to_decimal(value):
    """Laravel 'numeric': JSON numbers and numeric strings. None if not numeric."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        dec = Decimal(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*", value):
        try:
            dec = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return dec if dec.is_finite() else None


def to_int(value):
    """Laravel 'integer': ints, integral numbers and digit strings. None if not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[-+]?\d+", value.strip()):
        return int(value.strip())
    return None


def to_bool(value):
    """Laravel 'boolean': true, false, 1, 0, "1", "0". None if not."""
    if value is True or value is False:
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value in ("0", "1"):
        return value == "1"
    return None


def query_bool(text) -> bool:
    return isinstance(text, str) and text.strip().lower() in ("1", "true", "on", "yes")


# --------------------------------------------------------------------------
# Errors and Laravel-style validation
# --------------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, status: int, body=None, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found(model: str, key) -> ApiError:
    return ApiError(404, {"message": "No query results for model [App\\Models\\%s] %s" % (model, key)})


def attribute_label(field: str) -> str:
    """Laravel's displayable attribute: snake case, underscores as spaces."""
    parts = []
    for part in field.split("."):
        parts.append(re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", part).lower())
    return ".".join(parts).replace("_", " ")


def validation_body(errors: dict) -> dict:
    messages = [m for field_messages in errors.values() for m in field_messages]
    message = messages[0]
    more = len(messages) - 1
    if more:
        message += " (and %d more error%s)" % (more, "" if more == 1 else "s")
    return {"message": message, "errors": errors}


class Validator:
    """Checks one request body field by field and collects Laravel messages."""

    def __init__(self, data):
        self.data = data if isinstance(data, dict) else {}
        self.errors: dict = {}

    def get(self, field: str):
        node = self.data
        for part in field.split("."):
            if not isinstance(node, dict) or part not in node:
                return MISSING
            node = node[part]
        return node

    def present(self, field: str) -> bool:
        return self.get(field) is not MISSING

    def fail(self, field: str, template: str, **extra) -> Missing:
        self.errors.setdefault(field, []).append(
            template.format(a=attribute_label(field), **extra))
        return MISSING

    def check(self) -> None:
        if self.errors:
            raise ApiError(422, validation_body(self.errors))

    # --- rules; each returns the clean value, None (explicit null) or MISSING
    def _required(self, field, value) -> bool:
        if value is MISSING or value is None or (isinstance(value, str) and not value.strip()) \
                or (isinstance(value, (list, dict)) and not value):
            self.fail(field, "The {a} field is required.")
            return False
        return True

    def string(self, field, required=False, nullable=False, min_len=None, max_len=None):
        value = self.get(field)
        if required and not self._required(field, value):
            return MISSING
        if value is MISSING:
            return MISSING
        if value is None:
            return None if nullable else self.fail(field, "The {a} field must be a string.")
        if not isinstance(value, str):
            return self.fail(field, "The {a} field must be a string.")
        if min_len is not None and len(value) < min_len:
            return self.fail(field, "The {a} field must be at least {n} characters.", n=min_len)
        if max_len is not None and len(value) > max_len:
            return self.fail(field, "The {a} field must not be greater than {n} characters.", n=max_len)
        return value

    def email(self, field, required=False):
        value = self.string(field, required=required, max_len=255)
        if isinstance(value, str) and not is_email(value):
            return self.fail(field, "The {a} field must be a valid email address.")
        return value

    def enum(self, field, allowed, required=False, nullable=False, present=False):
        value = self.get(field)
        if present and value is MISSING:
            return self.fail(field, "The {a} field must be present.")
        if required and not self._required(field, value):
            return MISSING
        if value is MISSING:
            return MISSING
        if value is None:
            return None if nullable else self.fail(field, "The selected {a} is invalid.")
        if not isinstance(value, str) or value not in allowed:
            return self.fail(field, "The selected {a} is invalid.")
        return value

    def boolean(self, field, required=False, nullable=False):
        value = self.get(field)
        if required and (value is MISSING or value is None):
            return self.fail(field, "The {a} field is required.")
        if value is MISSING:
            return MISSING
        if value is None and nullable:
            return None
        result = to_bool(value)
        if result is None:
            return self.fail(field, "The {a} field must be true or false.")
        return result

    def integer(self, field, required=False, nullable=False, minimum=None):
        value = self.get(field)
        if required and not self._required(field, value):
            return MISSING
        if value is MISSING:
            return MISSING
        if value is None:
            return None if nullable else self.fail(field, "The {a} field must be an integer.")
        result = to_int(value)
        if result is None:
            return self.fail(field, "The {a} field must be an integer.")
        if minimum is not None and result < minimum:
            return self.fail(field, "The {a} field must be at least {n}.", n=minimum)
        return result

    def amount(self, field, required=False):
        """number, multipleOf 0.001 (Laravel: numeric|decimal:0,3)."""
        value = self.get(field)
        if required and not self._required(field, value):
            return MISSING
        if value is MISSING:
            return MISSING
        result = to_decimal(value)
        if result is None or abs(result) >= Decimal("1e15"):
            return self.fail(field, "The {a} field must be a number.")
        if result != result.quantize(THOUSANDTH, rounding="ROUND_DOWN"):
            return self.fail(field, "The {a} field must have 0-3 decimal places.")
        return result.quantize(THOUSANDTH)

    def date(self, field, nullable=False):
        value = self.get(field)
        if value is MISSING:
            return MISSING
        if value is None:
            return None if nullable else self.fail(field, "The {a} field must be a valid date.")
        result = parse_time(value)
        if result is None:
            return self.fail(field, "The {a} field must be a valid date.")
        return result

    def ymd(self, field, nullable=False):
        value = self.get(field)
        if value is MISSING:
            return MISSING
        if value is None:
            return None if nullable else self.fail(field, "The {a} field must match the format Y-m-d.")
        result = parse_ymd(value)
        if result is None:
            return self.fail(field, "The {a} field must match the format Y-m-d.")
        return result

    def obj(self, field, nullable=False):
        value = self.get(field)
        if value is MISSING:
            return MISSING
        if value is None:
            return None if nullable else self.fail(field, "The {a} field must be an array.")
        if not isinstance(value, dict):
            return self.fail(field, "The {a} field must be an array.")
        return value

    def int_list(self, field):
        value = self.get(field)
        if value is MISSING:
            return MISSING
        if not isinstance(value, list):
            return self.fail(field, "The {a} field must be an array.")
        result = []
        for i, item in enumerate(value):
            number = to_int(item)
            if number is None:
                self.fail("%s.%d" % (field, i), "The {a} field must be an integer.")
            else:
                result.append(number)
        return result if len(result) == len(value) else MISSING


_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\U0010ffff-]+")
_EMAIL_LABEL = re.compile(r"[A-Za-z0-9\u0080-\U0010ffff]([A-Za-z0-9\u0080-\U0010ffff-]*[A-Za-z0-9\u0080-\U0010ffff])?")


def is_email(text: str) -> bool:
    """RFC 5322 dot-atom address, close to Laravel's default 'email' rule."""
    if text.count("@") != 1:
        return False
    local, domain = text.split("@")
    if not local or not domain or len(local) > 64:
        return False
    if not all(_EMAIL_LOCAL.fullmatch(part) for part in local.split(".")):
        return False
    return all(_EMAIL_LABEL.fullmatch(label) for label in domain.split("."))


# --------------------------------------------------------------------------
# Query strings and pagination
# --------------------------------------------------------------------------

class Query:
    """The request's query string: plain params, filter[...] and include."""

    def __init__(self, raw: str):
        self.pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True, errors="replace")
        self.params: dict = {}
        self.filters: dict = {}
        self.includes: list = []
        for key, value in self.pairs:
            match = re.fullmatch(r"filter((?:\[[^\[\]]*\])+)", key)
            if match:
                self.filters[".".join(re.findall(r"\[([^\[\]]*)\]", match.group(1)))] = value
                continue
            match = re.fullmatch(r"include(?:\[([^\[\]]*)\])?", key)
            if match:
                inner = match.group(1)
                if inner is None:
                    self.includes += [x.strip() for x in value.split(",") if x.strip()]
                elif inner == "" or inner.isdigit():
                    self.includes.append(value)
                elif value.strip().lower() not in ("0", "false"):
                    self.includes.append(inner)  # include[partnerInvites]=1
                continue
            self.params[key] = value

    def url(self, base: str, path: str, **replace) -> str:
        pairs = [(k, v) for k, v in self.pairs if k not in replace and k not in ("page", "cursor")]
        pairs += [(k, str(v)) for k, v in replace.items()]
        return base + path + ("?" + urllib.parse.urlencode(pairs) if pairs else "")


def per_page_of(query: Query) -> int:
    text = query.params.get("per_page")
    if text is None:
        return 100
    number = to_int(text)
    errors = None
    if number is None:
        errors = ["The per page field must be an integer."]
    elif number < 1:
        errors = ["The per page field must be at least 1."]
    elif number > 100:
        errors = ["The per page field must not be greater than 100."]
    if errors:
        raise ApiError(422, validation_body({"per_page": errors}))
    return number


def encode_cursor(item_id: int, forward: bool) -> str:
    raw = json.dumps({"id": item_id, "_pointsToNextItems": forward}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str):
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(raw.decode("utf-8"))
        item_id = value["id"]
        forward = value["_pointsToNextItems"]
        if isinstance(item_id, int) and not isinstance(item_id, bool) and isinstance(forward, bool):
            return item_id, forward
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeError):
        pass
    raise ApiError(422, validation_body({"cursor": ["The cursor is invalid."]}))


def paginate(items: list, query: Query, base: str, path: str, render, cursor_allowed: bool) -> dict:
    """Laravel's paginators over `items` (already filtered, ordered by id).

    Page pagination (the default) mirrors LengthAwarePaginator; cursor
    pagination (a `cursor` parameter, empty to start) mirrors CursorPaginator."""
    per_page = per_page_of(query)
    path_url = base + path
    if cursor_allowed and "cursor" in query.params:
        token = query.params["cursor"]
        prev_cursor = next_cursor = None
        if token == "":
            chunk = items[:per_page]
            if len(items) > per_page:
                next_cursor = encode_cursor(chunk[-1]["id"], True)
        else:
            item_id, forward = decode_cursor(token)
            if forward:
                after = [item for item in items if item["id"] > item_id]
                chunk = after[:per_page]
                if chunk and len(after) > per_page:
                    next_cursor = encode_cursor(chunk[-1]["id"], True)
                if chunk:
                    prev_cursor = encode_cursor(chunk[0]["id"], False)
            else:
                before = [item for item in items if item["id"] < item_id]
                chunk = before[-per_page:] if per_page < len(before) else before
                if chunk:
                    next_cursor = encode_cursor(chunk[-1]["id"], True)
                if chunk and len(before) > per_page:
                    prev_cursor = encode_cursor(chunk[0]["id"], False)
        return {
            "data": [render(item) for item in chunk],
            "links": {
                "first": None,
                "last": None,
                "prev": query.url(base, path, cursor=prev_cursor) if prev_cursor else None,
                "next": query.url(base, path, cursor=next_cursor) if next_cursor else None,
            },
            "meta": {
                "path": path_url,
                "per_page": per_page,
                "next_cursor": next_cursor,
                "prev_cursor": prev_cursor,
            },
        }

    page = to_int(query.params.get("page", "1"))
    if page is None or page < 1:
        page = 1
    total = len(items)
    last_page = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    chunk = items[start:start + per_page]

    def page_url(number):
        return query.url(base, path, page=number)

    prev_url = page_url(page - 1) if page > 1 else None
    next_url = page_url(page + 1) if page < last_page else None
    meta_links = [{"url": prev_url, "label": "&laquo; Previous", "active": False}]
    for element in url_window(page, last_page):
        if element is None:
            meta_links.append({"url": None, "label": "...", "active": False})
        else:
            meta_links.append({"url": page_url(element), "label": str(element),
                               "active": element == page})
    meta_links.append({"url": next_url, "label": "Next &raquo;", "active": False})
    return {
        "data": [render(item) for item in chunk],
        "links": {
            "first": page_url(1),
            "last": page_url(last_page),
            "prev": prev_url,
            "next": next_url,
        },
        "meta": {
            "current_page": page,
            "from": start + 1 if chunk else None,
            "last_page": last_page,
            "links": meta_links,
            "path": path_url,
            "per_page": per_page,
            "to": start + len(chunk) if chunk else None,
            "total": total,
        },
    }


def url_window(current: int, last: int, each_side: int = 3) -> list:
    """Page numbers (None for '...') as Laravel's UrlWindow lays them out."""
    if last < each_side * 2 + 8:
        return list(range(1, last + 1))
    window = each_side * 2
    if current <= window:
        return list(range(1, window + each_side + 1)) + [None, last - 1, last]
    if current > last - window:
        return [1, 2, None] + list(range(last - (window + each_side - 1), last + 1))
    return [1, 2, None] + list(range(current - each_side, current + each_side + 1)) + [None, last - 1, last]


def time_filters(query: Query, errors: dict) -> tuple:
    bounds = []
    for name in ("lastUpdatedAfter", "lastUpdatedBefore"):
        text = query.filters.get(name)
        value = None
        if text is not None and text != "":
            value = parse_time(text)
            if value is None:
                errors["filter." + name] = ["The %s field must be a valid date." % attribute_label("filter." + name)]
        bounds.append(value)
    return bounds[0], bounds[1]


def int_filter(query: Query, name: str, errors: dict, allow_null=False):
    text = query.filters.get(name)
    if text is None or text == "":
        return None
    if allow_null and text.lower() == "null":
        return "null"
    number = to_int(text)
    if number is None:
        errors["filter." + name] = ["The %s field must be an integer." % attribute_label("filter." + name)]
    return number


def lookup_path(data, dotted: str):
    node = data
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def scalar_text(value) -> str | None:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        return dec_text(value)
    if isinstance(value, (str, int)):
        return str(value)
    return None


# --------------------------------------------------------------------------
# The in-memory backend
# --------------------------------------------------------------------------

def hash_password(password: str) -> str:
    salt = secrets.token_bytes(8)
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    text = base64.b64encode(salt + digest).decode().replace("+", ".").rstrip("=")
    return "$2y$10$" + text[:53]


SEED_FIRST = ["Anna", "Boris", "Chloé", "Dmitri", "Élodie", "François", "Grzegorz", "Hana",
              "Иван", "Jürgen", "Katarzyna", "美咲", "Øyvind", "Nuño", "Sørina", "Zoë"]
SEED_LAST = ["Ivanova", "Müller", "García", "Łukasiewicz", "Петров", "O'Neill", "山田",
             "Smith", "Dubois", "Novák", "Østergaard", "Popescu", "Κωνσταντίνου"]
SEED_COUNTRIES = [("BG", None, "Sofia"), ("DE", None, "Berlin"), ("US", "CA", "San Francisco"),
                  ("AU", "NSW", "Sydney"), ("FR", None, "Lyon"), ("GB", None, "London"),
                  ("US", "NY", "New York"), ("RO", None, "Cluj-Napoca")]


class Store:
    """All simulated records. Every handler runs under `lock`."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.lock = threading.RLock()
        self.users: dict = {}
        self.groups: dict = {}
        self.id_tags: dict = {}
        self.payment_methods: dict = {}   # user id -> list of records
        self.pm_transactions: dict = {}   # transaction id -> pending registration
        self.invoice_details: dict = {}   # user id -> record
        self.exports: dict = {}           # download token -> (user id, expiry)
        self.next_ids = {"user": 1, "group": 1, "tag": 1, "pm": 1001, "tx": 1,
                         "subscription": 1, "invite": 1}
        self.partners = {1: "Partner One", 2: "Partner Two", 3: "Partner Three"}
        self.plans = {1: ("Basic", Decimal("9.990")), 2: ("Premium", Decimal("29.990")),
                      3: ("Fleet", Decimal("99.000"))}
        self.vouchers = {"VOUCHER10": Decimal("10.000"), "WELCOME5": Decimal("5.500")}

    def new_id(self, kind: str) -> int:
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    # ---- seeding
    def seed(self, user_count: int) -> None:
        for name, partner, desc in (("Fleet A", None, "Company cars of fleet A"),
                                    ("Fleet B", None, None),
                                    ("Partner Staff", 1, "Staff of partner one")):
            gid = self.new_id("group")
            self.groups[gid] = {"id": gid, "name": name, "partnerId": partner, "description": desc,
                                "externalId": "grp-%d" % gid if gid != 2 else None,
                                "lastUpdatedAt": SEED_EPOCH + gid}
        for n in range(1, user_count + 1):
            self._seed_user(n)

    def _seed_user(self, n: int) -> None:
        uid = self.new_id("user")
        stamp = SEED_EPOCH + n * 60
        country, state, city = SEED_COUNTRIES[n % len(SEED_COUNTRIES)]
        groups = [gid for gid, step in ((1, 3), (2, 5), (3, 7)) if n % step == 0]
        user = self.blank_user(uid, "user%d@example.com" % n, "seed-password-%d" % n, stamp)
        user.update({
            "firstName": SEED_FIRST[n % len(SEED_FIRST)],
            "middleName": "M." if n % 6 == 0 else None,
            "lastName": SEED_LAST[n % len(SEED_LAST)],
            "phone": "+3598%08d" % n,
            "country": country, "state": state, "city": city,
            "postCode": "%05d" % (1000 + n), "address": "%d Main Street" % n,
            "vehicleNo": "CB%04dAB" % n if n % 2 else None,
            "personalId": "PID%06d" % n if n % 3 == 0 else None,
            "locale": ("en-GB", "bg-BG", "de-DE")[n % 3],
            "emailVerified": stamp if n % 2 else None,
            "balance": (Decimal(n) * Decimal("1.125")).quantize(THOUSANDTH),
            "status": "disabled" if n % 10 == 0 else "enabled",
            "userGroupIds": groups,
            "externalId": "ext-%05d" % n if n % 2 == 0 else None,
            "createdBy": "admin:1" if n % 4 else "mobile_api",
            "receiveNewsAndPromotions": n % 5 == 0,
            "options": {"sessionsAllowed": SESSIONS_ALLOWED[n % len(SESSIONS_ALLOWED)]},
        })
        if n % 4 == 0:
            user["externalAppData"] = {"externalCustomerId": "cus_%06d" % n,
                                       "crm": {"tier": "gold" if n % 8 == 0 else "silver"}}
        if n % 7 == 0:
            user["partnerInvites"].append(self._invite(1, user, "accepted", stamp))
        if n % 11 == 0:
            user["partnerInvites"].append(self._invite(2, user, "pending", stamp))
        if n % 9 == 0:
            user["subscriptionId"] = self.new_id("subscription")
            user["subscription"] = {"planId": 1, "endDate": None, "autoRenewal": True,
                                    "reason": "Seeded", "activatedAt": stamp}
            user["amountDue"] = Decimal("9.990")
        if n % 13 == 0:
            user["bankDetails"].update({"bankIban": "DE89370400440532%06d" % n, "bankName": "Sim Bank"})
        self.users[uid] = user
        if n % 2 == 1:
            tid = self.new_id("tag")
            self.id_tags[tid] = {
                "id": tid, "idTagUid": "%08X" % (0x04A10000 + n), "idLabel": "Card %d" % n,
                "expireAt": SEED_EPOCH + 86400 * (365 + n) if n % 3 else None,
                "createdAt": stamp, "status": ID_TAG_STATUSES[n % 3] if n % 5 == 0 else "enabled",
                "type": "emaid" if n % 15 == 0 else ("mac_address" if n % 7 == 0 else "rfid"),
                "vehicleType": "company_car" if n % 3 == 0 else None,
                "paymentMethodId": "auto" if n % 4 == 1 else None,
                "userId": uid, "externalId": "tag-%d" % n if n % 3 == 1 else None,
                "partnerId": 1 if n % 7 == 0 else None, "lastUpdatedAt": stamp,
            }
        if n % 3 == 1:
            self.add_payment_method(uid, "card", None, stamp)

    def _invite(self, partner_id: int, user: dict, status: str, stamp: int) -> dict:
        return {"id": self.new_id("invite"), "partnerId": partner_id, "sendViaEmail": True,
                "email": user["email"], "language": "en",
                "acceptUrl": None if status == "accepted" else "https://example.com/invites/%d" % user["id"],
                "options": {"allowCorporateAccountBilling": partner_id == 1,
                            "limitCorporateAccountBillingToPartnerChargePoints": False,
                            "allowAccessToPrivateChargePoints": partner_id == 1},
                "status": status, "createdAt": stamp,
                "acceptedAt": stamp + 3600 if status == "accepted" else None,
                "userId": user["id"] if status == "accepted" else None,
                "lastUpdatedAt": stamp + (3600 if status == "accepted" else 0)}

    @staticmethod
    def blank_user(uid: int, email: str, password: str, stamp: int) -> dict:
        return {
            "id": uid, "email": email, "emailVerified": None, "requirePasswordReset": False,
            "firstName": None, "middleName": None, "lastName": None, "phone": None,
            "country": None, "state": None, "city": None, "postCode": None, "address": None,
            "vehicleNo": None, "personalId": None, "locale": None,
            "balance": Decimal("0.000"), "status": "enabled", "userGroupIds": [],
            "externalId": None, "subscriptionId": None,
            "options": {"sessionsAllowed": "single_session"},
            "passwordHash": hash_password(password),
            "lastUpdatedAt": stamp, "createdAt": stamp, "createdBy": "token:1",
            "receiveNewsAndPromotions": False, "partnerInvites": [],
            "bankDetails": {"bankIban": None, "bankName": None, "bankAddress": None,
                            "bankCode": None, "bankAccountNumber": None, "bankAccountType": None},
            "externalAppData": None,
            # not in the user resource; used by actions and the export
            "amountDue": Decimal("0.000"), "subscription": None,
            "redeemedVouchers": [], "transactions": [],
        }

    # ---- lookups
    def user(self, key) -> dict:
        uid = to_int(key) if isinstance(key, str) and key.isdigit() else None
        if uid is None or uid not in self.users:
            raise not_found("User", key)
        return self.users[uid]

    def email_owner(self, email: str):
        folded = email.casefold()
        for user in self.users.values():
            if user["email"].casefold() == folded:
                return user
        return None

    # ---- rendering
    def render_user(self, user: dict, includes=(), amount_due=False) -> dict:
        uid = user["id"] if self.cfg.user_id_format == "integer" else str(user["id"])
        out = {
            "id": uid,
            "email": user["email"],
            "emailVerified": sql_time(user["emailVerified"]),
            "requirePasswordReset": user["requirePasswordReset"],
            "firstName": user["firstName"],
            "middleName": user["middleName"],
            "lastName": user["lastName"],
            "phone": user["phone"],
            "country": user["country"],
            "state": user["state"],
            "city": user["city"],
            "postCode": user["postCode"],
            "address": user["address"],
            "vehicleNo": user["vehicleNo"],
            "personalId": user["personalId"],
            "locale": user["locale"],
            "balance": user["balance"],
            "status": user["status"],
            "userGroupIds": list(user["userGroupIds"]),
            "externalId": user["externalId"],
            "subscriptionId": user["subscriptionId"],
            "options": dict(user["options"]),
        }
        if self.cfg.return_password_hash:
            out["password"] = user["passwordHash"]
        out.update({
            "lastUpdatedAt": iso_z(user["lastUpdatedAt"]),
            "createdAt": iso_z(user["createdAt"]),
            "createdBy": user["createdBy"],
            "receiveNewsAndPromotions": user["receiveNewsAndPromotions"],
        })
        if "partnerInvites" in includes:
            out["partnerInvites"] = [self.render_invite(inv) for inv in user["partnerInvites"]]
        out["bankDetails"] = dict(user["bankDetails"])
        if "externalAppData" in includes:
            out["externalAppData"] = user["externalAppData"]
        if amount_due:
            out["amountDue"] = user["amountDue"]
        return out

    @staticmethod
    def render_invite(inv: dict) -> dict:
        out = dict(inv)
        out["options"] = dict(inv["options"])
        for key in ("createdAt", "acceptedAt", "lastUpdatedAt"):
            out[key] = iso_z(inv[key])
        return out

    @staticmethod
    def render_group(group: dict) -> dict:
        out = dict(group)
        out["lastUpdatedAt"] = iso_z(group["lastUpdatedAt"])
        return out

    @staticmethod
    def render_tag(tag: dict) -> dict:
        out = dict(tag)
        for key in ("expireAt", "createdAt", "lastUpdatedAt"):
            out[key] = iso_z(tag[key])
        return out

    @staticmethod
    def render_pm(pm: dict) -> dict:
        out = {"id": pm["id"], "userId": pm["userId"], "type": pm["type"]}
        if pm["type"] == "tokenized":
            out["tokenizedType"] = pm["tokenizedType"]
            if pm["tokenizedType"] == "bank_transfer":
                out["bankTransferType"] = pm["bankTransferType"]
        out.update({"issuer": pm["issuer"], "name": pm["name"], "default": pm["default"],
                    "expireYear": pm["expireYear"], "expireMonth": pm["expireMonth"],
                    "lastUpdatedAt": iso_offset(pm["lastUpdatedAt"]),
                    "addedAt": iso_offset(pm["addedAt"]), "removedAt": iso_offset(pm["removedAt"])})
        if pm["type"] == "balance":
            for key in ("issuer", "expireYear", "expireMonth"):
                del out[key]
        return out

    # ---- payment methods
    def add_payment_method(self, uid: int, tokenized_type: str, bank_type, stamp: int) -> dict:
        methods = self.payment_methods.setdefault(uid, [])
        count = len(methods)
        card_numbers = ("4242", "1111", "5555", "0002", "3782")
        issuers = ("visa", "visa", "mastercard", "visa", "amex")
        pm_id = str(self.new_id("pm"))
        if tokenized_type == "card":
            pm = {"id": pm_id, "userId": uid, "type": "tokenized", "tokenizedType": "card",
                  "bankTransferType": None, "issuer": issuers[count % 5],
                  "name": "**** " + card_numbers[count % 5], "default": count == 0,
                  "expireYear": 2030 + count, "expireMonth": 1 + (uid + count) % 12}
        else:
            pm = {"id": pm_id, "userId": uid, "type": "tokenized", "tokenizedType": "bank_transfer",
                  "bankTransferType": bank_type or "sepa", "issuer": None,
                  "name": "**** %04d" % (1113 + count), "default": count == 0,
                  "expireYear": None, "expireMonth": None}
        pm.update({"lastUpdatedAt": stamp, "addedAt": stamp, "removedAt": None})
        methods.append(pm)
        return pm

    def balance_method(self, user: dict) -> dict:
        return {"id": None, "userId": user["id"], "type": "balance", "tokenizedType": None,
                "bankTransferType": None, "issuer": None, "name": "Balance", "default": False,
                "expireYear": None, "expireMonth": None, "lastUpdatedAt": user["createdAt"],
                "addedAt": user["createdAt"], "removedAt": None}

    def find_pm(self, user: dict, pm_id: str) -> dict:
        for pm in self.payment_methods.get(user["id"], []):
            if pm["id"] == pm_id:
                return pm
        raise not_found("PaymentMethod", pm_id)


# --------------------------------------------------------------------------
# Request handlers: users
# --------------------------------------------------------------------------

USER_STRING_FIELDS = (  # request (snake_case) -> stored (camelCase)
    ("first_name", "firstName"), ("middle_name", "middleName"), ("last_name", "lastName"),
    ("phone", "phone"), ("city", "city"), ("post_code", "postCode"), ("address", "address"),
    ("vehicle_no", "vehicleNo"),
)
BANK_FIELDS = ("bankIban", "bankName", "bankAddress", "bankCode", "bankAccountNumber", "bankAccountType")


def validate_user(store: Store, body, existing=None) -> dict:
    """Validate a create (existing is None) or update body; return changes."""
    creating = existing is None
    v = Validator(body)
    changes: dict = {}
    email = v.email("email", required=creating)
    if isinstance(email, str):
        owner = store.email_owner(email)
        if owner is not None and owner is not existing:
            v.fail("email", "The {a} has already been taken.")
        else:
            changes["email"] = email
    password = v.string("password", required=creating, min_len=6)
    if isinstance(password, str):
        changes["passwordHash"] = hash_password(password)
    verified = v.date("emailVerified", nullable=True)
    if verified is not MISSING:
        changes["emailVerified"] = verified
    flag = v.boolean("requirePasswordReset")
    if flag is not MISSING:
        changes["requirePasswordReset"] = flag
    fields = USER_STRING_FIELDS + ((("personal_id", "personalId"),) if creating else ())
    for request_name, stored_name in fields:
        value = v.string(request_name)
        if value is not MISSING:
            changes[stored_name] = value
    country = v.enum("country", COUNTRIES)
    if country is not MISSING:
        changes["country"] = country
    if creating:
        locale = v.string("locale", nullable=True)
        if locale is not MISSING:
            changes["locale"] = locale
    # state: "considered only if the provided country is US or AU"
    effective_country = country if isinstance(country, str) else (existing or {}).get("country")
    if "country" in v.errors:
        effective_country = None
    state_lists = USER_STATE_LISTS.get(effective_country)
    if state_lists is not None:
        state = v.enum("state", state_lists, nullable=True)
        if state is not MISSING:
            changes["state"] = state
        elif isinstance(country, str) and existing is not None and country != existing["country"]:
            changes["state"] = None
    else:
        if v.present("state") and v.get("state") is not None and not isinstance(v.get("state"), str):
            v.fail("state", "The {a} field must be a string.")
        if existing is None or "country" in changes:
            changes["state"] = None
    groups = v.int_list("userGroupIds")
    if isinstance(groups, list):
        for i, gid in enumerate(groups):
            if gid not in store.groups:
                v.fail("userGroupIds.%d" % i, "The selected {a} is invalid.")
        unique = []
        for gid in groups:
            if gid not in unique:
                unique.append(gid)
        changes["userGroupIds"] = unique
    external_id = v.string("externalId", nullable=True)
    if external_id is not MISSING:
        changes["externalId"] = external_id
    options = v.obj("options")
    if isinstance(options, dict):
        allowed = v.enum("options.sessionsAllowed", SESSIONS_ALLOWED)
        if allowed is not MISSING:
            changes["options"] = {"sessionsAllowed": allowed}
    news = v.boolean("receiveNewsAndPromotions")
    if news is not MISSING:
        changes["receiveNewsAndPromotions"] = news
    bank = v.obj("bankDetails")
    if isinstance(bank, dict):
        bank_changes = {}
        for key in BANK_FIELDS:
            value = v.string("bankDetails." + key, nullable=True)
            if value is not MISSING:
                bank_changes[key] = value
        changes["bankDetails"] = bank_changes
    app_data = v.obj("externalAppData", nullable=True)
    if app_data is not MISSING:
        changes["externalAppData"] = app_data
    if creating:
        v.string("nonce")  # accepted on create, no effect here
    v.check()
    return changes


def apply_user_changes(user: dict, changes: dict) -> bool:
    changed = False
    for key, value in changes.items():
        if key == "bankDetails":
            for bkey, bvalue in value.items():
                if user["bankDetails"][bkey] != bvalue:
                    user["bankDetails"][bkey] = bvalue
                    changed = True
        elif key == "passwordHash":
            user[key] = value
            changed = True
        elif user.get(key) != value:
            user[key] = value
            changed = True
    return changed


def users_list(ctx):
    store, query = ctx.store, ctx.query
    errors: dict = {}
    group_id = int_filter(query, "userGroupId", errors)
    partner_id = int_filter(query, "partnerId", errors)
    after, before = time_filters(query, errors)
    if errors:
        raise ApiError(422, validation_body(errors))
    external_id = query.filters.get("externalId")
    email = query.filters.get("email")
    app_filters = [(key[len("externalAppData."):], value) for key, value in query.filters.items()
                   if key.startswith("externalAppData.")]
    items = []
    for user in sorted(store.users.values(), key=lambda u: u["id"]):
        if group_id is not None and group_id not in user["userGroupIds"]:
            continue
        if partner_id is not None and not any(
                inv["partnerId"] == partner_id and inv["status"] == "accepted"
                for inv in user["partnerInvites"]):
            continue
        if external_id not in (None, "") and user["externalId"] != external_id:
            continue
        if email not in (None, "") and user["email"].casefold() != email.casefold():
            continue
        if after is not None and user["lastUpdatedAt"] < after:
            continue
        if before is not None and user["lastUpdatedAt"] > before:
            continue
        if any(scalar_text(lookup_path(user["externalAppData"], path)) != value
               for path, value in app_filters):
            continue
        items.append(user)
    includes = tuple(query.includes)
    return 200, paginate(items, query, ctx.base, ctx.path,
                         lambda u: store.render_user(u, includes), cursor_allowed=True)


def users_create(ctx):
    store = ctx.store
    changes = validate_user(store, ctx.body)
    stamp = now_s()
    user = store.blank_user(store.new_id("user"), changes["email"], "x", stamp)
    user["createdBy"] = "token:%d" % ctx.token_index
    apply_user_changes(user, changes)
    store.users[user["id"]] = user
    return 201, {"data": store.render_user(user, tuple(ctx.query.includes))}


def user_read(ctx):
    user = ctx.store.user(ctx.args[0])
    amount_due = query_bool(ctx.query.params.get("withAmountDue"))
    return 200, {"data": ctx.store.render_user(user, tuple(ctx.query.includes), amount_due)}


def user_update(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    changes = validate_user(store, ctx.body, existing=user)
    if apply_user_changes(user, changes):
        user["lastUpdatedAt"] = now_s()
    return 200, {"data": store.render_user(user, tuple(ctx.query.includes))}


def user_delete(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    del store.users[user["id"]]
    store.payment_methods.pop(user["id"], None)
    store.invoice_details.pop(user["id"], None)
    for tag in store.id_tags.values():
        if tag["userId"] == user["id"]:
            tag["userId"] = None
            tag["lastUpdatedAt"] = now_s()
    return 204, None


# --------------------------------------------------------------------------
# Request handlers: user actions
# --------------------------------------------------------------------------

def record_transaction(user: dict, kind: str, amount: Decimal, note) -> None:
    user["transactions"].append({"type": kind, "amount": amount, "note": note,
                                 "createdAt": iso_z(now_s())})


def touch(user: dict) -> None:
    user["lastUpdatedAt"] = now_s()


def action_change_status(ctx):
    user = ctx.store.user(ctx.args[0])
    v = Validator(ctx.body)
    status = v.enum("status", USER_STATUSES, required=True)
    v.string("reason", required=True)
    v.check()
    if user["status"] != status:
        user["status"] = status
        touch(user)
    return 202, ctx.accepted()


def action_add_balance(ctx):
    user = ctx.store.user(ctx.args[0])
    v = Validator(ctx.body)
    amount = v.amount("amount", required=True)
    reason = v.string("reason", required=True)
    v.string("app_info", nullable=True, max_len=2000)
    v.check()
    user["balance"] = (user["balance"] + amount).quantize(THOUSANDTH)
    record_transaction(user, "balance_top_up", amount, reason)
    touch(user)
    return 202, ctx.accepted()


def action_apply_custom_fee(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    v = Validator(ctx.body)
    amount = v.amount("amount", required=True)
    description = v.string("description", required=True)
    pm_id = v.string("paymentMethodId", nullable=True)
    method = None
    if isinstance(pm_id, str) and pm_id != "":
        method = next((pm for pm in store.payment_methods.get(user["id"], []) if pm["id"] == pm_id), None)
        if method is None:
            v.fail("paymentMethodId", "The selected {a} is invalid.")
    v.check()
    if method is None:
        if user["balance"] < amount:
            raise ApiError(400, {"message": "User has insufficient balance"})
        user["balance"] = (user["balance"] - amount).quantize(THOUSANDTH)
        touch(user)
    elif method["name"].endswith("0002"):
        raise ApiError(400, {"message": "Your card was declined"})
    record_transaction(user, "custom_fee", amount, description)
    return 202, ctx.accepted()


def action_activate_subscription(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    v = Validator(ctx.body)
    plan_id = v.integer("planId", required=True)
    if isinstance(plan_id, int) and plan_id not in store.plans:
        v.fail("planId", "The selected {a} is invalid.")
    end_date = v.ymd("endDate", nullable=True)
    auto_renewal = v.boolean("autoRenewal")
    reason = v.string("reason", nullable=True)
    v.check()
    if user["subscriptionId"] is not None:
        raise ApiError(400, {"message": "The user already has an active subscription."})
    user["subscriptionId"] = store.new_id("subscription")
    user["subscription"] = {
        "planId": plan_id, "endDate": None if end_date is MISSING else end_date,
        "autoRenewal": False if auto_renewal is MISSING else auto_renewal,
        "reason": reason if isinstance(reason, str) and reason else "Activated via API",
        "activatedAt": now_s()}
    user["amountDue"] = (user["amountDue"] + store.plans[plan_id][1]).quantize(THOUSANDTH)
    touch(user)
    return 202, ctx.accepted()


def action_cancel_subscription(ctx):
    user = ctx.store.user(ctx.args[0])
    v = Validator(ctx.body)
    v.string("reason", required=True)
    v.check()
    if user["subscriptionId"] is None:
        raise ApiError(400, {"message": "The user has no active subscription."})
    user["subscriptionId"] = None
    user["subscription"] = None
    touch(user)
    return 202, ctx.accepted()


def action_clear_subscription_amount_due(ctx):
    user = ctx.store.user(ctx.args[0])
    if user["subscriptionId"] is None:
        raise ApiError(400, {"message": "The user has no active subscription."})
    user["amountDue"] = Decimal("0.000")
    touch(user)
    return 202, ctx.accepted()


def action_redeem_voucher(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    v = Validator(ctx.body)
    code = v.string("code", required=True)
    v.check()
    if code not in store.vouchers:
        raise ApiError(406, {"message": "The voucher code is invalid."})
    if code in user["redeemedVouchers"]:
        raise ApiError(406, {"message": "The voucher has already been redeemed."})
    user["redeemedVouchers"].append(code)
    user["balance"] = (user["balance"] + store.vouchers[code]).quantize(THOUSANDTH)
    record_transaction(user, "voucher", store.vouchers[code], code)
    touch(user)
    return 202, ctx.accepted()


def action_export_private_data(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    token = secrets.token_urlsafe(24)
    expiry = time.time() + 86400
    store.exports = {k: e for k, e in store.exports.items() if e[1] > time.time()}
    store.exports[token] = (user["id"], expiry)
    return 200, {"downloadUrl": "%s/sim-downloads/%s.json" % (ctx.base, token)}


def export_document(store: Store, user: dict) -> dict:
    rng = random.Random(user["id"] * 7919)
    tags = [store.render_tag(t) for t in store.id_tags.values() if t["userId"] == user["id"]]
    sessions = []
    start = user["createdAt"]
    for i in range(store.cfg.export_sessions):
        start += rng.randint(3600, 3 * 86400)
        duration = rng.randint(600, 8 * 3600)
        energy = Decimal(rng.randint(500, 80000)) / 1000
        sessions.append({
            "id": user["id"] * 100000 + i + 1,
            "chargePointId": rng.randint(1, 400), "evseId": rng.randint(1, 4),
            "connectorType": rng.choice(("Type2", "CCS2", "CHAdeMO")),
            "idTag": tags[0]["idTagUid"] if tags else None,
            "startedAt": iso_z(start), "stoppedAt": iso_z(start + duration),
            "energyKwh": energy, "amount": (energy * Decimal("0.390")).quantize(THOUSANDTH),
            "currency": "EUR", "status": "finished",
            "location": {"name": "Site %d" % rng.randint(1, 60), "city": user["city"]},
        })
    invoice = store.invoice_details.get(user["id"])
    return {
        "exportedAt": iso_z(now_s()),
        "user": store.render_user(user, INCLUDES, amount_due=True),
        "subscription": dict(user["subscription"], activatedAt=iso_z(user["subscription"]["activatedAt"]))
        if user["subscription"] else None,
        "idTags": tags,
        "paymentMethods": [store.render_pm(pm) for pm in store.payment_methods.get(user["id"], [])],
        "invoiceDetails": render_invoice(invoice) if invoice else None,
        "transactions": list(user["transactions"]),
        "sessions": sessions,
    }


# --------------------------------------------------------------------------
# Request handlers: user groups, id tags, payment methods, invoice details
# --------------------------------------------------------------------------

def find(table: dict, key, model: str) -> dict:
    number = to_int(key) if isinstance(key, str) and key.isdigit() else None
    if number is None or number not in table:
        raise not_found(model, key)
    return table[number]


def validate_group(store: Store, body, existing=None) -> dict:
    v = Validator(body)
    changes = {}
    name = v.string("name", required=True, max_len=255)
    if name is not MISSING:
        changes["name"] = name
    partner = v.integer("partnerId", nullable=True)
    if isinstance(partner, int) and partner not in store.partners:
        v.fail("partnerId", "The selected {a} is invalid.")
    elif partner is not MISSING:
        if existing is not None and partner != existing["partnerId"] and any(
                existing["id"] in u["userGroupIds"] for u in store.users.values()):
            v.fail("partnerId", "The partner id can be updated only if there are no users added to the user group.")
        changes["partnerId"] = partner
    for key, limit in (("description", 2000), ("externalId", 255)):
        value = v.string(key, nullable=True, max_len=limit)
        if value is not MISSING:
            changes[key] = value
    v.check()
    return changes


def groups_list(ctx):
    query = ctx.query
    errors: dict = {}
    partner_id = int_filter(query, "partnerId", errors)
    after, before = time_filters(query, errors)
    no_partner = query.filters.get("noPartner")
    if no_partner not in (None, "") and to_bool(no_partner) is None \
            and no_partner.lower() not in ("true", "false"):
        errors["filter.noPartner"] = ["The filter.no partner field must be true or false."]
    if errors:
        raise ApiError(422, validation_body(errors))
    items = []
    for group in sorted(ctx.store.groups.values(), key=lambda g: g["id"]):
        if no_partner not in (None, ""):
            want_none = no_partner.lower() in ("1", "true")
            if (group["partnerId"] is None) != want_none:
                continue
        if partner_id is not None and group["partnerId"] != partner_id:
            continue
        if after is not None and group["lastUpdatedAt"] < after:
            continue
        if before is not None and group["lastUpdatedAt"] > before:
            continue
        items.append(group)
    return 200, paginate(items, query, ctx.base, ctx.path, Store.render_group, cursor_allowed=False)


def group_create(ctx):
    store = ctx.store
    changes = validate_group(store, ctx.body)
    gid = store.new_id("group")
    group = {"id": gid, "name": None, "partnerId": None, "description": None,
             "externalId": None, "lastUpdatedAt": now_s()}
    group.update(changes)
    store.groups[gid] = group
    return 201, {"data": Store.render_group(group)}


def group_read(ctx):
    return 200, {"data": Store.render_group(find(ctx.store.groups, ctx.args[0], "UserGroup"))}


def group_update(ctx):
    group = find(ctx.store.groups, ctx.args[0], "UserGroup")
    changes = validate_group(ctx.store, ctx.body, existing=group)
    if any(group[k] != val for k, val in changes.items()):
        group.update(changes)
        group["lastUpdatedAt"] = now_s()
    return 200, {"data": Store.render_group(group)}


def group_delete(ctx):
    group = find(ctx.store.groups, ctx.args[0], "UserGroup")
    del ctx.store.groups[group["id"]]
    for user in ctx.store.users.values():
        if group["id"] in user["userGroupIds"]:
            user["userGroupIds"].remove(group["id"])
    return 204, None


def validate_tag(store: Store, body, existing=None) -> dict:
    creating = existing is None
    v = Validator(body)
    changes = {}
    uid = v.string("idTagUid", required=creating, max_len=255)
    if isinstance(uid, str):
        clash = next((t for t in store.id_tags.values()
                      if t["idTagUid"].casefold() == uid.casefold() and t is not existing), None)
        if clash is not None:
            v.fail("idTagUid", "The {a} has already been taken.")
        else:
            changes["idTagUid"] = uid
    label = v.string("idLabel", nullable=True, max_len=255)
    if label is not MISSING:
        changes["idLabel"] = label
    expire = v.date("expireAt", nullable=True)
    if expire is not MISSING:
        changes["expireAt"] = expire
    status = v.enum("status", ID_TAG_STATUSES, required=creating)
    if status is not MISSING:
        changes["status"] = status
    kind = v.enum("type", ID_TAG_TYPES_WRITE, required=creating)
    if kind is not MISSING:
        changes["type"] = kind
    vehicle = v.enum("vehicleType", ID_TAG_VEHICLE_TYPES, nullable=True)
    if vehicle is not MISSING:
        changes["vehicleType"] = vehicle
    pm = v.string("paymentMethodId", nullable=True)
    if pm is not MISSING:
        changes["paymentMethodId"] = pm
    user_id = v.integer("userId", nullable=True)
    if isinstance(user_id, int) and user_id not in store.users:
        v.fail("userId", "The selected {a} is invalid.")
    elif user_id is not MISSING:
        changes["userId"] = user_id
    external = v.string("externalId", nullable=True, max_len=255)
    if external is not MISSING:
        changes["externalId"] = external
    partner = v.integer("partnerId", nullable=not creating)
    if isinstance(partner, int) and partner not in store.partners:
        v.fail("partnerId", "The selected {a} is invalid.")
    elif partner is not MISSING:
        changes["partnerId"] = partner
    v.check()
    return changes


def tags_list(ctx):
    query = ctx.query
    errors: dict = {}
    user_id = int_filter(query, "userId", errors)
    partner_id = int_filter(query, "partnerId", errors, allow_null=True)
    after, before = time_filters(query, errors)
    expire_text = query.filters.get("expireAt")
    expire = None
    if expire_text not in (None, ""):
        expire = parse_time(expire_text)
        if expire is None:
            errors["filter.expireAt"] = ["The filter.expire at field must be a valid date."]
    for name, allowed in (("status", ID_TAG_STATUSES), ("type", ID_TAG_TYPES_READ)):
        value = query.filters.get(name)
        if value not in (None, "") and value not in allowed:
            errors["filter." + name] = ["The selected filter.%s is invalid." % name]
    if errors:
        raise ApiError(422, validation_body(errors))
    uid = query.filters.get("idTagUid")
    label = query.filters.get("idLabel")
    status = query.filters.get("status")
    kind = query.filters.get("type")
    items = []
    for tag in sorted(ctx.store.id_tags.values(), key=lambda t: t["id"]):
        if uid not in (None, "") and tag["idTagUid"].casefold() != uid.casefold():
            continue
        if label not in (None, "") and tag["idLabel"] != label:
            continue
        if user_id is not None and tag["userId"] != user_id:
            continue
        if expire is not None and (tag["expireAt"] is None or tag["expireAt"] < expire):
            continue
        if status not in (None, "") and tag["status"] != status:
            continue
        if kind not in (None, "") and tag["type"] != kind:
            continue
        if partner_id == "null" and tag["partnerId"] is not None:
            continue
        if isinstance(partner_id, int) and tag["partnerId"] != partner_id:
            continue
        if after is not None and tag["lastUpdatedAt"] < after:
            continue
        if before is not None and tag["lastUpdatedAt"] > before:
            continue
        items.append(tag)
    return 200, paginate(items, query, ctx.base, ctx.path, Store.render_tag, cursor_allowed=True)


def tag_create(ctx):
    store = ctx.store
    changes = validate_tag(store, ctx.body)
    tid = store.new_id("tag")
    stamp = now_s()
    tag = {"id": tid, "idTagUid": None, "idLabel": None, "expireAt": None, "createdAt": stamp,
           "status": None, "type": None, "vehicleType": None, "paymentMethodId": None,
           "userId": None, "externalId": None, "partnerId": None, "lastUpdatedAt": stamp}
    tag.update(changes)
    store.id_tags[tid] = tag
    return 201, {"data": Store.render_tag(tag)}


def tag_read(ctx):
    return 200, {"data": Store.render_tag(find(ctx.store.id_tags, ctx.args[0], "IdTag"))}


def tag_update(ctx):
    tag = find(ctx.store.id_tags, ctx.args[0], "IdTag")
    changes = validate_tag(ctx.store, ctx.body, existing=tag)
    if any(tag[k] != val for k, val in changes.items()):
        tag.update(changes)
        tag["lastUpdatedAt"] = now_s()
    return 200, {"data": Store.render_tag(tag)}


def tag_delete(ctx):
    tag = find(ctx.store.id_tags, ctx.args[0], "IdTag")
    del ctx.store.id_tags[tag["id"]]
    return 204, None


def pm_list(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    items = [store.balance_method(user)] + store.payment_methods.get(user["id"], [])
    return 200, paginate(items, ctx.query, ctx.base, ctx.path, Store.render_pm, cursor_allowed=False)


def pm_create(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    body = ctx.body if isinstance(ctx.body, dict) else {}
    v = Validator(body)
    in_app = [key for key in ("paymentMethodNonce", "setupIntentReference") if key in body]
    if in_app:  # step 2 of the in-app processors (Braintree nonce, Stripe setup intent)
        value = v.string(in_app[0], required=True)
        if value is MISSING:
            raise ApiError(422, {"message": "The given data was invalid.", "errors": v.errors})
        if len(store.payment_methods.get(user["id"], [])) >= MAX_PAYMENT_METHODS:
            raise ApiError(422, {"message": "Maximum allowed payment methods reached", "errors": None})
        pm = store.add_payment_method(user["id"], "card", None, now_s())
        return 201, {"data": Store.render_pm(pm)}
    if "transactionId" in body and body["transactionId"] is not None:
        tx_id = v.integer("transactionId")
        if tx_id is MISSING:
            raise ApiError(422, {"message": "The given data was invalid.", "errors": v.errors})
        pending = store.pm_transactions.get(tx_id)
        if pending is None or pending["userId"] != user["id"]:
            raise ApiError(422, {"message": "Invalid Operation", "errors": None})
        # "POST with request body, containing the transactionId along with
        # any other attributes that were in the response of Step 1": the
        # processor needs them back.
        for key, value in pending["arguments"].items():
            if body.get(key) != value:
                v.fail(key, "The {a} field must be passed back as step 1 returned it.")
        if v.errors:
            raise ApiError(422, {"message": "The given data was invalid.", "errors": v.errors})
        del store.pm_transactions[tx_id]
        if len(store.payment_methods.get(user["id"], [])) >= MAX_PAYMENT_METHODS:
            raise ApiError(422, {"message": "Maximum allowed payment methods reached", "errors": None})
        pm = store.add_payment_method(user["id"], pending["tokenizedType"],
                                      pending["bankTransferType"], now_s())
        return 201, {"data": Store.render_pm(pm)}
    kind = v.enum("tokenizedType", TOKENIZED_TYPES)
    bank = v.enum("bankTransferType", BANK_TRANSFER_TYPES)
    if kind == "bank_transfer" and bank is MISSING and "bankTransferType" not in v.errors:
        v.fail("bankTransferType", "The {a} field is required when tokenized type is bank_transfer.")
    if v.errors:
        raise ApiError(422, {"message": "The given data was invalid.", "errors": v.errors})
    if len(store.payment_methods.get(user["id"], [])) >= MAX_PAYMENT_METHODS:
        raise ApiError(422, {"message": "Maximum allowed payment methods reached", "errors": None})
    tx_id = store.new_id("tx")
    arguments = {"additionalProcessorArguments": "sim-%d-%s" % (tx_id, secrets.token_hex(4))}
    store.pm_transactions[tx_id] = {"userId": user["id"],
                                    "tokenizedType": "card" if kind is MISSING else kind,
                                    "bankTransferType": None if bank is MISSING else bank,
                                    "arguments": arguments}
    reply = {"transactionId": tx_id,
             "successUrl": "%s/sim-payment/success" % ctx.base,
             "redirectUrl": "%s/sim-payment/web-form/%d" % (ctx.base, tx_id)}
    reply.update(arguments)
    return 200, reply


def pm_read(ctx):
    user = ctx.store.user(ctx.args[0])
    return 200, {"data": Store.render_pm(ctx.store.find_pm(user, ctx.args[1]))}


def pm_update(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    pm = store.find_pm(user, ctx.args[1])
    v = Validator(ctx.body)
    default = v.boolean("default")
    if v.errors:
        raise ApiError(422, {"message": "The given data was invalid.", "errors": v.errors})
    if pm["expireYear"] is not None and (pm["expireYear"], pm["expireMonth"]) < time.gmtime()[:2]:
        raise ApiError(422, {"message": "Cannot update expired payment method.", "errors": None})
    if default is True and not pm["default"]:
        for other in store.payment_methods.get(user["id"], []):
            if other["default"]:
                other["default"] = False
                other["lastUpdatedAt"] = now_s()
        pm["default"] = True
        pm["lastUpdatedAt"] = now_s()
    elif default is False and pm["default"]:
        raise ApiError(422, {"message": "Can not set this payment method as non default. "
                                        "Please add another payment method.", "errors": None})
    return 200, {"data": Store.render_pm(pm)}


def pm_delete(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    pm = store.find_pm(user, ctx.args[1])
    methods = store.payment_methods[user["id"]]
    methods.remove(pm)
    if pm["default"] and methods:
        methods[0]["default"] = True
        methods[0]["lastUpdatedAt"] = now_s()
    return 204, None


INVOICE_TEXT_FIELDS = ("individualName", "individualPersonalId", "individualTaxId", "companyName",
                       "companyRegNo", "companyTaxId", "companyTaxAdministrationOfficeName")


def blank_invoice() -> dict:
    record = {"requireInvoice": False, "requireInvoiceLastUpdatedAt": None,
              "requireInvoiceEnforcedBy": None, "originalRequestValue": None, "invoiceType": None}
    for key in INVOICE_TEXT_FIELDS + ("country", "region", "state", "city", "postCode", "address"):
        record[key] = None
    return record


def render_invoice(record: dict) -> dict:
    out = {"requireInvoice": record["requireInvoice"],
           "requireInvoiceLastUpdatedAt": iso_z(record["requireInvoiceLastUpdatedAt"])}
    if record["requireInvoiceEnforcedBy"] is not None:
        out["requireInvoiceEnforcedBy"] = record["requireInvoiceEnforcedBy"]
        out["originalRequestValue"] = record["originalRequestValue"]
    for key in ("invoiceType",) + INVOICE_TEXT_FIELDS + ("country", "region", "state", "city",
                                                          "postCode", "address"):
        out[key] = record[key]
    return out


def invoice_read(ctx):
    user = ctx.store.user(ctx.args[0])
    return 200, render_invoice(ctx.store.invoice_details.get(user["id"]) or blank_invoice())


def invoice_write(ctx):
    store = ctx.store
    user = store.user(ctx.args[0])
    v = Validator(ctx.body)
    require = v.boolean("requireInvoice", required=True)
    invoice_type = v.enum("invoiceType", INVOICE_TYPES, nullable=True, present=True)
    texts = {key: v.string(key, nullable=True, max_len=255)
             for key in INVOICE_TEXT_FIELDS + ("city", "postCode", "address", "region")}
    country = v.enum("country", COUNTRIES, nullable=True)
    state = None
    if isinstance(country, str) and country in INVOICE_STATE_LISTS:
        state = v.enum("state", INVOICE_STATE_LISTS[country], nullable=True)
        texts["region"] = None
    elif v.present("state") and v.get("state") is not None and not isinstance(v.get("state"), str):
        v.fail("state", "The {a} field must be a string.")
    v.check()
    old = store.invoice_details.get(user["id"]) or blank_invoice()
    record = blank_invoice()
    record["requireInvoice"] = require
    record["requireInvoiceLastUpdatedAt"] = old["requireInvoiceLastUpdatedAt"]
    if store.cfg.always_collect_invoice_details and not require:
        record.update(requireInvoice=True, requireInvoiceEnforcedBy="operator_setting",
                      originalRequestValue=require)
    if record["requireInvoice"] != old["requireInvoice"] or old["requireInvoiceLastUpdatedAt"] is None:
        record["requireInvoiceLastUpdatedAt"] = now_s()
    record["invoiceType"] = invoice_type
    for key, value in texts.items():
        record[key] = None if value is MISSING else value
    record["country"] = None if country is MISSING else country
    record["state"] = None if state is MISSING else state
    store.invoice_details[user["id"]] = record
    return 200, render_invoice(record)


# --------------------------------------------------------------------------
# Routing
# --------------------------------------------------------------------------

USERS = "/public-api/resources/users/v1.0"
ACTIONS_V1 = "/public-api/actions/users/v1.0/([^/]+)/"
ACTIONS_V2 = "/public-api/actions/users/v2.0/([^/]+)/"
GROUPS = "/public-api/resources/user-groups/v1.0"
TAGS = "/public-api/resources/id-tags/v2.0"

ROUTES = [  # (pattern, {method: handler})
    (USERS, {"GET": users_list, "POST": users_create}),
    (USERS + "/([^/]+)", {"GET": user_read, "PATCH": user_update, "DELETE": user_delete}),
    (USERS + "/([^/]+)/invoice-details", {"GET": invoice_read, "POST": invoice_write}),
    (USERS + "/([^/]+)/payment-methods", {"GET": pm_list, "POST": pm_create}),
    (USERS + "/([^/]+)/payment-methods/([^/]+)", {"GET": pm_read, "PATCH": pm_update, "DELETE": pm_delete}),
    (ACTIONS_V1 + "change-status", {"POST": action_change_status}),
    (ACTIONS_V1 + "add-balance", {"POST": action_add_balance}),
    (ACTIONS_V1 + "apply-custom-fee", {"POST": action_apply_custom_fee}),
    (ACTIONS_V1 + "activate-subscription", {"POST": action_activate_subscription}),
    (ACTIONS_V1 + "cancel-subscription", {"POST": action_cancel_subscription}),
    (ACTIONS_V1 + "clear-subscription-amount-due", {"POST": action_clear_subscription_amount_due}),
    (ACTIONS_V2 + "redeem-voucher", {"POST": action_redeem_voucher}),
    (ACTIONS_V2 + "export-all-private-data", {"GET": action_export_private_data}),
    (GROUPS, {"GET": groups_list, "POST": group_create}),
    (GROUPS + "/([^/]+)", {"GET": group_read, "PATCH": group_update, "DELETE": group_delete}),
    (TAGS, {"GET": tags_list, "POST": tag_create}),
    (TAGS + "/([^/]+)", {"GET": tag_read, "PATCH": tag_update, "DELETE": tag_delete}),
]
COMPILED_ROUTES = [(re.compile(pattern), methods) for pattern, methods in ROUTES]
DOWNLOAD_ROUTE = re.compile(r"/sim-downloads/([A-Za-z0-9_-]+)\.json")


class Context:
    """What a handler gets: the store, the parsed request, the base URL."""

    def __init__(self, store, cfg, path, args, query, body, base, token_index):
        self.store = store
        self.cfg = cfg
        self.path = path
        self.args = [urllib.parse.unquote(a) for a in args]
        self.query = query
        self.body = body
        self.base = base
        self.token_index = token_index

    def accepted(self):
        return {} if self.cfg.action_body == "object" else None


# --------------------------------------------------------------------------
# Rate limiting
# --------------------------------------------------------------------------

class RateLimiter:
    """Fixed window per key, like Laravel's ThrottleRequests."""

    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window
        self.lock = threading.Lock()
        self.buckets: dict = {}

    def hit(self, key: str, consume: bool = True):
        """Returns (allowed, remaining, retry_after_seconds, reset_epoch)."""
        now = time.monotonic()
        with self.lock:
            start, count = self.buckets.get(key, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            left = start + self.window - now
            reset = int(time.time() + left + 0.999)
            if consume:
                if count >= self.limit:
                    self.buckets[key] = (start, count)
                    return False, 0, max(1, math.ceil(left)), reset
                count += 1
            self.buckets[key] = (start, count)
            return True, max(0, self.limit - count), None, reset


# --------------------------------------------------------------------------
# HTTP layer
# --------------------------------------------------------------------------

class BodyError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Handler(simlib.SimHandler):
    server_version = "ampeco-sim/1.0"

    # ---- every method goes through one dispatcher (simlib's do_GET ...)
    do_OPTIONS = simlib.SimHandler.do_GET

    def send_error(self, code, message=None, explain=None):
        """Protocol-level errors (bad request line, huge headers...) as JSON."""
        try:
            phrase = http.server.HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        self.close_connection = True
        self.respond(code, {"message": message or phrase}, self.rate_headers(None))

    # ---- request body
    def read_body(self) -> bytes:
        encoding = self.headers.get("Transfer-Encoding")
        if encoding is not None:
            if encoding.strip().lower() != "chunked":
                raise BodyError(501, "Transfer-Encoding %s is not supported." % encoding)
            return self.read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise BodyError(400, "Invalid Content-Length.")
        size = int(length)
        if size > MAX_BODY:
            raise BodyError(413, "Request Entity Too Large.")
        data = self.rfile.read(size)
        if len(data) != size:
            raise BodyError(400, "Request body ended early.")
        return data

    def read_chunked(self) -> bytes:
        parts = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            if not line.endswith(b"\n"):
                raise BodyError(400, "Bad chunk header.")
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BodyError(400, "Bad chunk size.") from None
            if size == 0:
                while True:  # trailer section
                    trailer = self.rfile.readline(8192)
                    if trailer in (b"\r\n", b"\n", b""):
                        return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise BodyError(413, "Request Entity Too Large.")
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise BodyError(400, "Bad chunk.")
            parts.append(chunk)

    # ---- the request cycle
    def base_url(self) -> str:
        scheme = "https" if self.server.tls else "http"
        host = self.headers.get("Host", "")
        if not re.fullmatch(r"[A-Za-z0-9.\-]+(:\d+)?|\[[0-9A-Fa-f:.]+\](:\d+)?", host or "-"):
            host = "%s:%d" % (self.server.display_host, self.server.server_port)
        return "%s://%s" % (scheme, host)

    def dispatch(self):
        cfg = self.server.cfg
        headers = {}
        try:
            raw = self.read_body()
        except BodyError as exc:
            self.close_connection = True
            self.respond(exc.status, {"message": exc.message}, self.rate_headers(None))
            return
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        split = urllib.parse.urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        method = "GET" if self.command == "HEAD" else self.command
        query = Query(split.query)

        match = DOWNLOAD_ROUTE.fullmatch(path)
        if match and method == "GET":
            self.serve_download(match.group(1))
            return

        handler, args, allowed = None, (), []
        for pattern, methods in COMPILED_ROUTES:
            found = pattern.fullmatch(path)
            if found:
                allowed = list(methods)
                if method in methods:
                    handler, args = methods[method], found.groups()
                break
        if handler is None:
            if allowed:
                shown = ", ".join(m for m in ("GET", "HEAD", "POST", "PATCH", "DELETE")
                                  if m in allowed or (m == "HEAD" and "GET" in allowed))
                self.respond(405, {"message": "The %s method is not supported for route %s. Supported methods: %s."
                                   % (self.command, path.lstrip("/"), shown)}, self.rate_headers(None),
                             allow=shown)
            else:
                self.respond(404, {"message": "The route %s could not be found." % path.lstrip("/")},
                             self.rate_headers(None))
            return

        token_index = self.authenticate()
        if token_index is None:
            self.respond(401, {"message": "Unauthenticated."}, self.rate_headers(None))
            return
        key = "token:%d" % token_index
        allowed_now, remaining, retry, reset = self.server.limiter.hit(key)
        headers = {"X-RateLimit-Limit": str(cfg.rate_limit), "X-RateLimit-Remaining": str(remaining)}
        if not allowed_now:
            headers.update({"Retry-After": str(retry), "X-RateLimit-Reset": str(reset)})
            self.respond(429, {"message": "Too Many Attempts."}, headers)
            return

        if self.command != "GET" and token_index in cfg.read_only_tokens:
            self.respond(403, {"message": "This action is unauthorized."}, headers)
            return

        body = {}
        if raw.strip():
            ctype = (self.headers.get("Content-Type") or "").lower()
            parsed = parse_json_body(raw) if "json" in ctype else MISSING
            if isinstance(parsed, dict):
                body = parsed
            elif "json" not in ctype:
                headers["X-Sim-Warning"] = "body ignored: Content-Type is not JSON"
            else:
                headers["X-Sim-Warning"] = "body ignored: not a JSON object"
        ctx = Context(self.server.store, cfg, path, args, query, body, self.base_url(), token_index)
        try:
            with self.server.store.lock:
                status, payload = handler(ctx)
        except ApiError as exc:
            status, payload = exc.status, exc.body
            headers.update(exc.headers)
        except Exception:  # a simulator bug: say so, keep serving
            traceback.print_exc()
            status, payload = 500, {"message": "Server Error"}
        self.respond(status, payload, headers)

    def authenticate(self):
        header = self.headers.get("Authorization") or ""
        match = re.fullmatch(r"\s*Bearer\s+(\S+)\s*", header, re.IGNORECASE)
        if not match:
            return None
        offered = match.group(1).encode("utf-8", "replace")
        found = None
        for i, token in enumerate(self.server.cfg.tokens):
            if hmac.compare_digest(offered, token.encode("utf-8")):
                found = i + 1
        return found

    def rate_headers(self, key):
        key = key or "ip:%s" % self.address_string()
        _, remaining, _, _ = self.server.limiter.hit(key, consume=False)
        return {"X-RateLimit-Limit": str(self.server.cfg.rate_limit),
                "X-RateLimit-Remaining": str(remaining)}

    def serve_download(self, token: str):
        store = self.server.store
        with store.lock:
            entry = store.exports.get(token)
            user = store.users.get(entry[0]) if entry and entry[1] > time.time() else None
            document = export_document(store, user) if user else None
        if document is None:
            self.respond(404, {"message": "The export is not found or has expired."}, self.rate_headers(None))
            return
        self.respond(200, document, self.rate_headers(None))

    def respond(self, status: int, payload, headers: dict, allow=None):
        """Write one response; JSON unless 204 (or a bodiless 202)."""
        body = None if status == 204 or payload is None else to_json(payload)
        chunked = self.server.cfg.chunked and body is not None and self.request_version == "HTTP/1.1"
        try:
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-cache, private")
            for name, value in headers.items():
                self.send_header(name, value)
            if allow:
                self.send_header("Allow", allow)
            if body is None:
                if status != 204:
                    self.send_header("Content-Length", "0")
            elif chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            elif self.request_version == "HTTP/1.0":
                self.send_header("Connection", "keep-alive")
            self.end_headers()
            if body is None or self.command == "HEAD":
                self.wfile.flush()
                return
            if chunked:
                self.write_chunked(body)
            else:
                self.wfile.write(body)
            self.wfile.flush()
        except (ConnectionError, TimeoutError, ssl.SSLError, OSError):
            self.close_connection = True

    def write_chunked(self, body: bytes):
        """Chunks of varying sizes so a client's de-chunker is exercised."""
        sizes = (1, 7, 64, 500, 1500, 4096, 16384)
        pos = 0
        i = 0
        while pos < len(body):
            size = sizes[min(i, len(sizes) - 1)]
            piece = body[pos:pos + size]
            self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            pos += len(piece)
            i += 1
        self.wfile.write(b"0\r\n\r\n")


class SimServer(simlib.SimServer):
    def __init__(self, cfg, store):
        self.store = store
        self.limiter = RateLimiter(cfg.rate_limit, cfg.rate_window)
        super().__init__("ampeco-sim", cfg, Handler)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="ampeco_sim.py",
        description="Local AMPECO.CHARGE Public API simulator (users, user groups, id tags, "
                    "payment methods, invoice details). In-memory, standard library only.",
        epilog="Stop it with SIGTERM or SIGINT. Tokens and passwords are never logged.")
    simlib.add_listen_args(parser, 8080)
    simlib.add_token_args(parser, "accepted bearer token (repeatable; default 'sim-token')")
    parser.add_argument("--read-only-token", action="append", metavar="TOKEN",
                        help="a token that may only read: anything but GET gets 403 (repeatable)")
    simlib.add_server_args(parser, client_ca=True)
    parser.add_argument("--chunked", action="store_true",
                        help="send bodies with Transfer-Encoding: chunked instead of Content-Length")
    parser.add_argument("--rate-limit", type=int, default=1000, metavar="N",
                        help="requests allowed per window per token (default 1000)")
    parser.add_argument("--rate-window", type=float, default=60.0, metavar="SECONDS",
                        help="rate-limit window length (default 60)")
    parser.add_argument("--seed-users", type=int, default=0, metavar="N",
                        help="pre-create N users user1@example.com..userN@example.com (ids 1..N)")
    parser.add_argument("--user-id-format", choices=("string", "integer"), default="string",
                        help="JSON type of a user's id in responses: 'string' as the spec's user schema "
                             "says (default), or 'integer'")
    parser.add_argument("--action-body", choices=("object", "empty"), default="object",
                        help="202 action responses carry '{}' (default) or an empty body")
    parser.add_argument("--return-password-hash", action="store_true",
                        help="include the user 'password' (hash) field, an operator option in the spec")
    parser.add_argument("--always-collect-invoice-details", action="store_true",
                        help="emulate the operator setting that forces requireInvoice=true")
    parser.add_argument("--export-sessions", type=int, default=400, metavar="N",
                        help="synthetic charging sessions in a private-data export (default 400)")
    args = parser.parse_args(argv)

    tokens = simlib.read_tokens(args) or ["sim-token"]
    read_only = list(args.read_only_token or [])
    # token indexes are 1-based (see authenticate)
    args.read_only_tokens = set(range(len(tokens) + 1, len(tokens) + len(read_only) + 1))
    tokens += read_only
    args.tokens = tokens
    simlib.check_server_args(parser, args)
    if args.rate_limit < 1 or args.rate_window <= 0:
        parser.error("--rate-limit must be >= 1 and --rate-window > 0")
    if args.seed_users < 0 or args.export_sessions < 0:
        parser.error("--seed-users and --export-sessions must be >= 0")
    return args


def main(argv=None) -> int:
    cfg = parse_args(argv)
    store = Store(cfg)
    store.seed(cfg.seed_users)
    return simlib.serve("ampeco-sim", cfg, lambda: SimServer(cfg, store),
                        lambda server: " (%d users seeded)" % cfg.seed_users)


if __name__ == "__main__":
    sys.exit(main())
