"""The screenshots of docs/offices.md, made by the tests: the filled 汇总表 and the printed report.

Each test renders the real file in headless Chromium and saves a PNG under its tmp path;
with ``VILLAGEEVAL_DOCS_IMAGES=DIR`` set it also copies it to ``DIR`` (how the images in
``docs/img/`` were made: ``VILLAGEEVAL_DOCS_IMAGES=docs/img .venv/bin/python -m pytest
tests/test_office_screenshots.py``). The workbook is shown as LibreOffice renders it (its
HTML export of every sheet), so the template test also needs ``soffice``; both skip with
the reason when what they need is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("openpyxl")
pytest.importorskip("jinja2")

from tests import browser

import villageeval as ve

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "schemes" / "huining-midterm-2023" / "demo.json"
PNG = b"\x89PNG\r\n\x1a\n"

if browser.missing():
    pytest.skip(browser.missing() or "", allow_module_level=True)


def _publish(png: Path) -> None:
    target = os.environ.get("VILLAGEEVAL_DOCS_IMAGES")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(target) / png.name)


def _is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == PNG and path.stat().st_size > 10_000


def test_the_report_as_printed(tmp_path: Path) -> None:
    """The top of the huining demo's report: the scheme, the totals and the chart."""
    from villageeval.report import write_report

    scheme = ve.load_scheme("huining-midterm-2023")
    html = tmp_path / "report.html"
    write_report(scheme, ve.evaluate(scheme, ve.load_cohort(DEMO)), html)
    png = tmp_path / "report.png"
    with browser.chromium() as b, browser.open_page(b, html) as loaded:
        page = loaded.page
        page.set_viewport_size({"width": 1000, "height": 1400})
        assert "会组发〔2023〕60号" in page.inner_text("body")
        assert page.locator("svg").count() >= 1
        page.screenshot(path=str(png))
        assert [] == loaded.problems
    assert _is_png(png)
    _publish(png)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_template_filled_in(tmp_path: Path) -> None:
    """The 村“两委”班子 sheet of the huining template, filled with the demo's numbers."""
    from villageeval.office import write_template

    book = tmp_path / "template.xlsx"
    write_template(ve.load_scheme("huining-midterm-2023"), book, cohort=ve.load_cohort(DEMO))
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "html", "--outdir", str(tmp_path), str(book)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    png = tmp_path / "template.png"
    with browser.chromium() as b, browser.open_page(b, tmp_path / "template.html") as loaded:
        page = loaded.page
        page.set_viewport_size({"width": 1600, "height": 900})
        sheet = page.locator("table").nth(1)  # after the cover (说明): the first role's sheet
        text = sheet.inner_text()
        assert "述职测评" in text
        assert "北关村" in text  # beiguan-team's unit, from demo.json
        box = sheet.bounding_box()
        assert box is not None
        clip = {"x": box["x"], "y": box["y"], "width": min(box["width"], 1600), "height": 520}
        page.screenshot(path=str(png), clip=clip, full_page=True)
    assert _is_png(png)
    _publish(png)
