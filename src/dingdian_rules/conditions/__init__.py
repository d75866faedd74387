"""The condition language: parse (``parser``), type-check (``typing``), compile (``compile``)."""
