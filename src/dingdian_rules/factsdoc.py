"""Deprecated alias of ``dingdian_rules.render.facts_doc``, the docs/facts.md generator (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md)."""

from .render.facts_doc import *  # noqa: F401,F403

if __name__ == "__main__":
    from .render.facts_doc import facts_markdown
    print(facts_markdown())
