"""URL cases for the project-wide scoping test: each points at an object of unit A (a provider
acting at unit A, its course and a batch)."""

from tests.intake import helpers as h
from xuefen.intake.models import Batch


def _provider(cast):
    from xuefen.intake.models import Provider

    found = Provider.objects.filter(code="SCOPEA").first()
    return found or h.provider(cast, "SCOPEA")


def _course(cast):
    provider = _provider(cast)
    return provider.courses.first() or h.course(provider, "C1")


def _batch(cast):
    provider = _provider(cast)
    return Batch.objects.create(
        provider=provider,
        source=Batch.Source.UPLOAD,
        payload_sha256="0" * 64,
        filename="名单.csv",
        file_path="intake/none.csv",
        status=Batch.Status.FAILED,
        failure_code="interrupted",
        total_rows=1,
    )


CASES = {
    "intake:home": lambda cast: None,
    "intake:providers": lambda cast: None,
    "intake:providers_export": lambda cast: None,
    "intake:provider_create": lambda cast: None,
    "intake:provider_detail": lambda cast: {"provider_id": _provider(cast).pk},
    "intake:provider_edit": lambda cast: {"provider_id": _provider(cast).pk},
    "intake:course_create": lambda cast: {"provider_id": _provider(cast).pk},
    "intake:upload": lambda cast: {"provider_id": _provider(cast).pk},
    "intake:courses": lambda cast: None,
    "intake:courses_export": lambda cast: None,
    "intake:course_edit": lambda cast: {"course_id": _course(cast).pk},
    "intake:template": lambda cast: None,
    "intake:batches": lambda cast: None,
    "intake:batch_detail": lambda cast: {"batch_id": _batch(cast).pk},
    "intake:batch_progress": lambda cast: {"batch_id": _batch(cast).pk},
    "intake:batch_errors": lambda cast: {"batch_id": _batch(cast).pk},
    "intake:batch_resume": lambda cast: {"batch_id": _batch(cast).pk},
}
