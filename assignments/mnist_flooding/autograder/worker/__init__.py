"""Code that runs inside the sandboxed worker process, and the wire format it shares with the grader.

This package imports only the standard library and numpy (torch and matplotlib lazily), so it
can be copied alone into the worker's runtime folder, away from the grader's tests and solutions.
"""
