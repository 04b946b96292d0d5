"""An autograder for deep-learning course assignments.

Student code runs only in sandboxed worker processes (``autograder.sandbox``); the grading
suites are pytest suites driven by the engine's plugin (``autograder.plugin``); results follow
the Gradescope specification (``autograder.results``).
"""
