"""Signed statements (xAPI 1.0.3 Part Two 2.6, Part Three 1.5; 2.0 the same).

A signed statement carries one attachment of usageType …/attachments/signature and contentType
application/octet-stream whose data (a part of the multipart request) is a JWS in compact
serialization (RFC 7515). The LRS refuses (400) a malformed signature: it decodes the JWS, checks
that the algorithm is RS256, RS384 or RS512, that the payload is the statement as it was before
the signature was added (logically equivalent: the signature attachment, and what the LRS sets,
left out), and — when the JWS header carries an X.509 certificate chain (`x5c`) — that the
signature verifies with the first certificate's RSA key (RSASSA-PKCS1-v1_5, RFC 8017 8.2.2: the
expected encoding is built and compared, never parsed). No trust in the certificate is implied:
the statement is kept as sent, signature included.

Only the Python standard library is used (the DER reading is the few structures a certificate's
public key needs), so no cryptography package is added for a check that only verifies.
"""

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from xuefen.xapi.attachments import SIGNATURE_USAGE, Part
from xuefen.xapi.errors import Code, XapiError

ALGORITHMS: dict[str, tuple[Callable[..., Any], bytes]] = {
    # hash and the DER DigestInfo prefix (RFC 8017 9.2, note 1)
    "RS256": (hashlib.sha256, bytes.fromhex("3031300d060960864801650304020105000420")),
    "RS384": (hashlib.sha384, bytes.fromhex("3041300d060960864801650304020205000430")),
    "RS512": (hashlib.sha512, bytes.fromhex("3051300d060960864801650304020305000440")),
}
RSA_ENCRYPTION = bytes.fromhex("2a864886f70d010101")  # OID 1.2.840.113549.1.1.1
LRS_SET = ("authority", "stored", "version")
_SEQUENCE, _INTEGER, _BIT_STRING, _OID, _VERSION_TAG = 0x30, 0x02, 0x03, 0x06, 0xA0


def _bad(where: str, message: str) -> XapiError:
    return XapiError(Code.SIGNATURE, message, field=where)


# --------------------------------------------------------------------------- DER


def _tlv(data: bytes, pos: int) -> tuple[int, bytes, int]:
    if pos + 2 > len(data):
        raise ValueError("truncated")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        size = length & 0x7F
        if size == 0 or size > 4 or pos + size > len(data):
            raise ValueError("bad length")
        length = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    end = pos + length
    if end > len(data):
        raise ValueError("truncated")
    return tag, data[pos:end], end


