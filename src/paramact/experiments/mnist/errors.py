"""The error of an unusable results file, typed so that the command line tells a user's file (exit
status 2) from a bug (a traceback)."""

from __future__ import annotations

__all__ = ["ResultsFileError"]


class ResultsFileError(ValueError):
    """A results file that cannot be used: missing, not JSON, not this experiment's, incomplete, or
    without the test labels (or the runs) the declared comparisons need."""
