"""Attachments by the xAPI specification (1.0.3 Part Three 1.5.2): statements sent as
multipart/mixed with the attachments' raw data in parts matched by their SHA-2 hash, refused
(400) when a part is missing, unmatched or its hash is wrong; the data kept and returned by a
GET with `attachments=true` in the same form; a request above the configured size refused (413)
with a message naming the limit."""

import hashlib
import secrets

import pytest

from tests.xapi.conftest import URL, new_id, statement
from xuefen.xapi.models import Attachment, Statement

pytestmark = pytest.mark.django_db

USAGE = "http://id.tincanapi.com/attachment/certificate-of-completion"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment_object(data: bytes, content_type: str = "text/plain", **extra):
    body = {
        "usageType": USAGE,
        "display": {"zh-CN": "结业证书"},
        "contentType": content_type,
        "length": len(data),
        "sha2": sha(data),
    }
    body.update(extra)
    return body


def multipart(statements_json: bytes, parts, boundary: str = "xapiBoundary7MA4YWxk"):
    """The body of a multipart/mixed request; `parts` are (headers, data)."""
    crlf = b"\r\n"
    out = [b"--" + boundary.encode(), b"Content-Type: application/json", b"", statements_json]
    for headers, data in parts:
        out.append(b"--" + boundary.encode())
        out.extend(f"{k}: {v}".encode() for k, v in headers.items())
        out.append(b"")
        out.append(data)
    out.append(b"--" + boundary.encode() + b"--")
    return crlf.join(out) + crlf, f"multipart/mixed; boundary={boundary}"


def part_headers(data: bytes, content_type: str = "text/plain", **extra):
    headers = {
        "Content-Type": content_type,
        "Content-Transfer-Encoding": "binary",
        "X-Experience-API-Hash": sha(data),
    }
    headers.update(extra)
    return headers


def send(lrs, body_and_type, method="post", query=""):
    body, content_type = body_and_type
    return getattr(lrs.http, method)(
        URL + query, body, content_type=content_type, headers=lrs.http._headers({})
    )


def _json(value) -> bytes:
    import json

    return json.dumps(value, ensure_ascii=False).encode()


def read_multipart(response):
    """(content type, headers, data) of each part of a multipart/mixed answer."""
    content_type = response["Content-Type"]
    assert content_type.startswith("multipart/mixed; boundary=")
    boundary = content_type.split("boundary=")[1].encode()
    raw = b"".join(response.streaming_content)
    segments = (b"\r\n" + raw).split(b"\r\n--" + boundary)
    assert segments[-1].startswith(b"--")
    parts = []
    for segment in segments[1:-1]:
        head, _sep, data = segment[2:].partition(b"\r\n\r\n")
        headers = dict(line.decode().split(": ", 1) for line in head.split(b"\r\n"))
        parts.append((headers, data))
    return parts


def test_a_statement_with_its_attachment_is_stored_with_the_data(lrs):
    data = "结业证书：网络课程一".encode() + bytes(range(256))  # binary, with CR and LF
    sid = new_id()
    body = statement(sid=sid, attachments=[attachment_object(data, "application/pdf")])
    response = send(lrs, multipart(_json([body]), [(part_headers(data, "application/pdf"), data)]))
    assert response.status_code == 200, response.content
    assert response.json() == [sid]
    kept = Attachment.objects.get(client=lrs.platform)
    assert (kept.sha2, kept.length, kept.content_type) == (sha(data), len(data), "application/pdf")


def test_a_put_takes_multipart_too(lrs):
    data = b"one"
    sid = new_id()
    body = statement(attachments=[attachment_object(data)])
    response = send(
        lrs, multipart(_json(body), [(part_headers(data), data)]), "put", f"?statementId={sid}"
    )
    assert response.status_code == 204, response.content
    assert Statement.objects.filter(statement_id=sid).exists()


def test_a_get_with_attachments_true_returns_the_data_as_multipart(lrs):
    data = bytes(range(256)) * 3 + b"\r\n--not-the-boundary\r\n"
    sid = new_id()
    body = statement(sid=sid, attachments=[attachment_object(data, "application/pdf")])
    assert send(lrs, multipart(_json(body), [(part_headers(data, "application/pdf"), data)]))
    response = lrs.http.fetch(params={"statementId": sid, "attachments": "true"})
    assert response.status_code == 200
    parts = read_multipart(response)
    assert parts[0][0]["Content-Type"].startswith("application/json")
    assert '"id": "' + sid in parts[0][1].decode() or sid in parts[0][1].decode()
    ((headers, returned),) = parts[1:]
    assert headers["X-Experience-API-Hash"] == sha(data)
    assert headers["Content-Transfer-Encoding"] == "binary"
    assert headers["Content-Type"] == "application/pdf"
    assert returned == data


