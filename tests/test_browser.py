"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright, against the
service running on 127.0.0.1. CI installs the ``chromium`` package (``.ci/run``)."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import EXAMPLES, live_service

from service.app import create_app
from service.settings import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (apt-get install chromium; CI installs it)",
)
# Without these, Chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    with live_service(lambda base: create_app(Settings(store_path=store, base_url=base))) as (
        base,
        _app,
    ):
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, locale="en-GB")
    yield context.new_page()
    context.close()


def test_upload_mistakes_see_hints_switch_to_french_and_download_json(server, page):
    page.goto(f"{server}/validate")
    page.set_input_files("#file", str(EXAMPLES / "mistakes.ttl"))
    page.click("form button[type=submit]")
    page.wait_for_url("**/validate/reports/**")
    body = page.text_content("main")
    assert "Did you mean" in body and "OS115" in body
    assert "Riverside Wholefoods Co-operative" in body

    page.click("header form.lang button[value=fr]")
    page.wait_for_url("**lang=fr**")
    assert "Vouliez-vous dire" in page.text_content("main")

    with page.expect_download() as caught:
        page.click("ul.downloads a:has-text('JSON'):not(:has-text('LD'))")
    report = json.loads(caught.value.path().read_text(encoding="utf-8"))
    assert report["conforms"] is False
    assert report["summary"]["records"] == 18
    assert any("OS115" in (result["hint"] or "") for result in report["results"])


def test_term_page_shows_labels_in_every_language(server, page):
    page.goto(f"{server}/vocab/Initiative")
    assert page.url.endswith("/vocab/Initiative.html") or "/vocab/Initiative" in page.url
    text = page.text_content("main")
    for label in ("Initiative", "Iniciativa"):
        assert label in text
    assert "SSEInitiative" in text


def test_example_sparql_query_shows_rows(server, page):
    page.goto(f"{server}/query")
    page.click("a[href='/query?example=networks']")
    page.click("form button[type=submit]")
    page.wait_for_selector("table.results tbody tr")
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 3
    assert "rede-atlantica" in page.text_content("table.results")
