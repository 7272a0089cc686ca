"""Fixtures for the browser tests: one headless Chromium per module, one fresh page per test,
and on failure a screenshot and the server logs in the test's tmp folder (their paths are
printed in the failure report).

Without Chromium or Playwright these tests fail in CI (CI=true) and skip elsewhere.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .support import SERVERS_ATTR, browser_unavailable_reason, launch_chromium


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def require_browser() -> None:
    reason = browser_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="module")
def chromium():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    request.node._browser_page = page
    yield page
    context.close()


# Servers a module started register themselves here, so a failure can keep their logs.
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    tmp_path = item.funcargs.get("tmp_path")
    if tmp_path is None:
        tmp_path = Path(item.config._tmp_path_factory.mktemp("browser-failure"))  # noqa: SLF001
    kept = []
    page = getattr(item, "_browser_page", None)
    if page is not None:
        try:
            shot = Path(tmp_path) / "failure.png"
            page.screenshot(path=str(shot), full_page=True)
            kept.append(str(shot))
        except Exception as exc:  # the page may be gone
            kept.append(f"(no screenshot: {exc})")
    for server in getattr(item.module, SERVERS_ATTR, []):
        target = Path(tmp_path) / server.log.name
        try:
            shutil.copy(server.log, target)
            kept.append(str(target))
        except OSError as exc:
            kept.append(f"(no log {server.log}: {exc})")
    report.sections.append(("browser failure artefacts", "\n".join(kept)))
    print("\nbrowser failure artefacts kept:\n  " + "\n  ".join(kept))
