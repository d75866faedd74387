"""Answering a question about a case: the evaluator, the decision with its rule results, deadlines and measures, the decision JSON Schema, and decision records (ids, digests, the log and its verification).

May import: errors, reading, time, facts, conditions, packs.
"""
