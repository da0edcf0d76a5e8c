"""Headless Chromium for the tests (and for anyone who wants a screenshot of a report).

Playwright drives the system's Chromium (Debian's ``chromium``), never a browser it would
download: ``playwright install`` is not needed. Every request a page makes goes through a
route that lets ``file://`` through and aborts anything else, so a page that would reach
the network at view time is caught, not merely slow.

    from tests.browser import screenshot
    screenshot("report.html", "report.png")
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, Route

__all__ = ["CHROMIUM_ARGS", "LoadedPage", "chromium", "chromium_path", "missing", "open_page", "screenshot"]

#: What a sandboxed CI container needs, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The system Chromium: ``/usr/bin/chromium``, else ``chromium`` on the PATH."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (it is in the 'test' extra: pip install -e '.[test]')"
    if chromium_path() is None:
        return "no Chromium at /usr/bin/chromium or on the PATH (Debian: apt-get install chromium; .ci/run does)"
    return None


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless system Chromium, closed when the block ends."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError(missing() or "no Chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class LoadedPage:
    """A page loaded from a file, with everything that went wrong while it loaded."""

    page: Page
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Every refused request, console error, page error, failed request and dialog."""
        return [
            *(f"request to the network: {u}" for u in self.refused),
            *(f"console error: {m}" for m in self.console_errors),
            *(f"page error: {m}" for m in self.page_errors),
            *(f"request failed: {u}" for u in self.failed),
            *(f"dialog (a script ran): {m}" for m in self.dialogs),
        ]


@contextmanager
def open_page(browser: Browser, html_path: str | os.PathLike[str]) -> Iterator[LoadedPage]:
    """``html_path`` loaded over ``file://`` in a fresh page (A4-ish viewport), requests guarded."""
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    loaded = LoadedPage(page)

    def guard(route: Route, request: Request) -> None:
        loaded.requests.append(request.url)
        if request.url.startswith("file://"):
            route.continue_()
        else:
            loaded.refused.append(request.url)
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            loaded.console_errors.append(message.text)

    def failed(request: Request) -> None:
        if request.url not in loaded.refused:  # an aborted request is reported as refused
            loaded.failed.append(request.url)

    def dialog(d: Dialog) -> None:
        loaded.dialogs.append(d.message)
        d.dismiss()

    page.route("**/*", guard)
    page.on("console", console)
    page.on("pageerror", lambda e: loaded.page_errors.append(str(e)))
    page.on("requestfailed", failed)
    page.on("dialog", dialog)
    try:
        page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
        yield loaded
    finally:
        page.close()


def screenshot(
    html_path: str | os.PathLike[str], png_path: str | os.PathLike[str], *, browser: Browser | None = None
) -> None:
    """A full-page PNG of an HTML file, as headless Chromium renders it.

    Args:
        browser: one already running (from :func:`chromium`), to take many screenshots
            with one launch; a browser of its own otherwise. Playwright's sync API
            cannot start a second one while another is running in the same thread.

    Raises:
        RuntimeError: no Chromium or no playwright here, or the page reached for the
            network or logged errors while loading.
    """
    if browser is None:
        reason = missing()
        if reason is not None:
            raise RuntimeError(reason)
        with chromium() as own:
            screenshot(html_path, png_path, browser=own)
        return
    with open_page(browser, html_path) as loaded:
        if loaded.problems:
            raise RuntimeError("; ".join(loaded.problems))
        loaded.page.screenshot(path=str(png_path), full_page=True)
