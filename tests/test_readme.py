"""The README's first section gives exactly two commands, and CI runs both of them verbatim."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _first_section_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## ")[1]  # the first '## ' section: "Two commands"
    blocks = re.findall(r"```\n(.*?)\n```", section, flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_gives_exactly_two_commands() -> None:
    commands = _first_section_commands()
    assert len(commands) == 2
    assert "dingdian-rules evaluate" in commands[0] and "examples/" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_both_readme_commands_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in _first_section_commands():
        assert command in ci, f"{command!r} is not a line of .ci/run"


def test_the_demo_example_exists() -> None:
    demo = _first_section_commands()[0]
    path = re.search(r"(examples/\S+\.yaml)", demo).group(1)
    assert (ROOT / path).is_file()


def test_every_document_the_readme_links_exists() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#:]+)\)", text)
    assert "docs/reliability.md" in links
    assert [link for link in links if not (ROOT / link).exists()] == []


def test_every_test_docs_reliability_md_names_exists() -> None:
    """The guarantees there name the tests that pin them: a renamed or removed test shows here."""
    text = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(test_\w+)`", text))
    files = set(re.findall(r"`(tests/test_\w+\.py)`", text))
    assert len(named) > 50 and files
    defined = {name for f in (ROOT / "tests").glob("test_*.py")
               for name in re.findall(r"^def (test_\w+)", f.read_text(encoding="utf-8"), flags=re.M)}
    assert sorted(named - defined) == []
    assert sorted(f for f in files if not (ROOT / f).is_file()) == []
