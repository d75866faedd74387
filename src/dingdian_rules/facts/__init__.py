"""The facts of a case: the pydantic fact models, and cases built from data and files with located errors.

May import: errors, reading, time.
"""
from .models import *  # noqa: F401,F403
