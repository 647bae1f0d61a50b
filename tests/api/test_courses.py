"""GET /courses and /courses/{code}: the token's provider's courses, paged."""

from tests.api.conftest import course, error_of


def test_lists_the_providers_courses_with_their_values(api):
    body = api.client_a.get("/api/v1/courses").json()
    assert body["count"] == 2
    assert [c["code"] for c in body["items"]] == ["C1", "C2"]
    first = body["items"][0]
    assert first["amount"] == "6.00" and first["unit"] == "hours"
    assert first["categories"] == ["required", "offline"]


def test_pages_carry_the_count_and_a_next_link(api):
    for n in range(3, 8):
        course(api.pa, f"C{n}")
    body = api.client_a.get("/api/v1/courses?limit=3").json()
    assert body["count"] == 7 and len(body["items"]) == 3
    assert body["previous"] is None
    assert "offset=3" in body["next"] and "limit=3" in body["next"]
    last = api.client_a.get(body["next"].replace("http://testserver", "") + "&offset=6").json()
    assert last["next"] is None


def test_a_page_beyond_the_end_is_empty(api):
    body = api.client_a.get("/api/v1/courses?offset=100").json()
    assert body["items"] == [] and body["count"] == 2 and body["next"] is None


def test_reads_one_course_by_code(api):
    body = api.client_a.get("/api/v1/courses/C2").json()
    assert body["name"] == "课程C2" and body["categories"] == ["elective"]


def test_an_unknown_code_is_404(api):
    response = api.client_a.get("/api/v1/courses/NOPE")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_limit_out_of_range_is_422_naming_the_field(api):
    response = api.client_a.get("/api/v1/courses?limit=0")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_request" and error["field"] == "limit"


def test_listing_courses_takes_few_queries(api, django_assert_max_num_queries):
    for n in range(3, 30):
        course(api.pa, f"C{n}")
    with django_assert_max_num_queries(4):
        assert api.client_a.get("/api/v1/courses?limit=100").status_code == 200