def test_a_statement_query_with_attachments_true_sends_each_attachment_once(lrs):
    data = b"shared certificate"
    bodies = [statement(sid=new_id(), attachments=[attachment_object(data)]) for _ in range(2)]
    assert send(lrs, multipart(_json(bodies), [(part_headers(data), data)])).status_code == 200
    parts = read_multipart(lrs.http.fetch(params={"attachments": "true"}))
    assert [h["X-Experience-API-Hash"] for h, _d in parts[1:]] == [sha(data)]


def test_without_attachments_true_the_answer_is_json(lrs):
    data = b"x"
    sid = new_id()
    body = statement(sid=sid, attachments=[attachment_object(data)])
    send(lrs, multipart(_json(body), [(part_headers(data), data)]))
    response = lrs.http.fetch(params={"statementId": sid})
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["attachments"][0]["sha2"] == sha(data)


def test_an_attachment_without_file_url_or_part_is_400(lrs):
    data = b"never sent"
    response = lrs.http.send([statement(), statement(attachments=[attachment_object(data)])])
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "attachment_missing"
    assert error["field"] == "statements[1].attachments[0].sha2"
    assert not Statement.objects.exists()


def test_a_multipart_request_missing_a_part_is_400(lrs):
    sent, missing = b"sent", b"missing"
    body = statement(attachments=[attachment_object(sent), attachment_object(missing)])
    response = send(lrs, multipart(_json(body), [(part_headers(sent), sent)]))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "attachment_missing"
    assert not Statement.objects.exists() and not Attachment.objects.exists()


def test_an_attachment_by_file_url_needs_no_part(lrs):
    data = b"elsewhere"
    body = statement(attachments=[attachment_object(data, fileUrl="https://learn.example.cn/c")])
    assert lrs.http.send(body).status_code == 200


def test_a_part_no_statement_names_is_400(lrs):
    used, stray = b"used", b"stray"
    body = statement(attachments=[attachment_object(used)])
    response = send(
        lrs, multipart(_json(body), [(part_headers(used), used), (part_headers(stray), stray)])
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "attachment_unused"


def test_a_part_whose_data_does_not_match_its_hash_is_400(lrs):
    data = b"the real data"
    body = statement(attachments=[attachment_object(data)])
    response = send(lrs, multipart(_json(body), [(part_headers(data), b"tampered data")]))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "attachment_header"


def test_a_part_without_the_hash_header_is_400(lrs):
    data = b"data"
    headers = part_headers(data)
    del headers["X-Experience-API-Hash"]
    body = statement(attachments=[attachment_object(data)])
    response = send(lrs, multipart(_json(body), [(headers, data)]))
    assert response.status_code == 400
    assert response.json()["error"]["field"].endswith("X-Experience-API-Hash")


def test_a_part_that_is_not_binary_is_400(lrs):
    data = b"data"
    body = statement(attachments=[attachment_object(data)])
    headers = part_headers(data, **{"Content-Transfer-Encoding": "base64"})
    response = send(lrs, multipart(_json(body), [(headers, data)]))
    assert response.status_code == 400
    assert response.json()["error"]["field"].endswith("Content-Transfer-Encoding")


def test_a_part_without_transfer_encoding_is_taken_as_binary(lrs):
    data = b"data"
    headers = part_headers(data)
    del headers["Content-Transfer-Encoding"]
    body = statement(attachments=[attachment_object(data)])
    assert send(lrs, multipart(_json(body), [(headers, data)])).status_code == 200


def test_the_first_part_must_be_json(lrs):
    body, content_type = multipart(b"{}", [])
    body = body.replace(b"application/json", b"text/plain")
    assert send(lrs, (body, content_type)).status_code == 400


def test_a_body_not_closed_by_its_boundary_is_400(lrs):
    data = b"data"
    body, content_type = multipart(_json(statement(attachments=[attachment_object(data)])), [])
    assert send(lrs, (body[:-30], content_type)).status_code == 400


def test_a_request_above_the_configured_size_is_413_naming_the_limit(lrs, settings):
    settings.XAPI_MAX_REQUEST_MB = 1
    data = secrets.token_bytes(1024 * 1024 + 1)
    body = statement(attachments=[attachment_object(data)])
    response = send(lrs, multipart(_json(body), [(part_headers(data), data)]))
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "attachment_too_large"
    assert "1 MB" in error["message"]
    assert not Statement.objects.exists()


def test_another_platform_cannot_read_the_data_by_naming_its_hash(cast, lrs):
    from tests.xapi.conftest import HOME, LrsClient
    from xuefen.xapi import actions

    secret_data = b"platform one's certificate"
    body = statement(attachments=[attachment_object(secret_data)])
    send(lrs, multipart(_json(body), [(part_headers(secret_data), secret_data)]))
    other, key = actions.create_client(cast.carol, lrs.provider, name="二号平台", home_page=HOME)
    http = LrsClient(other.key, key)
    sid = new_id()
    copy = statement(
        sid=sid, attachments=[attachment_object(secret_data, fileUrl="https://x.cn/f")]
    )
    assert http.send(copy).status_code == 200
    parts = read_multipart(http.fetch(params={"statementId": sid, "attachments": "true"}))
    assert len(parts) == 1  # the statement only: no data of the other platform
