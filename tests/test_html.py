"""The HTML reports read without a browser (html.parser): what an analyst sees on the page, every
value escaped, nothing fetched from the network, the whole cited article with the quote marked
inside it, and a page even when a quote can no longer be found. The browser checks (expanding a
trace, console errors) are in tests/test_html_browser.py.

Expected values come from the law: 国家医疗保障局令第2号 art. 12(4) makes fraud in an earlier
application found less than 3 years before a ground not to accept (不予受理); art. 8 gives the
agency 5 working days (工作日) from receiving the materials to say at once what is missing.
"""

from __future__ import annotations

import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import dingdian_rules as dr
from dingdian_rules.cli import main as cli_main
from dingdian_rules.render.html_decision import decisions_html, provenance_steps
from dingdian_rules.render.law_text import quoted_article

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
FRAUD_QUOTE = "以弄虚作假等不正当手段申请定点，自发现之日起未满3年的"


class Page(HTMLParser):
    """The elements of a page: tag, attributes and classes of each open element, the text inside
    each element kind of interest, and every attribute value that could load something."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "source"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.elements: list[tuple[str, dict[str, str], list[tuple[str, dict[str, str]]]]] = []
        self.texts: dict[int, list[str]] = {}
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        self.urls += [v for k, v in a.items() if k in ("src", "href", "action", "data", "poster")]
        self.elements.append((tag, a, list(self.stack)))
        if tag not in self.VOID:
            self.stack.append((tag, a))
            self.texts[len(self.elements) - 1] = []
            a["_index"] = str(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, a in self.stack:
            self.texts[int(a["_index"])].append(data)

    def find(self, tag: str | None = None, cls: str | None = None) -> list[tuple[str, dict[str, str], list]]:
        return [e for e in self.elements if (tag is None or e[0] == tag)
                and (cls is None or cls in e[1].get("class", "").split())]

    def text(self, element: tuple[str, dict[str, str], list]) -> str:
        return "".join(self.texts.get(int(element[1].get("_index", -1)), []))


def _decisions(pack: str, example: str) -> tuple[Any, list[dr.Decision]]:
    """The decisions of the example's own question (its as_of and question as the file says)."""
    p = dr.load_pack(pack)
    case, extras = dr.load_case_file(EXAMPLES / example)
    as_of = date.fromisoformat(str(extras["as_of"]))
    return p, [dr.evaluate(p, case, extras["question"], as_of=as_of, trace=True)]


@pytest.fixture(scope="module")
def fraud_page() -> Page:
    pack, decisions = _decisions("national", "application_fraud_unknown_people.yaml")
    return Page(decisions_html(decisions, pack))


def test_the_outcome_is_the_chinese_label_and_the_modality_the_fired_rules(fraud_page: Page) -> None:
    outcome = fraud_page.find("span", "outcome")
    assert [fraud_page.text(e) for e in outcome] == ["不予受理"]
    assert outcome[0][1]["data-outcome"] == "not_accepted"
    assert [fraud_page.text(e) for e in fraud_page.find("dd", "modality")] == ["不得"]  # 不予受理 binds the agency
    assert fraud_page.find("html")[0][1]["lang"] == "zh-CN"


def test_every_candidate_rule_is_listed_with_its_status(fraud_page: Page) -> None:
    rules = {a["data-rule"]: a["data-status"] for _, a, _ in fraud_page.find("details", "rule")}
    assert rules["non_acceptance.fraudulent_application"] == "fired"
    assert rules["non_acceptance.non_basic_main_scope"] == "unknown"  # art. 12(1): the case does not say
    assert rules["institution_type.eligible_types"] == "not_fired"  # an outpatient department may apply (art. 5)
    fired = next(e for e in fraud_page.find("details", "rule") if e[1]["data-status"] == "fired")
    assert "open" in fired[1]  # a fired rule is shown open, the others collapsed
    assert "未知" in {fraud_page.text(e) for e in fraud_page.find("span", "unknown")}


def test_the_whole_cited_article_is_shown_with_the_quote_marked_inside_it(fraud_page: Page) -> None:
    marks = fraud_page.find("mark")
    assert marks
    for _, _, ancestors in marks:  # every mark lies inside an article's text
        assert any("law-article" in a.get("class", "").split() for _, a in ancestors)
    marked = {fraud_page.text(m) for m in marks}
    assert FRAUD_QUOTE in marked and "医疗机构有下列情形之一的，不予受理定点申请" in marked  # the item and its chapeau
    art12 = [e for e in fraud_page.find("div", "law-article") if e[1]["data-article"] == "12"]
    text = fraud_page.text(art12[0]).strip()
    assert text.startswith("第十二条") and "（九）法律法规规定的其他不予受理的情形。" in text  # the whole article


