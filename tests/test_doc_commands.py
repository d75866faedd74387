"""Every command the docs show works as shown: the README's and docs/*.md's code blocks and every
verb's ``--help`` examples are run (in a scratch folder with the files they name), and every
synopsis line names only options and formats the verb has. Docs drift the moment code changes;
this is what notices."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from dingdian_rules.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND = re.compile(r"^(?:\$ )?(?:cat (\S+) \| )?(?:\.venv/bin/)?(dingdian-rules|python -m bench\.\w+)\b(.*)$")
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z_]{2,}\b|\[|…")  # a synopsis: ID_OR_PATH, [--strict], A B …


@dataclass(frozen=True)
class Shown:
    where: str  # file:line, or "VERB --help"
    line: str  # as shown, comment included

    def __str__(self) -> str:
        return f"{self.where}: {self.line}"


def _blocks(path: Path) -> list[Shown]:
    """Lines of fenced code blocks that run the command or a benchmark (not ```yaml/json/python)."""
    shown, fence, lang = [], False, ""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            fence, lang = (not fence), line.strip()[3:]
            continue
        if fence and lang in ("", "sh", "bash", "console", "shell") and COMMAND.match(line.strip()):
            shown.append(Shown(f"{path.relative_to(ROOT)}:{n}", line.strip()))
    return shown


def _help_examples() -> list[Shown]:
    """The `examples:` lines of the command's and every verb's --help."""
    parser = build_parser()
    parsers = {"dingdian-rules": parser}
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    parsers.update({f"{name}": p for name, p in sub.choices.items()})
    shown = []
    for name, p in parsers.items():
        for line in (p.epilog or "").splitlines():
            if line.strip().startswith(("dingdian-rules ", "cat ")) and COMMAND.match(line.strip()):
                shown.append(Shown(f"{name} --help", line.strip()))
    return shown


ALL = [s for path in DOCS for s in _blocks(path)] + _help_examples()
SYNOPSES = [s for s in ALL if PLACEHOLDER.search(s.line.split("#")[0])]
RUNNABLE = [s for s in ALL if s not in SYNOPSES]


def _verb_parser(verb: str) -> argparse.ArgumentParser:
    parser = build_parser([verb])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[verb]


def test_the_docs_show_commands() -> None:
    """The collection itself works: a change to how docs are written must not silence this file."""
    assert len(RUNNABLE) >= 40 and len(SYNOPSES) >= 10
    assert {s.line.split()[1] for s in RUNNABLE if s.line.startswith("dingdian-rules")} >= {
        "validate", "evaluate", "explain", "resolve", "schema", "test", "coverage", "diff", "replay", "serve", "verify"}


@pytest.mark.parametrize("shown", SYNOPSES, ids=str)
def test_synopsis_names_only_real_options(shown: Shown) -> None:
    """`dingdian-rules diff A B [--format text|md|json]`: every option exists on the verb, and a
    choice list such as `text|md|json` is exactly the verb's choices."""
    words = shown.line.split("#")[0].split()
    assert words[0] == "dingdian-rules", shown
    verb = words[1]
    options = {o: a for a in _verb_parser(verb)._actions for o in a.option_strings}
    text = " ".join(words[2:])
    for option, choices in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)(?:[ =]([\w-]+(?:\|[\w-]+)+))?", text):
        assert option in options, f"{shown}: {verb} has no option {option}"
        action = options[option]
        if choices and action.choices is not None:
            assert sorted(choices.split("|")) == sorted(action.choices), (
                f"{shown}: {option} takes {'|'.join(action.choices)}")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder holding what the shown commands name: the repo's examples, packs and
    fixtures, and the placeholder files the docs use (case.yaml, cases.jsonl, registry.csv, registry.parquet …)."""
    d = tmp_path_factory.mktemp("docs")
    for name in ("examples", "rulepacks", "tests"):
        (d / name).symlink_to(ROOT / name)
    shutil.copy(ROOT / "examples" / "application_clinic.yaml", d / "case.yaml")
    shutil.copy(ROOT / "examples" / "application_clinic.yaml", d / "mycase.yaml")
    from dingdian_rules.reading.yaml_reader import load_yaml_file
    entry = load_yaml_file(ROOT / "examples" / "application_clinic.yaml")[0].data
    (d / "case.json").write_text(json.dumps(entry, default=str, ensure_ascii=False), encoding="utf-8")
    lines = [json.dumps({**entry, "id": f"row-{i}"}, default=str, ensure_ascii=False) for i in range(3)]
    (d / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (d / "registry.csv").write_text("id,question,as_of,institution.type,institution.beds\n"
                                    "r1,application,2025-06-01,clinic,10\n", encoding="utf-8")
    from dingdian_rules.testing.registry import write_registry
    write_registry(d / "registry.parquet", 20, seed=1)  # the generated registry of docs/columnar.md
    # the project's reader: `on:` is an events key, not YAML 1.1's true
    events = load_yaml_file(ROOT / "tests" / "fixtures" / "events" / "year_national.yaml")[0].data
    shutil.copy(ROOT / "tests" / "fixtures" / "events" / "year_national.yaml", d / "events.yaml")
    (d / "events.jsonl").write_text("".join(json.dumps(e, default=str, ensure_ascii=False) + "\n"
                                            for e in events["events"]), encoding="utf-8")
    # the decision log the `verify` examples read, as the `--log` examples write it
    assert _run_cli(["evaluate", "--pack", "national", "case.yaml", "--log", "audit.jsonl"], None, d)[0] == 0
    shutil.copytree(ROOT / "rulepacks" / "jiangsu_nantong", d / "my_city")
    return d


def _may_fail(shown: Shown) -> bool:
    """A command whose purpose is to report a difference or a failure by its exit code."""
    return bool(re.search(r"--exit-code|--strict|--min-coverage|\bverify\b|exit 1", shown.line))


def _run_cli(argv: list[str], stdin: Path | None, cwd: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_cwd, old_stdin = Path.cwd(), sys.stdin
    try:
        os.chdir(cwd)
        if stdin is not None:
            sys.stdin = io.TextIOWrapper(io.BytesIO((cwd / stdin).read_bytes()), encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        os.chdir(old_cwd)
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("shown", RUNNABLE, ids=str)
def test_shown_command_runs(shown: Shown, scratch: Path) -> None:
    m = COMMAND.match(shown.line)
    assert m, shown
    stdin, program, rest = m.groups()
    words = shlex.split(rest, comments=True)
    words = words[:words.index("|")] if "|" in words else words
    redirect = None
    if ">" in words:
        redirect, words = words[words.index(">") + 1], words[:words.index(">")]
    if program.startswith("python -m bench"):
        # a benchmark takes minutes: check that it has every option shown
        help_ = subprocess.run([sys.executable, "-m", program.split()[-1], "--help"], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
        assert help_.returncode == 0, f"{shown}\n{help_.stderr}"
        for option in (w for w in words if w.startswith("--")):
            assert option in help_.stdout, f"{shown}: the benchmark has no option {option}"
        return
    if words[0] == "serve":  # a server runs until stopped: its command line must parse
        args = build_parser(words).parse_args(words)
        assert args.verb == "serve"
        return
    code, out, err = _run_cli(words, Path(stdin) if stdin else None, scratch)
    if redirect:
        (scratch / redirect).write_text(out, encoding="utf-8")
    allowed = (0, 1) if _may_fail(shown) else (0,)
    assert code in allowed, f"{shown}\nexit {code}\n{err[-2000:]}"
    assert "Traceback" not in err


def _help_exit_codes(verb: str) -> set[int]:
    epilog = _verb_parser(verb).epilog or ""
    listed = epilog.split("exit codes:")[1]
    return {int(n) for n in re.findall(r"^  (\d)  ", listed, flags=re.M)}


# The same failure, given to every verb that can meet it: (failure, command lines, the code all must return).
SAME_FAILURE = [
    ("a pack that does not exist", [
        ["validate", "nosuch"], ["evaluate", "--pack", "nosuch", "case.yaml"], ["explain", "--pack", "nosuch", "case.yaml"],
        ["evaluate", "--pack", "nosuch", "--input", "cases.jsonl"], ["resolve", "nosuch"], ["test", "nosuch"],
        ["coverage", "nosuch"], ["diff", "nosuch", "national"], ["diff", "national", "nosuch"],
        ["compare", "--packs", "national,nosuch", "--input", "registry.parquet", "--question", "application"],
        ["replay", "--pack", "nosuch", "events.yaml"], ["serve", "--pack", "nosuch", "--port", "1"]], 3),
    ("an input file that does not exist", [
        ["evaluate", "--pack", "national", "missing.yaml"], ["explain", "--pack", "national", "missing.yaml"],
        ["evaluate", "--pack", "national", "--input", "missing.jsonl"], ["replay", "--pack", "national", "missing.yaml"],
        ["verify", "missing.jsonl"],
        ["compare", "--packs", "national,jiangsu", "--input", "missing.parquet", "--question", "application"],
        ["compare", "--packs", "national,jiangsu", "--input", "missing.jsonl", "--question", "application"]], 4),
    ("an option the verb does not have", [[verb, "--no-such-option"] for verb in (
        "validate", "evaluate", "explain", "resolve", "schema", "test", "coverage", "diff", "compare", "replay", "serve",
        "verify")], 2),
]


@pytest.mark.parametrize("failure, commands, code", SAME_FAILURE, ids=[f[0] for f in SAME_FAILURE])
def test_the_same_failure_exits_the_same_in_every_verb(failure: str, commands: list[list[str]], code: int,
                                                       scratch: Path) -> None:
    """A script around the command can tell a missing pack (3) from a bad input (4) from a typo in
    its own command line (2) whatever the verb, and each verb's --help lists the code it returns."""
    got = {" ".join(argv): _run_cli(argv, None, scratch)[0] for argv in commands}
    assert got == {k: code for k in got}
    for argv in commands:
        assert code in _help_exit_codes(argv[0]), f"{argv[0]} --help does not list exit {code}"


def test_help_lists_only_codes_a_verb_returns() -> None:
    """`schema` loads no pack and reads no case: its help must not promise 1, 3 or 4."""
    assert _help_exit_codes("schema") == {0, 2}
    assert _help_exit_codes("resolve") == {0, 2, 3}
    assert 1 not in _help_exit_codes("explain")


# Output shown in the docs: a block after `<!-- output of: COMMAND -->`, or a block that starts
# with `$ COMMAND` followed by what it prints.
OUTPUT_OF = re.compile(r"<!-- output of: (.+?) -->\n```\w*\n(.*?)\n```", flags=re.S)
SESSION = re.compile(r"```\w*\n\$ (dingdian-rules [^\n]+)\n(.+?)\n```", flags=re.S)
EXCERPTS = [(f"{p.relative_to(ROOT)}: {m.group(1)}", m.group(1), m.group(2))
            for p in DOCS for pattern in (OUTPUT_OF, SESSION) for m in pattern.finditer(p.read_text(encoding="utf-8"))]


def test_the_docs_mark_their_output_excerpts() -> None:
    assert any("explain" in cmd for _, cmd, _ in EXCERPTS) and any("replay" in cmd for _, cmd, _ in EXCERPTS)


@pytest.mark.parametrize("where, command, excerpt", EXCERPTS, ids=[e[0] for e in EXCERPTS])
def test_shown_output_is_what_the_command_prints(where: str, command: str, excerpt: str, scratch: Path) -> None:
    """An excerpt marked `<!-- output of: COMMAND -->` holds lines the command prints, in order
    (a line `…` skips any number): an example that drifted from the code fails here."""
    code, out, err = _run_cli(shlex.split(command)[1:], None, scratch)
    assert code == 0, err
    printed = [line.rstrip() for line in out.splitlines()]
    at = 0
    for line in excerpt.splitlines():
        if line.strip() in ("", "…"):
            continue
        try:
            at = printed.index(line.rstrip(), at) + 1
        except ValueError:
            raise AssertionError(f"{where}: not printed (in this order): {line!r}") from None


def _enums(schema: object, path: str = "") -> dict[str, set[str]]:
    """Every enum of a JSON Schema, by where it stands."""
    found: dict[str, set[str]] = {}
    if isinstance(schema, dict):
        if isinstance(schema.get("enum"), list):
            found[path] = {str(v) for v in schema["enum"] if v is not None}
        for key, value in schema.items():
            for k, v in _enums(value, f"{path}/{key}").items():
                found.setdefault(k, set()).update(v)
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found.update(_enums(value, f"{path}/{i}"))
    return found


def test_every_code_a_decision_can_carry_is_documented() -> None:
    """Outcomes, statuses, warning codes, measures …: each value the decision schema allows is
    written (as `code`) in docs/decision.md, so no reader meets an undocumented code."""
    from dingdian_rules.analysis.schemas import schemas
    doc = (ROOT / "docs" / "decision.md").read_text(encoding="utf-8")
    enums = _enums(schemas("decision"))
    assert len(enums) >= 4
    missing = {where: sorted(v for v in values if f"`{v}`" not in doc) for where, values in enums.items()}
    assert {k: v for k, v in missing.items() if v} == {}


@pytest.mark.parametrize("written, hint", [
    ("./rulepacks/foshan", "did you mean './rulepacks/guangdong_foshan'?"),  # the old --help example
    ("foshan", "did you mean 'guangdong_foshan'?"),  # ids put the province first
    ("nationl", "did you mean 'national'?"),
    ("./nowhere/foshan", "did you mean the bundled pack 'guangdong_foshan'?"),
])
def test_a_pack_not_found_names_the_pack_meant(written: str, hint: str) -> None:
    code, _, err = _run_cli(["resolve", written], None, ROOT)
    assert code == 3 and "error[pack-not-found]" in err and f"hint: {hint}" in err
