"""The HTML reports: how long a page takes to render, and the screenshots in docs/screenshots/.

    .venv/bin/python -m bench.html_report                      # timings
    .venv/bin/python -m bench.html_report --screenshots docs/screenshots

Timings: every example case (examples/*.yaml) is decided once under its pack with a trace, as
``explain`` does (untimed); then ``decisions_html`` renders that one decision ``--repeat`` times.
"first" is the first page of the process (it imports Jinja2 and compiles the templates); the rest
are the steady state. The diff (national → guangdong_foshan) and coverage (national) pages are
timed the same way. The numbers of record are in docs/performance.md ("HTML report").

Screenshots: the explain, diff and coverage pages in headless chromium (Debian's browser and
driver; nothing is downloaded), one PNG each, at 1280 px wide.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import dingdian_rules as dr  # noqa: E402

EXAMPLE_PACKS = {"conduct_breach.yaml": "national"}  # every example runs under national


def _time(render: Callable[[], str], repeat: int) -> tuple[float, float, float, int]:
    """(first, median, p95) seconds of ``render`` and the page's size in bytes."""
    t = time.perf_counter()
    page = render()
    first = time.perf_counter() - t
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        render()
        runs.append(time.perf_counter() - t)
    runs.sort()
    return first, statistics.median(runs), runs[int(0.95 * (len(runs) - 1))], len(page.encode("utf-8"))


def timings(repeat: int) -> None:
    from dingdian_rules.analysis.coverage import coverage_report
    from dingdian_rules.analysis.diff import diff_packs
    from dingdian_rules.analysis.report_html import coverage_html, diff_html
    from dingdian_rules.render.html_decision import decisions_html
    print(f"{'page':<48} {'first ms':>9} {'median ms':>10} {'p95 ms':>8} {'KB':>6}")
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        pack = dr.load_pack(EXAMPLE_PACKS.get(example.name, "national"))
        case, extras = dr.load_case_file(example)
        d = dr.evaluate(pack, case, extras["question"], as_of=date.fromisoformat(str(extras["as_of"])), trace=True)
        first, median, p95, size = _time(lambda: decisions_html([d], pack), repeat)
        print(f"explain {example.stem + ' (' + str(len(d.rules)) + ' rules)':<40} {first * 1000:9.1f} "
              f"{median * 1000:10.1f} {p95 * 1000:8.1f} {size / 1024:6.0f}")
    a, b = dr.load_pack("national"), dr.load_pack("guangdong_foshan")
    diff = diff_packs(a, b)
    first, median, p95, size = _time(lambda: diff_html(diff), max(3, repeat // 10))
    print(f"{'diff national guangdong_foshan':<48} {first * 1000:9.1f} {median * 1000:10.1f} {p95 * 1000:8.1f} "
          f"{size / 1024:6.0f}")
    report = coverage_report(a)
    first, median, p95, size = _time(lambda: coverage_html([report]), max(3, repeat // 10))
    print(f"{'coverage national':<48} {first * 1000:9.1f} {median * 1000:10.1f} {p95 * 1000:8.1f} {size / 1024:6.0f}")


def screenshots(folder: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from dingdian_rules.cli import main as cli_main
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp)
        commands = {
            "explain": ["explain", "--pack", "national", str(ROOT / "examples/application_fraud_unknown_people.yaml"),
                        "--format", "html", "-o", str(pages / "explain.html")],
            "diff": ["diff", "national", "guangdong_foshan", "--format", "html", "-o", str(pages / "diff.html")],
        }
        for argv in commands.values():
            assert cli_main(argv) == 0
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert cli_main(["coverage", "national", "--format", "html"]) == 0
        (pages / "coverage.html").write_text(out.getvalue(), encoding="utf-8")
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1280,1900", "--hide-scrollbars", f"--user-data-dir={tmp}/profile"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            for name in ("explain", "diff", "coverage"):
                driver.get((pages / f"{name}.html").as_uri())
                if name == "explain":  # open the fired rule's trace, as an analyst would
                    driver.execute_script("document.querySelectorAll('details.rule[open] details.tnode')"
                                          ".forEach(d => d.open = true);")
                driver.save_screenshot(str(folder / f"{name}.png"))
                print(f"wrote {folder / f'{name}.png'}")
        finally:
            driver.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="renders per page after the first (default: 50)")
    parser.add_argument("--screenshots", metavar="FOLDER", type=Path, help="write explain/diff/coverage PNGs there")
    args = parser.parse_args(argv)
    if args.screenshots:
        screenshots(args.screenshots)
    else:
        timings(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())