def test_parameters_provenance_and_trace_are_shown(fraud_page: Page) -> None:
    fired = next(e for e in fraud_page.find("details", "rule") if e[1]["data-status"] == "fired")
    idx = int(fired[1]["_index"])
    inside = [e for e in fraud_page.elements[idx + 1:] if any(a.get("_index") == str(idx) for _, a in e[2])]
    params = [fraud_page.text(e) for e in inside if e[0] == "table" and "params" in e[1].get("class", "")]
    assert "3年" in params[0] and "第十二条第（四）项" in params[0]  # 未满3年, set by art. 12(4)
    chain = [fraud_page.text(e) for e in inside if e[0] == "ol"]
    assert "制定" in chain[0] and "国家医疗机构医疗保障定点管理" in chain[0]
    assert any(e[0] == "details" and "tnode" in e[1].get("class", "") or "leaf" in e[1].get("class", "")
               for e in inside)


def test_an_overridden_rule_shows_the_chain_national_province_city() -> None:
    pack = dr.load_pack("guangdong_foshan")
    steps = provenance_steps(pack.rule("materials.licence_copy").provenance, pack, "zh")
    assert [(s["label"], s["pack"], s["level"]) for s in steps] == [
        ("制定", "national", "国家"), ("沿用（未改动）", "guangdong", "省"), ("修改", "guangdong_foshan", "市")]


def test_missing_facts_name_the_rules_they_would_settle() -> None:
    pack = dr.load_pack("national")
    case = dr.parse_case({"institution": {"type": "clinic", "licence": "practice_licence"}, "application": {}})
    d = dr.evaluate(pack, case, "application", as_of=date(2025, 6, 1), trace=True)
    assert d.outcome == "undetermined"
    page = Page(decisions_html([d], pack))
    rows = [page.text(e) for e in page.find("table", "missing")]
    assert "institution.main_scope_non_basic" in rows[0]  # art. 12(1): the main scope of practice
    assert "non_acceptance.non_basic_main_scope" in rows[0] and "若触发：不予受理" in rows[0]


def test_deadlines_are_on_a_timeline_with_their_status() -> None:
    pack, decisions = _decisions("national", "deadlines_national_day.yaml")
    page = Page(decisions_html(decisions, pack))
    cards = [page.text(e) for e in page.find("div", "deadline")]
    notice = next(c for c in cards if "time_limit.materials_notice" in c)
    # received 2025-09-30; 1-8 October are holidays and Saturday 11 October a working day: the
    # 5th working day is 14 October, not yet passed on 9 October
    assert "起算 2025-09-30" in notice and "届满日 2025-10-14" in notice and "评估日 2025-10-09" in notice
    assert "未届满" in notice
    assert page.find("div", "timeline") and page.find("div", "pin")


def test_every_value_is_escaped_and_nothing_is_fetched(tmp_path: Path) -> None:
    pack = dr.load_pack("national")
    evil = '<script>alert("x")</script><img src=http://evil.example/x>'
    case = dr.parse_case({"case_id": evil, "institution": {"type": "clinic"}})
    html = decisions_html([dr.evaluate(pack, case, "application", as_of=date(2025, 6, 1), trace=True)], pack)
    page = Page(html)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert page.tags.count("script") == 1 and "img" not in page.tags  # only the page's own inline script
    assert [page.text(e) for e in page.find("dd", "case-id")] == [evil]
    assert not [u for u in page.urls if u.startswith(("http:", "https:", "//"))]
    assert "link" not in page.tags and "@import" not in html and "url(" not in html


def test_english_on_request() -> None:
    pack, decisions = _decisions("national", "application_fraud_unknown_people.yaml")
    page = Page(decisions_html(decisions, pack, lang="en"))
    assert page.find("html")[0][1]["lang"] == "en"
    assert "Outcome" in {page.text(e) for e in page.find("span", "muted")}


def test_a_quote_across_a_page_break_is_marked_whole_and_a_missing_one_is_noted() -> None:
    pack = dr.load_pack("national")
    # art. 3 of the received text breaks a page inside 定点医|疗机构
    view = quoted_article(pack, "nhsa_order_2", 3, ["对医疗保障经办机构（以下简称“经办机构”）、定点医疗机构进行监督"])
    assert view.problem is None
    assert ["".join(s.text for s in p if s.marked) for p in view.paragraphs][0] == \
        "对医疗保障经办机构（以下简称“经办机构”）、定点医疗机构进行监督"
    missing = quoted_article(pack, "nhsa_order_2", 3, ["本办法没有的话"])
    assert missing.problem == "quote-not-found" and not missing.is_marked and missing.paragraphs
    assert quoted_article(pack, "nhsa_order_2", 99, ["x"]).problem == "no-article"
    assert quoted_article(pack, "no_such_document", 1, ["x"]).problem == "no-source"


