from django.urls import reverse


def test_pages_are_in_chinese_even_for_an_english_browser(client):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode()


def test_the_switch_turns_the_interface_into_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:login"))
    assert '<html lang="en">' in page.content.decode()
    assert "Log in" in page.content.decode()


def test_api_callers_may_ask_for_english_with_accept_language(client, db):
    # Browsers get Chinese whatever they send; programs calling the API choose their language.
    chinese = client.get("/api/v1/courses").json()["error"]["message"]
    english = client.get("/api/v1/courses", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert chinese != english
    assert english.isascii()
    assert not chinese.isascii()


def test_the_api_docs_and_token_pages_are_chinese_for_an_english_browser(client, cast):
    # They live under /api/ but are pages: only the JSON API under /api/v1/ reads Accept-Language.
    client.force_login(cast.carol)
    for path in ("/api/v1/docs", "/api/tokens/"):
        page = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert '<html lang="zh-hans">' in page.content.decode(), path
