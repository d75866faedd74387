"""Reading files with locations: the safe YAML reader and its on-disk parse cache, JSON and JSON Lines input, and pydantic errors turned into located diagnostics.

May import: errors.
"""
