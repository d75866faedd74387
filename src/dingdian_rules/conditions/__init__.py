"""The condition language: parse (``parser``), type-check (``types``), compile to Python (``compile``), and
the trace tree of a condition's recorded values (``trace``).

May import: errors, reading, time, facts.
"""
