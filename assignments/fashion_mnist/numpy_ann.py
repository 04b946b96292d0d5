"""A two-layer neural network written with numpy only, trained on Fashion-MNIST.

The network maps an image, flattened to D pixels, to probabilities over C classes:

    input (D) -> linear -> ReLU -> hidden (H) -> linear -> softmax -> probabilities (C)

and learns by mini-batch gradient descent on the cross-entropy loss. Labels are one-hot rows
(N, C) everywhere in this file.

Letters in shapes: N examples, D input features, H hidden units, C classes.

Run ``python numpy_ann.py`` to run the public tests of this file, then train the network on
Fashion-MNIST with the grading schedule's settings and print its test accuracy.
"""

import numpy as np

from utils.data import fashion_mnist_splits, one_hot
from utils.local_tests import training_schedule

NUM_CLASSES = 10


class NumpyANN:
    """A fully connected network with one ReLU hidden layer and a softmax output.

    Attributes:
    - input_size (D), hidden_size (H), output_size (C), lr (learning rate), seed.
    - W1 (D, H), b1 (1, H): weights and biases of the first layer.
    - W2 (H, C), b2 (1, C): weights and biases of the second layer.
    - z1, a1 (N, H), z2, a2 (N, C): values of the last forward pass run with training=True.
    - history: what the last call of ``train`` returned.
    """

    def __init__(self, input_size, hidden_size, output_size, lr, seed=0):
        """Store the sizes and the learning rate, and initialise the parameters.

        After ``np.random.seed(seed)``, W1 and then W2 are drawn with ``np.random.randn`` and
        scaled by 0.01, so they start small but not zero; both biases start at zero.

        Inputs:
        - input_size: D, the number of input features.
        - hidden_size: H, the number of hidden units.
        - output_size: C, the number of classes.
        - lr: learning rate of gradient descent.
        - seed: seed of numpy's global random generator.
        """
        raise NotImplementedError

    def _relu(self, x):
        """Rectified linear unit, elementwise: 0 where x < 0, x elsewhere.

        Inputs:
        - x: array of any shape.

        Returns:
        - array of x's shape.
        """
        raise NotImplementedError

    def _relu_grad(self, x):
        """Derivative of ReLU, elementwise: 0.0 where x <= 0, 1.0 elsewhere.

        Inputs:
        - x: array of any shape (the ReLU's input).

        Returns:
        - float array of x's shape.
        """
        raise NotImplementedError

    def _cross_entropy(self, y_true, y_pred):
        """Cross-entropy loss, divided by the number of classes and averaged over the examples.

        For one example the loss is -(1/C) * sum_c y_true[c] * log(y_pred[c]). Probabilities are
        clipped to [1e-12, 1] first, so a zero probability gives a large but finite loss. This is the
        loss ``train`` reports in its history; ``_backward`` differentiates the loss without the 1/C
        (see there).

        Inputs:
        - y_true: one-hot labels (N, C).
        - y_pred: predicted probabilities (N, C).

        Returns:
        - loss: float, the mean over the N examples.
        """
        raise NotImplementedError

    def _forward(self, X, training=True):
        """Forward pass: z1 = X W1 + b1, a1 = ReLU(z1), z2 = a1 W2 + b2, a2 = softmax(z2).

        The softmax subtracts each row's maximum before exponentiating, so large logits do not
        overflow. With training=True, store the four values as ``self.z1``, ``self.a1``, ``self.z2``
        and ``self.a2`` (``_backward`` and the tests read them under these names); with training=False,
        leave the stored ones as they are (``predict`` must not overwrite the last training pass).

        Inputs:
        - X: inputs (N, D).
        - training: whether to store z1, a1 (N, H) and z2, a2 (N, C) on the network.

        Returns:
        - a2: class probabilities (N, C); each row sums to 1.
        """
        raise NotImplementedError

    def _backward(self, X, y_true):
        """Backward pass and one gradient-descent step, after ``_forward(X, training=True)``.

        Gradients of the mean over the batch of -sum_c y_true log(a2), the cross-entropy NOT divided by
        C (``_cross_entropy``, which the history reports, is divided by C; differentiating that one would
        make every gradient C times smaller, and the tests expect these):
        dz2 = a2 - y_true, dW2 = a1^T dz2 / N, db2 = row sum of dz2 / N,
        dz1 = (dz2 W2^T) * ReLU'(z1), dW1 = X^T dz1 / N, db1 = row sum of dz1 / N.
        Each parameter then moves by -lr times its gradient (dz1 uses W2 before its update).

        Inputs:
        - X: the inputs (N, D) of the last forward pass.
        - y_true: their one-hot labels (N, C).

        Returns:
        - None; W1 (D, H), b1 (1, H), W2 (H, C) and b2 (1, C) are updated.
        """
        raise NotImplementedError

    def train(self, X_train, y_train, X_val, y_val, epochs, batch_size):
        """Mini-batch gradient descent, with the validation loss and accuracy after each epoch.

        Each epoch walks through the training set in order (no shuffling), in mini-batches of
        ``batch_size`` rows (the last one may be shorter); each mini-batch gets one
        ``_forward(training=True)`` and one ``_backward``.

        Inputs:
        - X_train: training inputs (N, D).
        - y_train: their one-hot labels (N, C).
        - X_val: validation inputs (M, D).
        - y_val: their one-hot labels (M, C).
        - epochs: number of passes over the training set.
        - batch_size: number of rows per mini-batch.

        Returns:
        - history: {"val_loss": [float per epoch], "val_accuracy": [float per epoch]}, also kept
          as ``self.history``. After each epoch, val_loss is ``self._cross_entropy(y_val, self.predict(X_val))``
          (the loss divided by C, as ``_cross_entropy`` defines it, although ``_backward`` descends the
          undivided one) and val_accuracy is ``self.accuracy(X_val, y_val)``.
        """
        raise NotImplementedError

    def predict(self, X):
        """Class probabilities, without storing the forward pass's intermediate values.

        Inputs:
        - X: inputs (N, D).

        Returns:
        - probabilities (N, C); each row sums to 1.
        """
        raise NotImplementedError

    def accuracy(self, X, y):
        """Fraction of examples whose most probable class is their true class.

        Inputs:
        - X: inputs (N, D).
        - y: one-hot labels (N, C).

        Returns:
        - accuracy: float in [0, 1].
        """
        raise NotImplementedError


def main():
    """Train a NumpyANN on all training images but the validation ones and print its test accuracy.

    The settings (hidden size, learning rate, epochs, batch size, seed, validation size) are the
    grading schedule's, read from ``assignment.toml`` next to this file.
    """
    schedule = training_schedule(__file__)
    splits = fashion_mnist_splits(train_size=None, val_size=schedule["val_size"], flatten=True)
    model = NumpyANN(splits["X_train"].shape[1], schedule["hidden_size"], NUM_CLASSES, schedule["learning_rate"], schedule["seed"])
    history = model.train(splits["X_train"], one_hot(splits["y_train"], NUM_CLASSES), splits["X_val"], one_hot(splits["y_val"], NUM_CLASSES),
                          schedule["epochs"], schedule["batch_size"])
    for epoch, (loss, accuracy) in enumerate(zip(history["val_loss"], history["val_accuracy"]), start=1):
        print(f"epoch {epoch}: validation loss {loss:.4f}, validation accuracy {accuracy:.4f}")
    print(f"test accuracy: {model.accuracy(splits['X_test'], one_hot(splits['y_test'], NUM_CLASSES)):.4f}")


if __name__ == "__main__":
    from utils.local_tests import run_public_tests
    run_public_tests(__file__)
    main()
