"""URL-conf scoping cases: each orgs URL at an object of unit A (bob, of unit B, must get 404)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from xuefen.orgs import actions


def _alice_import(cast):
    upload = SimpleUploadedFile(
        "p.csv", "身份证号,姓名,单位代码,人员类别\r\n1,x,A,一般干部\r\n".encode()
    )
    imp = actions.start_people_import(cast.alice, upload, language="zh-hans")
    actions.check_people_import(imp.pk)
    return {"import_id": imp.pk}


def _request_into_a(cast):
    """Alice (unit A) added someone registered in unit B: a request only the office decides."""
    actions.request_transfer(cast.alice, cast.person_b, cast.unit_a, given_name="王芳")
    from xuefen.orgs.models import TransferRequest

    return {"request_id": TransferRequest.objects.get().pk}


CASES = {
    "orgs:tree": lambda cast: None,
    "orgs:node_create": lambda cast: None,
    "orgs:node_detail": lambda cast: {"node_id": cast.unit_a.pk},
    "orgs:node_edit": lambda cast: {"node_id": cast.unit_a.pk},
    "orgs:people": lambda cast: None,
    "orgs:people_export": lambda cast: None,
    "orgs:person_create": lambda cast: None,
    "orgs:people_import": lambda cast: None,
    "orgs:people_import_template": lambda cast: None,
    "orgs:people_import_detail": _alice_import,
    "orgs:people_import_confirm": _alice_import,
    "orgs:people_import_errors": _alice_import,
    "orgs:transfer_requests": lambda cast: None,
    "orgs:transfer_request_decide": _request_into_a,
    "orgs:person_detail": lambda cast: {"person_id": cast.person_a.pk},
    "orgs:person_edit": lambda cast: {"person_id": cast.person_a.pk},
    "orgs:person_transfer": lambda cast: {"person_id": cast.person_a.pk},
}

# Pages of one uploader: only they open them (the office too gets 404).
UPLOADER_ONLY = {
    "orgs:people_import_detail",
    "orgs:people_import_confirm",
    "orgs:people_import_errors",
}
# POST-only URLs.
POST_ONLY = {"orgs:people_import_confirm", "orgs:transfer_request_decide"}

# The credit office decides a transfer request.
WRITERS = {"orgs:transfer_request_decide": {"carol"}}
