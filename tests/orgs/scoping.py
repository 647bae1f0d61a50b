"""URL-conf scoping cases: each orgs URL at an object of unit A (bob, of unit B, must get 404)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from xuefen.orgs import importing


def _alice_upload(cast):
    upload = SimpleUploadedFile(
        "p.csv", "身份证号,姓名,单位代码,人员类别\r\n1,x,A,一般干部\r\n".encode()
    )
    return {"token": importing.save_pending(cast.alice, upload)}


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
    "orgs:people_import_errors": _alice_upload,
    "orgs:person_detail": lambda cast: {"person_id": cast.person_a.pk},
    "orgs:person_edit": lambda cast: {"person_id": cast.person_a.pk},
    "orgs:person_transfer": lambda cast: {"person_id": cast.person_a.pk},
}
