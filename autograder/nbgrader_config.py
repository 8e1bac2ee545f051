"""nbgrader configuration of the course.

The course directory is the repository: the masters in solutions/<NN_topic>/ are nbgrader's source
folder and the student chapters in chapters/<NN_topic>/ its release folder. The course tools
(`paramact release`, `paramact grade`, the tests) never run nbgrader here directly: they copy what they
need into a fresh temporary course directory and override `CourseDirectory.root`, so no gradebook,
submission or feedback is ever written into the repository.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "paramact"
c.CourseDirectory.root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "chapters"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# Exercise stubs: what a student sees where the solution was.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Only notebooks travel with a chapter; figures are drawn by the notebooks themselves.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# Grading runs untrusted code: bound each cell's run time.
c.ExecutePreprocessor.timeout = 300
c.Execute.timeout = 300
