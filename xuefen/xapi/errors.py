"""Refusals of the Learning Record Store: a stable code (the enum below) carrying the HTTP status
the xAPI specification gives it, and a translated message naming what is wrong."""

from typing import Any

from xuefen.core.errors import CodedError, ErrorCode


class Code(ErrorCode):
    # the office's pages (registering platforms, mapping activities and accounts)
    FORBIDDEN = "forbidden", 403
    NAME_REQUIRED = "name_required"
    HOME_PAGE_INVALID = "home_page_invalid"
    ACTIVITY_INVALID = "activity_invalid"
    ACTIVITY_TAKEN = "activity_taken"
    COURSE_FOREIGN = "course_foreign"
    ACCOUNT_INCOMPLETE = "account_incomplete"
    ACCOUNT_TAKEN = "account_taken"
    PERSON_UNKNOWN = "person_unknown"
    # the request (xAPI Part Three: 400 unless the specification names another status)
    NOT_AUTHENTICATED = "not_authenticated", 401
    NOT_FOUND = "not_found", 404
    METHOD = "method", 405
    VERSION = "version", 400
    ALTERNATE_SYNTAX = "alternate_syntax", 400
    PARAMETER = "parameter", 400
    CONTENT_TYPE = "content_type", 400
    JSON = "json", 400
    TOO_LARGE = "too_large", 413
    TOO_MANY = "too_many", 413
    EMPTY = "empty", 400
    STATEMENT_ID_MISSING = "statement_id_missing", 400
    ID_MISMATCH = "id_mismatch", 400
    DUPLICATE_ID = "duplicate_id", 400
    CONFLICT = "conflict", 409
    PRECONDITION = "precondition", 412
    VOID_VOIDING = "void_voiding", 400
    VOID_FOREIGN = "void_foreign", 403
    # multipart/mixed with attachments
    MULTIPART = "multipart", 400
    ATTACHMENT_MISSING = "attachment_missing", 400
    ATTACHMENT_UNUSED = "attachment_unused", 400
    ATTACHMENT_HEADER = "attachment_header", 400
    ATTACHMENT_TOO_LARGE = "attachment_too_large", 413
    # signed statements
    SIGNATURE = "signature", 400
    # the statement itself
    INVALID = "invalid", 400
    UNKNOWN_PROPERTY = "unknown_property", 400
    NULL = "null", 400
    REQUIRED = "required", 400
    IRI = "iri", 400
    UUID = "uuid", 400
    TIMESTAMP = "timestamp", 400
    DURATION = "duration", 400
    LANGUAGE = "language", 400
    IFI = "ifi", 400
    MBOX = "mbox", 400
    SHA1 = "sha1", 400
    SHA2 = "sha2", 400
    ACCOUNT = "account", 400
    MEMBER = "member", 400
    OBJECT_TYPE = "object_type", 400
    DUPLICATE = "duplicate", 400
    INTERACTION = "interaction", 400
    RANGE = "range", 400
    CONTEXT = "context", 400
    VOIDING = "voiding", 400


class XapiError(CodedError):
    """A request the LRS refuses, answered with the status its code carries."""

    def __init__(self, code: Code, message: Any, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
