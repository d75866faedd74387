"""Time: Civil Code periods (日, 月, 年), 工作日 on the statutory-holiday calendar, and the holidays of years not yet published.

May import: nothing else in the package.
"""
