"""The error responses each operation documents, so that the OpenAPI document names every status
a client can meet (and the schema-driven fuzzer can hold us to it)."""

from typing import Any

from xuefen.api.v1.schemas import ErrorOut

# 414: a request line longer than MAX_URL_LENGTH (api.middleware) is refused with the error body.
READ = (401, 403, 414, 422)
READ_ONE = (401, 403, 404, 414, 422)
WRITE = (400, 401, 403, 409, 413, 414, 422)


def with_errors(ok: dict[int, Any], statuses: tuple[int, ...]) -> dict[int, Any]:
    return {**ok, **dict.fromkeys(statuses, ErrorOut)}
