"""Answering a question about a case: the evaluator, the decision with its rule results, deadlines and measures, and the decision JSON Schema.

May import: errors, reading, time, facts, conditions, packs.
"""
