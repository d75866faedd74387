"""Reports over resolved packs: article coverage, the diff of two packs, the packs' scenario runner and everything `validate` checks.

May import: errors, reading, time, facts, conditions, packs, evaluation.
"""
