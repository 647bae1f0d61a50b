"""The token provider's courses: what its rows may name as course_code."""

from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_noop
from ninja import Path, Query, Router

from xuefen.api.models import TokenScope
from xuefen.api.v1.auth import TokenAuth, token_of
from xuefen.api.v1.pagination import PageParams, page
from xuefen.api.v1.responses import READ, READ_ONE, with_errors
from xuefen.api.v1.schemas import CourseOut, CoursePage
from xuefen.intake.queries import courses_of
from xuefen.training.models import Course

router = Router(tags=["courses"], auth=TokenAuth(TokenScope.BATCHES))


def course_out(course: Course) -> dict[str, Any]:
    return {
        "code": course.code,
        "name": course.name,
        "kind": course.kind,
        "categories": list(course.categories or []),
        "amount": f"{course.amount:.2f}",
        "unit": course.unit,
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "is_active": course.is_active,
    }


@router.get(
    "/courses",
    response=with_errors({200: CoursePage}, READ),
    operation_id="listCourses",
    url_name="v1-courses",
    summary=gettext_noop("List the provider's courses"),
    description=gettext_noop(
        "The courses registered to the token's provider, by code. Scope: `batches`."
    ),
)
def list_courses(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    found = page(request, courses_of(token_of(request).provider).order_by("code"), params)
    found["items"] = [course_out(c) for c in found["items"]]
    return found


@router.get(
    "/courses/{code}",
    response=with_errors({200: CourseOut}, READ_ONE),
    operation_id="getCourse",
    url_name="v1-course",
    summary=gettext_noop("Read one course"),
    description=gettext_noop(
        "One course of the token's provider by its code; 404 for another provider's. "
        "Scope: `batches`."
    ),
)
def get_course(
    request: HttpRequest, code: Annotated[str, Path(description=gettext_noop("The course's code."))]
) -> dict[str, Any]:
    course = courses_of(token_of(request).provider).filter(code=code).first()
    if course is None:
        raise Http404
    return course_out(course)
