"""The review sheet on paper (issue 12, part 4): printed to PDF by headless Chromium (Debian's `chromium`
package, driven by Playwright; never a downloaded browser), then read back with pypdf. The running footer is
CSS paged media (`@page` margin boxes, drawn by Chromium since version 131), so it is also there when a
clinician prints the HTML file from the browser."""

from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed here (apt-get install -y chromium); CI installs it",
                allow_module_level=True)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[list[str], Path]:
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    from triage.cli import main

    folder = tmp_path_factory.mktemp("print")
    html, pdf = folder / "review.html", folder / "review.pdf"
    assert main(["rules", "review", "-o", str(html)]) == 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(html.as_uri())
            page.pdf(path=str(pdf), prefer_css_page_size=True)
        finally:
            browser.close()
    # NFKC: the PDF's text writes 'fl' as one ligature character
    return [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(str(pdf)).pages], pdf


def test_every_page_has_the_footer_with_version_hash_and_page_number(printed, real_kb):
    pages, _ = printed
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {total}" in text
        assert f"{real_kb.name} {real_kb.version} · hash {real_kb.hash}" in text


def test_small_sections_share_pages_and_the_sheet_stays_short(printed, real_kb):
    pages, _ = printed
    titles = [s.title for s in real_kb.sources]
    shared = [p for p in pages if sum(t in p for t in titles) >= 2]
    assert shared, "every part of the sheet starts a page of its own"
    # 39 pages for 85 rules, 26 cases and 9 reading pages when this was written; 46 once every rule showed its
    # citations, safety reference or judgement rationale (issue 13); 51 for 97 rules and 70 cases once each case
    # also showed the sections and tests it forbids and the doctor it expects
    assert len(pages) <= 54


def test_table_headers_repeat_on_every_page_a_table_runs_on(printed, real_kb):
    pages, _ = printed
    texts = [p for p in pages if "section '" in p and "warning: [" not in p]  # not the check's warnings
    assert len(texts) >= 2  # "What patients read" runs over a page break
    assert all(" ".join(p.split()).count("what text shown by") >= 1 for p in texts)
    matrix = " ".join(next(p for p in pages if "Coverage: rules by golden cases" in p).split())
    assert "rule C1 C2 C3" in matrix


def test_the_sign_off_form_ends_the_sheet_on_a_page_of_its_own(printed):
    pages, _ = printed
    last = pages[-1]
    assert "Sign-off" in last and "part name role date signature" in " ".join(last.split())
    assert "Urgency decision table" in last and "I have reviewed the parts named below" in last
    assert "I have reviewed" not in pages[-2]
