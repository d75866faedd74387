"""The HTML reports in a real headless browser (Debian's chromium driven by selenium): each page
loads from file:// without console errors, a trace node opens to show its children, each marked
quote lies inside its own article, the outcome reads in Chinese, and the diff and coverage pages
show both jurisdictions and every article.

Selenium Manager never downloads anything: the driver and browser are Debian's
(/usr/bin/chromedriver, /usr/bin/chromium). Without them these tests are skipped, except where
DINGDIAN_RULES_REQUIRE_BROWSER=1 (set by .ci/run, which installs them) makes that a failure.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from dingdian_rules.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
OPTIONS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
           "--window-size=1280,1800")


def _browser_missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not (CHROMIUM.is_file() and CHROMEDRIVER.exists()):
        return f"{CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("DINGDIAN_RULES_REQUIRE_BROWSER") == "1":
            pytest.fail(f"DINGDIAN_RULES_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    with tempfile.TemporaryDirectory() as profile:
        for arg in (*OPTIONS, f"--user-data-dir={profile}"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = _start(webdriver, Service, options, Path(profile))
        try:
            yield driver
        finally:
            driver.quit()


def _start(webdriver: Any, service: Any, options: Any, folder: Path) -> Any:
    """Start the driver; if it does not start, fail with the driver's own log. (It died with
    SIGTRAP in the whole suite when an earlier test left a 4 GB address-space limit on the test
    process: tests/test_fuzz.py now checks that the fuzz run restores it.)"""
    from selenium.common.exceptions import WebDriverException
    log = folder / "chromedriver.log"
    try:
        return webdriver.Chrome(service=service(str(CHROMEDRIVER), log_output=str(log)), options=options)
    except WebDriverException as exc:
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
        pytest.fail(f"chromedriver did not start: {exc.msg}\n{tail}")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pages")
    paths = {name: out / f"{name}.html" for name in ("explain", "diff", "coverage")}
    assert cli_main(["explain", "--pack", "national", str(ROOT / "examples/application_fraud_unknown_people.yaml"),
                     "--format", "html", "-o", str(paths["explain"])]) == 0
    assert cli_main(["diff", "national", "guangdong_foshan", "--format", "html", "-o", str(paths["diff"])]) == 0
    import contextlib
    import io
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert cli_main(["coverage", "national", "--format", "html"]) == 0
    paths["coverage"].write_text(buffer.getvalue(), encoding="utf-8")
    return paths


def _open(browser: Any, path: Path) -> list[dict[str, Any]]:
    """Load a page and return its console messages of level SEVERE."""
    browser.get_log("browser")  # drop what an earlier page left
    browser.get(path.as_uri())
    return [m for m in browser.get_log("browser") if m.get("level") == "SEVERE"]


def test_the_explain_page_loads_without_console_errors_and_reads_in_chinese(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.by import By
    assert _open(browser, pages["explain"]) == []
    assert browser.find_element(By.CSS_SELECTOR, "span.outcome").text == "不予受理"  # art. 12(4)
    assert browser.execute_script("return document.documentElement.lang") == "zh-CN"


def test_clicking_a_trace_node_shows_its_children(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.by import By
    _open(browser, pages["explain"])
    node = browser.find_element(By.CSS_SELECTOR, "details.rule[open] .trace > details.tnode")
    children = node.find_elements(By.XPATH, "./*[not(self::summary)]")
    assert children and not any(c.is_displayed() for c in children)
    node.find_element(By.TAG_NAME, "summary").click()
    assert node.get_attribute("open") is not None
    assert all(c.is_displayed() for c in children)


def test_the_expand_all_button_opens_every_rule(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.by import By
    _open(browser, pages["explain"])
    browser.find_element(By.CSS_SELECTOR, "button[data-open='true']").click()
    assert browser.execute_script("return [...document.querySelectorAll('details')].every(d => d.open)")


def test_each_marked_quote_is_inside_its_own_article(browser: Any, pages: dict[str, Path]) -> None:
    _open(browser, pages["explain"])
    counts = browser.execute_script("""
        const marks = [...document.querySelectorAll('mark')];
        const inOwn = marks.filter(m => {
            const article = m.closest('.law-article');
            return article && m.closest('.cite-group').querySelector('.law-article') === article;
        });
        return [marks.length, inOwn.length];""")
    assert counts[0] > 0 and counts[0] == counts[1]
    marked = browser.execute_script(
        "return [...document.querySelectorAll('.law-article[data-article=\"12\"] mark')].map(m => m.textContent)")
    assert "以弄虚作假等不正当手段申请定点，自发现之日起未满3年的" in marked


def test_the_diff_page_shows_both_jurisdictions(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.by import By
    assert _open(browser, pages["diff"]) == []
    card = browser.find_element(By.ID, "rule-materials.licence_copy")
    sides = card.find_elements(By.CSS_SELECTOR, ":scope > .sides > .side")
    assert [s.get_attribute("data-pack") for s in sides] == ["national", "guangdong_foshan"]
    assert all(s.find_elements(By.CSS_SELECTOR, ".law-article mark") for s in sides)
    assert sides[0].is_displayed() and sides[1].is_displayed()


def test_the_coverage_page_shows_every_article_coloured(browser: Any, pages: dict[str, Path]) -> None:
    from selenium.webdriver.common.by import By
    assert _open(browser, pages["coverage"]) == []
    arts = browser.find_elements(By.CSS_SELECTOR, "details.art")
    assert [int(a.get_attribute("data-article")) for a in arts] == list(range(1, 54))
    colours = {a.get_attribute("data-status"): a.value_of_css_property("border-left-color") for a in arts}
    assert colours["decided"] != colours["classified"]  # the status is seen, not only written
    assert len(browser.find_elements(By.CSS_SELECTOR, ".legend li")) == 6
