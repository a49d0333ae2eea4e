"""The real-browser tools the web portal's tests use (kinerja_testing.browser): Debian's Chromium under
Playwright drives a page served on loopback, screenshots come out at phone and desktop size, and
axe-core passes a good page and reports a bad one (so the check is able to fail)."""

from __future__ import annotations

import importlib
import struct
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from kinerja_testing.browser import DESKTOP, PHONE, BrowserTools, axe_violations, screenshot

LOCAL = Path(__file__).resolve().parents[2] / "deploy" / "local"
GOOD_PAGE = """<!doctype html>
<html lang="id">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Uji peramban</title><script src="/app.js" defer></script></head>
<body>
<main>
  <h1>Sapaan</h1>
  <form id="greet">
    <label for="name">Nama</label>
    <input id="name" name="name" type="text" autocomplete="name">
    <button type="submit">Sapa</button>
  </form>
  <p id="out" role="status">Belum ada sapaan</p>
</main>
</body>
</html>
"""
APP_JS = """document.getElementById("greet").addEventListener("submit", (event) => {
  event.preventDefault();
  document.getElementById("out").textContent = "Halo, " + document.getElementById("name").value;
});
"""
BAD_PAGE = """<!doctype html>
<html lang="id">
<head><meta charset="utf-8"><title>Halaman buruk</title></head>
<body>
<main>
  <h1>Buruk</h1>
  <input id="nip" type="text">
  <img src="/logo.png">
</main>
</body>
</html>
"""
# a 1x1 transparent PNG
LOGO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
PAGES = {
    "/good.html": ("text/html; charset=utf-8", GOOD_PAGE.encode()),
    "/app.js": ("text/javascript", APP_JS.encode()),
    "/bad.html": ("text/html; charset=utf-8", BAD_PAGE.encode()),
    "/logo.png": ("image/png", LOGO),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path not in PAGES:
            self.send_error(404)
            return
        content_type, body = PAGES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # as strict as a real portal's: the axe script must still get in
        self.send_header("Content-Security-Policy", "default-src 'self'")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    assert data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_tools_are_debians_chromium_and_the_pinned_axe(browser_tools: BrowserTools) -> None:
    assert browser_tools.chromium == Path("/usr/bin/chromium")
    assert browser_tools.chromedriver == Path("/usr/bin/chromedriver")
    assert browser_tools.axe.name == "axe.min.js"
    assert browser_tools.axe.read_text()[:40].startswith("/*! axe v4.10.3")


def test_typing_and_clicking_change_the_page(page: Page, site: str) -> None:
    page.goto(f"{site}/good.html")
    page.get_by_label("Nama").fill("Siti")
    page.get_by_role("button", name="Sapa").click()
    page.wait_for_function("document.getElementById('out').textContent === 'Halo, Siti'")
    assert page.locator("#out").text_content() == "Halo, Siti"


def test_screenshots_at_phone_and_desktop_width(page: Page, site: str, tmp_path: Path) -> None:
    page.goto(f"{site}/good.html")
    for width, height in (PHONE, DESKTOP):
        shot = screenshot(page, tmp_path / f"good-{width}.png", width)
        shot_width, shot_height = png_size(shot)
        assert shot_width == width
        assert shot_height >= height  # full page: at least the viewport
    with pytest.raises(ValueError, match="width 800"):
        screenshot(page, tmp_path / "other.png", 800)


def test_axe_passes_the_good_page(page: Page, site: str) -> None:
    page.goto(f"{site}/good.html")
    assert axe_violations(page) == []


def test_axe_reports_an_unlabelled_input_and_an_image_without_alt(page: Page, site: str) -> None:
    page.goto(f"{site}/bad.html")
    violations = axe_violations(page)
    by_rule = {violation["id"]: violation for violation in violations}
    assert set(by_rule) == {"label", "image-alt"}, violations
    assert by_rule["label"]["impact"] == "critical"
    assert by_rule["label"]["targets"] == [["#nip"]]
    assert by_rule["image-alt"]["targets"] == [["img"]]
    assert by_rule["image-alt"]["help"]
    # both are critical: a filter on the lesser impacts leaves nothing
    assert axe_violations(page, impacts=("minor", "moderate")) == []


def stack_module() -> Any:
    """``deploy/local/stack.py``, as it loads itself."""
    sys.path.insert(0, str(LOCAL))
    try:
        return importlib.import_module("stack")
    finally:
        sys.path.remove(str(LOCAL))


def test_without_chromium_and_not_root_the_stack_names_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = stack_module()
    monkeypatch.setattr(stack, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setattr(stack.os, "geteuid", lambda: 1000)
    with pytest.raises(stack.StackError) as raised:
        stack.ensure_chromium()
    assert str(raised.value) == (
        "the browser tests need Debian's Chromium: "
        "run `sudo apt-get install -y --no-install-recommends chromium chromium-driver`"
    )


def test_an_axe_core_tarball_with_another_integrity_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stack = stack_module()
    monkeypatch.setattr(stack, "CACHE_DIR", tmp_path)

    def fake_npm_pack(argv: list[str], what: str, **_: object) -> None:
        assert argv[1:3] == ["pack", f"axe-core@{stack.AXE_CORE_VERSION}"]
        (tmp_path / "downloads" / f"axe-core-{stack.AXE_CORE_VERSION}.tgz").write_bytes(b"not axe-core")

    monkeypatch.setattr(stack, "run_checked", fake_npm_pack)
    with pytest.raises(stack.StackError, match="not the pinned sha512-"):
        stack.ensure_axe_core()
    assert not list((tmp_path / "downloads").iterdir())  # the tarball is dropped
    assert not (tmp_path / f"axe-core-{stack.AXE_CORE_VERSION}").exists()
