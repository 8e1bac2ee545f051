"""Small statistics toolkit for the course's experiments (XOR and MNIST).

Every function states its formula and is checked against SciPy or hand-computed values in
``tests/test_stats.py``. Censored data are "steps until the loss first reaches a threshold"
for runs that hit the iteration cap first: for those we only know that the true value exceeds
the recorded cap. They are passed as ``durations`` with a boolean ``observed`` mask
(``observed=False`` means right-censored at ``durations``).

- :mod:`paramact.stats.intervals`: ``wilson_interval``, ``mean_ci``, ``bootstrap_ci``,
  ``crossed_bootstrap_ci``;
- :mod:`paramact.stats.survival`: ``kaplan_meier``, ``kaplan_meier_median``;
- :mod:`paramact.stats.paired`: ``sign_test``, ``wilcoxon_paired``, ``mcnemar_exact``,
  ``paired_t_test``, ``holm``.

Their names are all here too: ``from paramact import stats; stats.wilson_interval(...)``.
"""

from paramact.stats import intervals, paired, survival
from paramact.stats.intervals import bootstrap_ci, crossed_bootstrap_ci, mean_ci, wilson_interval
from paramact.stats.paired import (
    McNemarTest,
    PairedTest,
    holm,
    mcnemar_exact,
    paired_t_test,
    sign_test,
    wilcoxon_paired,
)
from paramact.stats.survival import kaplan_meier, kaplan_meier_median

__all__ = [
    "wilson_interval",
    "bootstrap_ci",
    "mean_ci",
    "kaplan_meier",
    "kaplan_meier_median",
    "PairedTest",
    "sign_test",
    "wilcoxon_paired",
    "McNemarTest",
    "mcnemar_exact",
    "holm",
    "paired_t_test",
    "crossed_bootstrap_ci",
]

# The modules whose source decides the statistics (their digests are recorded with the results).
MODULES = (intervals, survival, paired)
