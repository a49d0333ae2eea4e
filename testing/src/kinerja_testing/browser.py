"""Real-browser tests: Debian's Chromium driven by Playwright, and axe-core for accessibility.

Registered for every suite by the root ``conftest.py`` (``pytest_plugins``), like ``kinerja_testing``:

- ``browser_tools`` (session): the paths of Chromium, ChromeDriver and ``axe.min.js``, as
  ``deploy/local/stack.py browser`` prints them; that command installs Debian's ``chromium`` and
  ``chromium-driver`` when missing (as root) and packs the pinned axe-core into the cache once.
- ``chromium`` (module): Playwright's Chromium launched headless on Debian's binary with the flags
  this machine needs (``CHROMIUM_ARGS``); closed at the end of the module. Test tools' own browser
  downloads are blocked here: never run ``playwright install``. Playwright gives every launch a new
  empty user-data folder of its own (and refuses ``--user-data-dir`` in the arguments).
- ``axe_violations(page)``: the serious and critical accessibility violations axe-core finds on a page.
- ``screenshot(page, path, width)``: a full-page PNG at phone (390x844) or desktop (1366x900) size.

Playwright's sync API is used: call it from plain (not ``async``) tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported where used: most test runs never start a browser
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[3]  # the repo root (testing/src/kinerja_testing)

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # without these, Chromium keeps trying Google's hosts, which this machine's closed network refuses
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PHONE = (390, 844)
DESKTOP = (1366, 900)
VIEWPORT_HEIGHTS = dict((PHONE, DESKTOP))
"""Width -> height of the viewports the portal is checked at."""
DEFAULT_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class BrowserTools:
    chromium: Path
    chromedriver: Path
    axe: Path
    """axe-core's ``axe.min.js``, in the cache."""


def browser_tool_paths() -> BrowserTools:
    """Installs what is missing (``stack.py browser``) and returns the paths it prints."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "local" / "stack.py"), "browser"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    paths = json.loads(out.strip().splitlines()[-1])
    return BrowserTools(Path(paths["chromium"]), Path(paths["chromedriver"]), Path(paths["axe"]))


@pytest.fixture(scope="session")
def browser_tools() -> BrowserTools:
    return browser_tool_paths()


@pytest.fixture(scope="module")
def chromium(browser_tools: BrowserTools) -> Iterator[Browser]:
    """Headless Chromium (Debian's) under Playwright; open a new context or page per test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_tools.chromium, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(
    page: Page, impacts: Iterable[str] = DEFAULT_IMPACTS, *, axe: Path | None = None
) -> list[dict[str, Any]]:
    """The violations axe-core finds on ``page`` whose impact is one of ``impacts``: each with the rule
    ``id``, its ``impact``, the ``help`` text and the ``targets`` (one CSS selector path per node).

    ``axe``: the path of ``axe.min.js`` (default: the cached one, ``stack.py browser``). The script is
    evaluated through the DevTools protocol, so a page's Content-Security-Policy does not block it."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        script = axe if axe is not None else browser_tool_paths().axe
        page.evaluate(script.read_text())
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await window.axe.run(document)).violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target),
        }))"""
    )
    wanted = set(impacts)
    return [violation for violation in found if violation["impact"] in wanted]


def screenshot(page: Page, path: Path, width: int) -> Path:
    """A full-page PNG of ``page`` at ``path``, the viewport set first to ``width`` (390: phone,
    390x844; 1366: desktop, 1366x900)."""
    if width not in VIEWPORT_HEIGHTS:
        raise ValueError(f"width {width} is not one of {sorted(VIEWPORT_HEIGHTS)}")
    page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHTS[width]})
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True, type="png")
    return path
