"""Signed statements by the xAPI specification (1.0.3 Part Two 2.6 and Part Three): a JWS
(compact serialization) in an attachment of usageType …/attachments/signature, contentType
application/octet-stream, whose payload is the statement before the signature was added, signed
with RS256, RS384 or RS512; a malformed or mismatched signature is 400. The key pair and the
self-signed certificate in tests/xapi/data exist for these tests only."""

import base64
import json
from pathlib import Path

import pytest
from django.utils import translation

from tests.xapi.conftest import new_id, statement
from tests.xapi.test_attachments import _json, multipart, part_headers, read_multipart, send, sha
from xuefen.xapi.models import Statement
from xuefen.xapi.signature import children, pkcs1_v15_encoded, sequence

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def _in_both_languages(message: str) -> set[str]:
    found = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            found.add(translation.gettext(message))
    assert len(found) == 2  # translated: the check below tells the messages apart
    return found


def _pem(name: str) -> bytes:
    lines = (DATA / name).read_text().strip().splitlines()
    return base64.b64decode("".join(line for line in lines if not line.startswith("-----")))


def private_key(name: str) -> tuple[int, int]:
    """(n, d) of a PKCS#1 RSA private key."""
    numbers = sequence(_pem(name))
    n = int.from_bytes(numbers[1][1], "big")
    d = int.from_bytes(numbers[3][1], "big")
    return n, d


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jws(payload: dict, *, alg: str = "RS256", key: str = "signer.key", x5c: bool = True) -> bytes:
    header: dict = {"alg": alg}
    if x5c:
        header["x5c"] = [base64.b64encode(_pem("signer.crt")).decode()]
    signing_input = b64url(_json(header)) + "." + b64url(_json(payload))
    if alg.startswith("RS"):
        n, d = private_key(key)
        size = (n.bit_length() + 7) // 8
        encoded = pkcs1_v15_encoded(signing_input.encode(), alg, size)
        signature = pow(int.from_bytes(encoded, "big"), d, n).to_bytes(size, "big")
    else:
        signature = b"\x00" * 32
    return (signing_input + "." + b64url(signature)).encode()


def signed(body: dict, token: bytes, **changes) -> tuple[dict, bytes]:
    signature = {
        "usageType": SIGNATURE,
        "display": {"en-US": "Signature"},
        "contentType": "application/octet-stream",
        "length": len(token),
        "sha2": sha(token),
    }
    signature.update(changes)
    sent = dict(body)
    sent["attachments"] = [*body.get("attachments", []), signature]
    return sent, token


def post_signed(lrs, body: dict, token: bytes, **changes):
    sent, token = signed(body, token, **changes)
    headers = part_headers(token, "application/octet-stream")
    return send(lrs, multipart(_json([sent]), [(headers, token)]))


def test_the_certificate_is_parsed_as_an_rsa_key():
    from xuefen.xapi.signature import certificate_key

    n, e = certificate_key(_pem("signer.crt"))
    assert (n, e) == (private_key("signer.key")[0], 65537)
    assert len(children(_pem("signer.crt"))) == 1


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_a_well_signed_statement_is_stored_with_its_signature(lrs, alg):
    body = statement(sid=new_id())
    response = post_signed(lrs, body, jws(body, alg=alg))
    assert response.status_code == 200, response.content
    stored = Statement.objects.get(statement_id=body["id"])
    assert stored.data["attachments"][0]["usageType"] == SIGNATURE
    # and the signature comes back with the statement when attachments are asked for
    parts = read_multipart(
        lrs.http.fetch(params={"statementId": body["id"], "attachments": "true"})
    )
    assert parts[1][1] == jws(body, alg=alg)


def test_a_signature_without_a_certificate_is_checked_against_the_statement_only(lrs):
    body = statement(sid=new_id())
    assert post_signed(lrs, body, jws(body, x5c=False)).status_code == 200


def test_a_payload_that_differs_from_the_statement_is_400(lrs):
    body = statement(sid=new_id())
    other = dict(body, verb={"id": "http://adlnet.gov/expapi/verbs/passed"})
    response = post_signed(lrs, body, jws(other))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "signature"
    assert not Statement.objects.exists()


def test_a_signature_by_another_key_than_the_certificates_is_400(lrs):
    body = statement(sid=new_id())
    response = post_signed(lrs, body, jws(body, key="other.key"))
    assert response.status_code == 400
    # refused by the RSA check itself, not earlier (in whichever language the answer speaks)
    assert response.json()["error"]["message"] in _in_both_languages(
        "The signature does not verify with the certificate in its x5c."
    )


def test_an_algorithm_other_than_rs256_384_512_is_400(lrs):
    body = statement(sid=new_id())
    response = post_signed(lrs, body, jws(body, alg="HS256", x5c=False))
    assert response.status_code == 400
    assert response.json()["error"]["message"] in _in_both_languages(
        "The signature's algorithm must be RS256, RS384 or RS512."
    )


def test_a_signature_that_is_not_a_jws_is_400(lrs):
    body = statement(sid=new_id())
    assert post_signed(lrs, body, b"not a jws at all").status_code == 400
    assert post_signed(lrs, body, b"a.b").status_code == 400


def test_a_signature_of_another_content_type_is_400(lrs):
    body = statement(sid=new_id())
    response = post_signed(lrs, body, jws(body), contentType="application/jose")
    assert response.status_code == 400
    assert response.json()["error"]["field"].endswith("contentType")


def test_a_tampered_signature_is_400(lrs):
    body = statement(sid=new_id())
    token = jws(body)
    head, payload, signature = token.split(b".")
    raw = bytearray(base64.urlsafe_b64decode(signature + b"=" * (-len(signature) % 4)))
    raw[-1] ^= 1
    tampered = head + b"." + payload + b"." + b64url(bytes(raw)).encode()
    assert post_signed(lrs, body, tampered).status_code == 400


def test_the_lrs_set_properties_do_not_count_in_the_comparison(lrs):
    body = statement()  # no id: the LRS assigns one; the payload carries none either
    payload = dict(body, version="1.0.0")
    assert post_signed(lrs, body, jws(payload)).status_code == 200


def test_a_signature_sent_by_file_url_only_is_400(lrs):
    body = statement(sid=new_id())
    sent, _token = signed(body, jws(body), fileUrl="https://learn.example.cn/sig")
    response = lrs.http.send(sent)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "signature"


def test_the_payload_is_json_of_the_statement(lrs):
    body = statement(sid=new_id())
    token = jws(body)
    payload = json.loads(base64.urlsafe_b64decode(token.split(b".")[1] + b"=="))
    assert payload == body
