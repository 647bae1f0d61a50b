"""The production profile, started as a deployer starts it: a fresh copy of the repository (what a
clone holds, plus the front-end files `make assets` copies), `xuefen setup`, `xuefen bootstrap` and
`xuefen serve` with XUEFEN_PROFILE=production, behind a TLS-terminating proxy (played here by the
X-Forwarded-Proto header). It must serve the log-in page, the public verification page and a
logged-in page with hashed static files, secure cookies, HSTS and the CSP; and a missing setting
must stop it with a sentence naming the variable."""

import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.core.test_serve import _free_port

PROJECT = Path(__file__).resolve().parent.parent


def _fresh_copy(target: Path) -> Path:
    """The files a commit of this working tree holds (tracked, and new ones not ignored) as they
    are now, then the front-end files copied from the pinned npm packages, as `make assets` does.
    Nothing ignored comes along: no var/, no collected static files, no vendor copy."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = PROJECT / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    (target / "node_modules").symlink_to(PROJECT / "node_modules")
    subprocess.run(["sh", "scripts/copy-assets"], cwd=target, check=True, timeout=120)
    return target


def _env(tmp_path: Path, source: Path, port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("XUEFEN_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        PYTHONPATH=str(source),  # the copy's code, not this working tree's
        XUEFEN_PROFILE="production",
        XUEFEN_SECRET_KEY=secrets.token_urlsafe(50),
        XUEFEN_ALLOWED_HOSTS="127.0.0.1,xuefen.example.gov.cn",
        XUEFEN_VAR_DIR=str(tmp_path / "var"),
        XUEFEN_TRUSTED_PROXIES="127.0.0.1",
    )
    return env


def _xuefen(*args: str) -> list[str]:
    return [sys.executable, "-m", "xuefen.cli", *args]


class Browser:
    """Requests as they arrive from the TLS-terminating proxy, with a cookie jar that keeps the
    Secure cookies the site sets (the proxy would hand them back over HTTPS)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def request(self, method, path, body=None, https=True, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": "xuefen.example.gov.cn", **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = "https://xuefen.example.gov.cn"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(header)
            jar = SimpleCookie(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        conn.close()
        return response, content.decode("utf-8", "replace")


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.fixture
def production(tmp_path):
    source = _fresh_copy(tmp_path / "src")
    port = _free_port()
    env = _env(tmp_path, source, port)
    setup = subprocess.run(
        _xuefen("setup"), cwd=source, env=env, capture_output=True, text=True, timeout=600
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert (tmp_path / "var" / "static" / "staticfiles.json").is_file()  # the manifest
    boot = subprocess.run(
        _xuefen(
            "bootstrap",
            "--region-code=QH",
            "--region-name=清河县",
            "--sysadmin=admin1",
            "--office=office1",
        ),
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert boot.returncode == 0, boot.stdout + boot.stderr
    password = re.search(r"office1\s+\S+\s+(\S+)", boot.stdout).group(1)
    server = subprocess.Popen(
        _xuefen("serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"),
        cwd=source,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    browser = Browser(port)
    deadline = time.monotonic() + 60
    while True:
        try:
            browser.request("GET", "/healthz")
            break
        except OSError:
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.3)
    try:
        yield browser, password
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def test_production_starts_from_a_fresh_copy_and_serves_safely(production):
    browser, password = production

    # Plain HTTP is sent to HTTPS.
    response, _ = browser.request("GET", "/accounts/login/", https=False)
    assert response.status == 301 and response.getheader("Location").startswith("https://")

    response, page = browser.request("GET", "/accounts/login/")
    assert response.status == 200, page
    assert "max-age=31536000" in response.getheader("Strict-Transport-Security")
    assert "script-src 'self'" in response.getheader("Content-Security-Policy")
    stylesheet = re.search(r'href="(/static/xuefen/app\.[0-9a-f]{12}\.css)"', page).group(1)
    static, _css = browser.request("GET", stylesheet)
    assert static.status == 200 and "max-age" in static.getheader("Cache-Control")
    assert browser.request("GET", "/static/vendor/swagger-ui/swagger-ui.css")[0].status == 200

    response, page = browser.request("GET", "/reports/verify/?code=ABCD-EFGH-JKMN")
    assert response.status == 200
    assert "no-store" in response.getheader("Cache-Control")

    assert browser.request("GET", "/django-admin/")[0].status == 404  # off in production

    # Log in as the office with the bootstrap password: the first page is the forced change.
    form = {"username": "office1", "password": password, "csrfmiddlewaretoken": _csrf(page)}
    _, page = browser.request("GET", "/accounts/login/")
    form["csrfmiddlewaretoken"] = _csrf(page)
    response, _ = browser.request("POST", "/accounts/login/", body=urlencode(form))
    assert response.status == 302, response.getheader("Location")
    response, page = browser.request("GET", "/accounts/password/")
    assert response.status == 200 and "学分办" in page
    new = "a-long-new-passphrase-2026"
    response, _ = browser.request(
        "POST",
        "/accounts/password/",
        body=urlencode(
            {
                "old_password": password,
                "new_password1": new,
                "new_password2": new,
                "csrfmiddlewaretoken": _csrf(page),
            }
        ),
    )
    assert response.status == 302
    response, page = browser.request("GET", "/")
    assert response.status == 200 and "学分办" in page
    assert "no-store" in response.getheader("Cache-Control")

    for header in browser.set_cookies:
        assert "SameSite=" in header, header
        if header.startswith(("sessionid", "csrftoken", "django_language")):
            assert "Secure" in header, header


def test_production_without_a_secret_key_stops_with_a_sentence(tmp_path):
    env = _env(tmp_path, PROJECT, 0)
    del env["XUEFEN_SECRET_KEY"]
    result = subprocess.run(
        _xuefen("check"), cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "XUEFEN_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr


def test_production_without_allowed_hosts_stops_with_a_sentence(tmp_path):
    env = _env(tmp_path, PROJECT, 0)
    del env["XUEFEN_ALLOWED_HOSTS"]
    result = subprocess.run(
        _xuefen("serve"), cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "XUEFEN_ALLOWED_HOSTS is not set" in result.stderr
    assert "Traceback" not in result.stderr
