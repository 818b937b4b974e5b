#!/usr/bin/env python3
"""Verify a trust-callbacks webhook with the Python standard library only (Python 3.8+).

The signature is Standard Webhooks (HMAC-SHA256, ``v1,<base64>``) over
``{webhook-id}.{webhook-timestamp}.{RFC 8785 canonical JSON of the body}``: EventBridge re-serializes
the JSON on the way, so never sign or compare the raw bytes. See README.md beside this file for when
``json.dumps(sort_keys=True, ...)`` would do instead of ``canonicalize()`` below.

    from verify_webhook import verify, WebhookVerificationError
    event = verify(os.environ["SIGNING_SECRET"], request.headers, request.get_data())
    # then deduplicate on event["id"] (== webhook-id) and answer 2xx within 5 seconds

Command line:
    python3 verify_webhook.py --secret whsec_... delivery.json   # {"headers": {...}, "body": "<raw body>"}
    python3 verify_webhook.py signature-vectors.json             # checks every vector's verdict
"""
import argparse
import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import sys
import time

# EventBridge retries resend the same headers for up to the endpoint's maximumEventAgeSeconds (at most
# 24 h), so accept that plus 5 minutes of clock skew; replay protection comes from deduplicating on the id.
DEFAULT_TOLERANCE_SECONDS = 86400 + 300
FUTURE_SKEW_SECONDS = 300


class WebhookVerificationError(Exception):
    """The delivery is not authentic (or not well-formed): answer 4xx, do not process it."""


def _no_constants(name):
    raise ValueError(name + " is not JSON")


def parse_json(raw_body):
    """The body as Python values; bytes must be UTF-8. NaN and Infinity (which Python accepts) are refused."""
    text = raw_body.decode("utf-8") if isinstance(raw_body, (bytes, bytearray)) else raw_body
    return json.loads(text, parse_constant=_no_constants)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _string(text):
    # json.dumps escapes exactly what ECMAScript's JSON.stringify escapes (", \, \b \f \n \r \t, other
    # U+0000-U+001F as lower-case \u00xx) except lone surrogates, which JSON.stringify writes as \udxxx.
    # (A surrogate in a str from json.loads is always lone: escaped pairs are combined into one character.)
    return _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), json.dumps(text, ensure_ascii=False))


def _number(value):
    """ECMAScript Number::toString of the IEEE 754 double nearest to the value (RFC 8785 section 3.2.2.3)."""
    x = float(value)  # a JSON integer is a double too: beyond 2**53 it rounds, as in JavaScript
    if math.isnan(x) or math.isinf(x):
        raise ValueError("NaN and Infinity have no JSON form")
    if x == 0:
        return "0"  # also for -0
    # repr() gives the shortest digits that round-trip, as ECMAScript requires; only the layout differs.
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))
    digits = digits.rstrip("0")
    k = len(digits)  # value = 0.<digits> * 10**point
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        e = point - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))
    return ("-" if x < 0 else "") + text


def _utf16_key(key):
    # RFC 8785 sorts property names by their UTF-16 code units; Python compares code points, which
    # differs only between a character above U+FFFF and one in U+E000-U+FFFF.
    return key.encode("utf-16-be", "surrogatepass")


def canonicalize(value):
    """RFC 8785 (JCS) canonical JSON text of a value from json.loads (encode it as UTF-8 to sign it)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonicalize(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=_utf16_key)
        return "{" + ",".join(_string(k) + ":" + canonicalize(value[k]) for k in keys) + "}"
    raise TypeError("not a JSON value: %r" % type(value))


def _header(headers, name):
    for key, value in headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, (list, tuple)) else value
    return None


def expected_signature(secret, msg_id, timestamp, canonical_body):
    """``v1,<base64 HMAC-SHA256>`` of ``id.timestamp.canonical_body`` with a ``whsec_<base64>`` secret."""
    key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
    signed = ("%s.%s.%s" % (msg_id, timestamp, canonical_body)).encode("utf-8")
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def verify(secret, headers, raw_body, tolerance_seconds=DEFAULT_TOLERANCE_SECONDS, now=None):
    """Returns the CloudEvent (a dict) if the delivery is authentic, else raises WebhookVerificationError.

    secret: the endpoint's ``whsec_...`` signing key. headers: any mapping (names matched case-insensitively).
    raw_body: the request body, bytes or str. tolerance_seconds: how old ``webhook-timestamp`` may be; use
    the endpoint's maximumEventAgeSeconds + 300 (default: 24 h + 5 min). now: unix seconds, for tests.
    """
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not re.fullmatch(r"[0-9]+", timestamp):
        raise WebhookVerificationError("webhook-timestamp is not unix seconds")
    seconds = int(timestamp)
    current = int(time.time() if now is None else now)
    if current - seconds > tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp is too old")
    if seconds - current > FUTURE_SKEW_SECONDS:
        raise WebhookVerificationError("webhook-timestamp is in the future")
    try:
        event = parse_json(raw_body)
        canonical = canonicalize(event)
    except (ValueError, TypeError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise WebhookVerificationError("body is not JSON: %s" % error) from None
    try:
        expected = expected_signature(secret, msg_id, seconds, canonical).encode("ascii")
    except (binascii.Error, ValueError) as error:
        raise WebhookVerificationError("the signing secret is not whsec_<base64>: %s" % error) from None
    for candidate in signatures.split(" "):
        if candidate.startswith("v1,") and hmac.compare_digest(candidate.encode("utf-8"), expected):
            return event
    raise WebhookVerificationError("no matching signature")


def _check_vectors(document, as_json):
    failures = 0
    for vector in document["vectors"]:
        try:
            verify(vector["secret"], vector["headers"], vector["body"], now=document["verifyAt"])
            verdict, reason = True, "verified"
        except WebhookVerificationError as error:
            verdict, reason = False, str(error)
        ok = verdict == vector["valid"]
        failures += not ok
        if as_json:
            print(json.dumps({"name": vector["name"], "valid": verdict, "reason": reason}))
        else:
            print("%s %s: %s" % ("ok  " if ok else "FAIL", vector["name"], reason))
    return 1 if failures else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify a trust-callbacks webhook delivery, or check the signature test vectors.")
    parser.add_argument("file", help='{"headers": {...}, "body": "<raw body>"} or signature-vectors.json')
    parser.add_argument("--secret", help="the endpoint's whsec_... key (default: $WEBHOOK_SECRET)")
    parser.add_argument("--tolerance", type=int, default=DEFAULT_TOLERANCE_SECONDS, help="seconds (default 86700)")
    parser.add_argument("--json", action="store_true", help="one JSON verdict per line")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8") as handle:
        document = json.load(handle)
    if "vectors" in document:
        return _check_vectors(document, args.json)
    secret = args.secret or __import__("os").environ.get("WEBHOOK_SECRET")
    if not secret:
        parser.error("--secret or $WEBHOOK_SECRET is required")
    body = document["body"] if isinstance(document["body"], str) else json.dumps(document["body"])
    try:
        event = verify(secret, document["headers"], body, tolerance_seconds=args.tolerance)
    except WebhookVerificationError as error:
        print(json.dumps({"valid": False, "reason": str(error)}) if args.json else "not verified: %s" % error)
        return 1
    print(json.dumps({"valid": True, "event": event}) if args.json else json.dumps(event, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
