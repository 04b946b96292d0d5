"""Helpers shared by the course's handouts and grading suites.

- ``utils.data``: Fashion-MNIST loading, caching, splitting and one-hot labels.
- ``utils.learning_curves``: the rule that names a training history underfitting, overfitting or generalizing.
- ``utils.gradient_check``: numerical gradients for checking a hand-written backward pass.
- ``utils.local_tests``: running a handout file's public tests and reading its training schedule.
"""
