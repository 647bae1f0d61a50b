"""URL cases for the project-wide scoping test.

Token pages (session log-in) follow the usual pattern: bob must get 404 for unit A's provider's
token. The REST API (`TOKEN_AUTH`) takes no session at all: anonymous callers and logged-in users
without a token alike get 401 with the JSON error body; what one provider's token may see of
another's is tested in tests/api/test_isolation.py. The OpenAPI document and its docs page are
public: they describe the API and hold no data.
"""

from tests.api.conftest import provider
from xuefen.api.actions import create_token
from xuefen.api.models import TokenScope
from xuefen.core.actors import SYSTEM


def _token_of_unit_a(cast):
    pa = provider("PSCOPE", cast.unit_a, cast.dept)
    token, _secret = create_token(SYSTEM, pa, name="A", scopes=[TokenScope.BATCHES])
    return {"token_id": token.pk}


CASES = {
    "api:tokens": lambda cast: None,
    "api:token_create": lambda cast: None,
    "api:token_revoke": _token_of_unit_a,
}

# Answer 401 with {"error": {"code": "not_authenticated", ...}} to anyone without a token.
TOKEN_AUTH = {
    "api:v1-courses",
    "api:v1-course",
    "api:v1-batches",
    "api:v1-batch",
    "api:v1-batch-rows",
    "api:v1-person-credits",
    "api:v1-assessment",
}

PUBLIC = {
    "api:openapi-json": "the OpenAPI document describes the API and holds no data",
    "api:openapi-view": "the API docs page renders the OpenAPI document",
    "api:api-root": "/api/v1/ only leads to the docs page",
}

# The credit office above the provider revokes its tokens.
WRITERS = {"api:token_revoke": {"carol"}}
