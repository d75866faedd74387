"""Deprecated alias of ``dingdian_rules.render.facts_doc``, the docs/facts.md generator (moved in the package layout of
issue 12; kept for one release, see CHANGELOG.md)."""

import warnings

warnings.warn("dingdian_rules.factsdoc is deprecated and will be removed in the next release: "
              "use dingdian_rules.render.facts_doc", DeprecationWarning, stacklevel=2)

from .render.facts_doc import *  # noqa: F401,F403

if __name__ == "__main__":
    from .render.facts_doc import facts_markdown
    print(facts_markdown())