def test_a_source_text_edited_after_loading_gives_a_page_with_a_visible_note(tmp_path: Path) -> None:
    from dingdian_rules.packs.citations import source_bytes_at
    shutil.copytree(ROOT / "rulepacks" / "national", tmp_path / "national")
    pack = dr.load_pack(tmp_path / "national")
    case, extras = dr.load_case_file(EXAMPLES / "application_fraud_unknown_people.yaml")
    decisions = [dr.evaluate(pack, case, "application", as_of=date(2025, 6, 1), trace=True)]
    text = tmp_path / "national" / "sources" / "national_nhsa_order_2_2020.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("以弄虚作假等不正当手段申请定点", "以欺骗手段申请定点"),
                    encoding="utf-8")
    source_bytes_at.cache_clear()
    try:
        page = Page(decisions_html(decisions, pack))
    finally:
        source_bytes_at.cache_clear()
    notes = [page.text(e) for e in page.find("p", "quote-not-found")]
    assert notes and "引文未在该条中找到" in notes[0] and FRAUD_QUOTE in notes[0]


def test_the_cli_writes_the_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert cli_main(["explain", "--pack", "national", str(EXAMPLES / "application_fraud_unknown_people.yaml"),
                     "--format", "html", "-o", str(out)]) == 0
    assert Page(out.read_text(encoding="utf-8")).find("details", "tnode")
    ev = tmp_path / "evaluate.html"
    assert cli_main(["evaluate", "--pack", "national", str(EXAMPLES / "application_fraud_unknown_people.yaml"),
                     "--format", "html", "--output", str(ev)]) == 0
    page = Page(ev.read_text(encoding="utf-8"))
    assert page.find("details", "rule") and not page.find("details", "tnode")  # evaluate records no trace
    assert capsys.readouterr().out == ""


def test_diff_shows_both_jurisdictions_side_by_side_with_both_texts(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["diff", "national", "guangdong_foshan", "--format", "html"]) == 0
    page = Page(capsys.readouterr().out)
    card = next(e for e in page.find("div", "rule-diff") if e[1]["id"] == "rule-materials.licence_copy")
    assert card[1]["data-change"] == "overridden"
    idx = card[1]["_index"]
    sides = [e for e in page.find("div", "side") if any(a.get("_index") == idx for _, a in e[2])]
    assert [(s[1]["data-side"], s[1]["data-pack"]) for s in sides] == [("a", "national"), ("b", "guangdong_foshan")]
    for side in sides:  # each side: its citation, the quoted words and the whole article, marked
        side_idx = side[1]["_index"]
        inside = [e for e in page.elements if any(a.get("_index") == side_idx for _, a in e[2])]
        assert any(e[0] == "mark" for e in inside) and any("law-article" in e[1].get("class", "") for e in inside)


def test_coverage_colours_every_article_and_has_a_legend(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["coverage", "national", "--format", "html"]) == 0
    page = Page(capsys.readouterr().out)
    arts = page.find("details", "art")
    assert [int(a["data-article"]) for _, a, _ in arts] == list(range(1, 54))  # 第一条 … 第五十三条
    assert {a["data-status"] for _, a, _ in arts} <= {"decided", "classified"}
    assert next(a for _, a, _ in arts if a["data-article"] == "12")["data-status"] == "decided"
    legend = {a["data-status"] for _, a, _ in page.find("li") if "data-status" in a}
    assert legend == {"decided", "restated", "parameter_only", "repeal_only", "classified", "unaccounted"}


def test_the_service_answers_explain_with_the_page_when_asked() -> None:
    from fastapi.testclient import TestClient
    from dingdian_rules.service import create_app
    from dingdian_rules.service.app import wants_html
    client = TestClient(create_app({"national": dr.load_pack("national")}))
    body = {"pack": "national", "question": "application", "as_of": "2025-06-01",
            "case": {"case_id": "<b>x</b>", "institution": {"type": "outpatient_department"},
                     "history": {"fraudulent_application_found_on": ["2023-08-15"]}}}
    page = client.post("/v1/explain", json=body, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    parsed = Page(page.text)
    assert [parsed.text(e) for e in parsed.find("span", "outcome")] == ["不予受理"]
    assert "&lt;b&gt;x&lt;/b&gt;" in page.text
    plain = client.post("/v1/explain", json=body)
    assert plain.headers["content-type"].startswith("application/json")
    assert plain.json()["decisions"][0]["outcome"] == "not_accepted"
    assert not wants_html("") and not wants_html("*/*") and not wants_html("application/json, text/html")
    assert wants_html("text/html") and not wants_html("text/html;q=0.5, application/json")
    assert "text/html" in client.get("/openapi.json").json()["paths"]["/v1/explain"]["post"]["responses"]["200"]["content"]