def children(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, content) of each element inside a constructed DER value."""
    found, pos = [], 0
    while pos < len(data):
        tag, value, pos = _tlv(data, pos)
        found.append((tag, value))
    return found


def sequence(data: bytes) -> list[tuple[int, bytes]]:
    """The elements of the one SEQUENCE `data` holds."""
    items = children(data)
    if len(items) != 1 or items[0][0] != _SEQUENCE:
        raise ValueError("not a sequence")
    return children(items[0][1])


def integer(item: tuple[int, bytes]) -> int:
    if item[0] != _INTEGER:
        raise ValueError("not an integer")
    return int.from_bytes(item[1], "big", signed=True)


def certificate_key(der: bytes) -> tuple[int, int]:
    """The RSA public key (n, e) of an X.509 certificate."""
    cert = sequence(der)
    if not cert or cert[0][0] != _SEQUENCE:
        raise ValueError("no tbsCertificate")
    tbs = children(cert[0][1])
    if tbs and tbs[0][0] == _VERSION_TAG:
        tbs = tbs[1:]
    if len(tbs) < 6 or tbs[5][0] != _SEQUENCE:
        raise ValueError("no subjectPublicKeyInfo")
    spki = children(tbs[5][1])
    if len(spki) != 2 or spki[0][0] != _SEQUENCE or spki[1][0] != _BIT_STRING:
        raise ValueError("bad subjectPublicKeyInfo")
    algorithm = children(spki[0][1])
    if not algorithm or algorithm[0] != (_OID, RSA_ENCRYPTION):
        raise ValueError("not an RSA key")
    bits = spki[1][1]
    if not bits or bits[0] != 0:
        raise ValueError("bad bit string")
    numbers = sequence(bits[1:])
    if len(numbers) != 2:
        raise ValueError("bad RSA key")
    n, e = integer(numbers[0]), integer(numbers[1])
    if n <= 0 or e <= 1:
        raise ValueError("bad RSA key")
    return n, e


def pkcs1_v15_encoded(message: bytes, algorithm: str, size: int) -> bytes:
    """EMSA-PKCS1-v1_5 (RFC 8017 9.2) of `message` for a key of `size` bytes."""
    hash_function, prefix = ALGORITHMS[algorithm]
    digest_info = prefix + hash_function(message).digest()
    padding = size - len(digest_info) - 3
    if padding < 8:
        raise ValueError("key too short")
    return b"\x00\x01" + b"\xff" * padding + b"\x00" + digest_info


def rsa_verifies(n: int, e: int, message: bytes, signature: bytes, algorithm: str) -> bool:
    size = (n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    try:
        expected = pkcs1_v15_encoded(message, algorithm, size)
    except ValueError:
        return False
    return hmac.compare_digest(pow(s, e, n).to_bytes(size, "big"), expected)


# --------------------------------------------------------------------------- JWS


def b64url(text: str) -> bytes:
    if not text or any(c in text for c in "+/= \n"):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _instant(value: Any) -> Any:
    try:
        return dt.datetime.fromisoformat(str(value).upper().replace("Z", "+00:00"))
    except ValueError:
        return value


def _comparable(data: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    from xuefen.xapi.actions import _folded

    out = {k: v for k, v in data.items() if k not in LRS_SET}
    if "id" not in other:
        out.pop("id", None)
    if "timestamp" in out:
        out["timestamp"] = str(_instant(out["timestamp"]))
    return dict(_folded(out))


def without_signature(data: dict[str, Any]) -> dict[str, Any]:
    """The statement as it was before its signature attachment was added."""
    out = dict(data)
    kept = [a for a in data.get("attachments") or [] if a.get("usageType") != SIGNATURE_USAGE]
    if kept:
        out["attachments"] = kept
    else:
        out.pop("attachments", None)
    return out


def verify(data: dict[str, Any], parts: dict[str, Part], where: str) -> None:
    """Refuses (400) a statement whose signature attachment is malformed or does not match it;
    a statement without one passes."""
    from xuefen.xapi.actions import canonical

    found = [
        (n, a)
        for n, a in enumerate(data.get("attachments") or [])
        if a.get("usageType") == SIGNATURE_USAGE
    ]
    if not found:
        return
    if len(found) > 1:
        raise _bad(f"{where}.attachments", _("A statement carries at most one signature."))
    number, attachment = found[0]
    here = f"{where}.attachments[{number}]"
    if attachment.get("contentType") != "application/octet-stream":
        raise _bad(
            f"{here}.contentType", _("A signature's contentType is application/octet-stream.")
        )
    part = parts.get(str(attachment.get("sha2", "")).lower())
    if part is None:
        raise _bad(
            f"{here}.sha2",
            _("Send the signature as a part of the multipart request so that it can be checked."),
        )
    try:
        header_text, payload_text, signature_text = part.data.decode("ascii").strip().split(".")
        header = json.loads(b64url(header_text))
        payload = json.loads(b64url(payload_text))
        signature = b64url(signature_text)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise _bad(here, _("The signature is not a JWS in compact serialization.")) from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise _bad(here, _("The signature is not a JWS in compact serialization."))
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise _bad(here, _("The signature's algorithm must be RS256, RS384 or RS512."))
    statement = without_signature(data)
    if canonical(_comparable(payload, statement)) != canonical(_comparable(statement, payload)):
        raise _bad(here, _("The signed payload differs from the statement sent."))
    if "x5c" not in header:
        return
    chain = header["x5c"]
    try:
        if not isinstance(chain, list) or not chain:
            raise ValueError("empty chain")
        n, e = certificate_key(base64.b64decode(chain[0], validate=True))
    except (ValueError, binascii.Error):
        raise _bad(
            here, _("The certificate in the signature's x5c is not an RSA certificate.")
        ) from None
    signed = f"{header_text}.{payload_text}".encode("ascii")
    if not rsa_verifies(n, e, signed, signature, algorithm):
        raise _bad(here, _("The signature does not verify with the certificate in its x5c."))
