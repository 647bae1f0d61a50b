"""The error responses each operation documents, so that the OpenAPI document names every status
a client can meet (and the schema-driven fuzzer can hold us to it)."""

from typing import Any

from xuefen.api.v1.schemas import ErrorOut

READ = (401, 403, 422)
READ_ONE = (401, 403, 404, 422)
WRITE = (400, 401, 403, 409, 413, 422)


def with_errors(ok: dict[int, Any], statuses: tuple[int, ...]) -> dict[int, Any]:
    return {**ok, **dict.fromkeys(statuses, ErrorOut)}
