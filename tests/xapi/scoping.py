"""URL cases for the project-wide scoping test: a learning platform of a provider acting at unit A
(serving department D); bob (unit B) must get 404 for it. The LRS endpoint (`TOKEN_AUTH`) takes
no session: anyone without the platform's Basic credentials gets 401 with the JSON error body;
what one platform may see of another's statements is tested in tests/xapi/test_statement_api.py.
`/xapi/about` only names the versions the LRS speaks."""

from xuefen.core.actors import SYSTEM
from xuefen.intake.models import Provider
from xuefen.xapi.actions import create_client
from xuefen.xapi.models import Client


def _client_of_unit_a(cast):
    found = Client.objects.filter(name="甲单位平台").first()
    if found is None:
        provider = Provider.objects.filter(code="XSCOPE").first() or Provider.objects.create(
            code="XSCOPE", name="甲单位学院", node=cast.unit_a, serves=cast.dept
        )
        found, _secret = create_client(
            SYSTEM, provider, name="甲单位平台", home_page="https://a.example.cn"
        )
    return {"client_id": found.pk}


CASES = {
    "xapi:clients": lambda cast: None,
    "xapi:client_new": lambda cast: None,
    "xapi:client": _client_of_unit_a,
    "xapi:client_revoke": _client_of_unit_a,
    "xapi:statements": lambda cast: None,
}

TOKEN_AUTH = {"xapi:lrs_statements", "xapi:lrs_more"}

PUBLIC = {"xapi:lrs_about": "names the xAPI versions the LRS speaks; holds no data"}

# The credit office over the provider revokes a platform by a POST without fields
# (as it revokes a token).
WRITERS = {"xapi:client_revoke": {"carol"}}
