"""Reports over resolved packs, each with its text, Markdown and JSON views: article coverage, the diff
of two packs and docs/jurisdictions.md, the packs' scenario runner, everything `validate` checks, and the JSON Schemas of the formats.

May import: errors, reading, time, facts, conditions, packs, evaluation, render.
"""
