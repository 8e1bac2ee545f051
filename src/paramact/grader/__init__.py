"""The grader: runs outside the student's kernel and decides points (``paramact grade``, ``paramact check``).

- :mod:`~paramact.grader.jail`: the kernel's jail (bubblewrap, cgroups) and its limits;
- :mod:`~paramact.grader.launcher`: the kernel's launcher, which limits itself and becomes bubblewrap;
- :mod:`~paramact.grader.sandbox`: running a notebook in that kernel, a cell at a time;
- :mod:`~paramact.grader.notebook`: the graded notebook, built from the master;
- :mod:`~paramact.grader.key`: a chapter's key (the master's records); :mod:`~paramact.grader.submission`:
  reading a submission and rebuilding its answers on the master;
- :mod:`~paramact.grader.scoring` and :mod:`~paramact.grader.diagnosis`: judging records outside the kernel;
- :mod:`~paramact.grader.scan`: method rules, as flags for the instructor;
- :mod:`~paramact.grader.grading`: one submission, scored and regraded; :mod:`~paramact.grader.batch`: a
  folder of them in parallel (``paramact grade``); :mod:`~paramact.grader.reports`: its files;
- :mod:`~paramact.grader.selfcheck`: ``paramact check``; :mod:`~paramact.grader.nbgrader_autograde`: stock nbgrader.
"""
