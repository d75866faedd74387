"""Reading and resolving rule packs: the authoring schema, the loader, inheritance with provenance, citations and quotes, rule building, time limits, question plans and the frozen resolved pack.

May import: errors, reading, time, facts, conditions, twins.
"""
