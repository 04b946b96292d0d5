"""A fixed rule that names a training history "underfitting", "overfitting" or "generalizing".

The history holds one value per epoch of the training loss and accuracy (over the epoch's
mini-batches) and of the validation loss and accuracy (after the epoch). With E the last epoch,
the verdict is the first of these that applies:

1. "underfitting" when the network has not yet fitted its training data:
   - any loss is NaN or infinite (training diverged), or
   - the training accuracy at E is below TRAIN_ACCURACY_FLOOR = 0.8, or
   - the training loss still fell by more than STILL_LEARNING_DROP = 0.1 (10%) over epoch E, that is
     train_loss[E] < 0.90 * train_loss[E - 1] (needs two epochs or more).
2. "overfitting" when, having fitted the training data, it does clearly better there than on
   unseen data:
   - the training accuracy at E exceeds the validation accuracy by more than ACCURACY_GAP = 0.05 (5 points), or
   - the validation loss at E exceeds its smallest value by more than VAL_LOSS_RISE = 0.2 (20%)
     (val_loss[E] > 1.20 * min(val_loss)) while the training loss at E is below its value at the
     epoch of that smallest validation loss.
3. "generalizing" otherwise: the training data is fitted, training has levelled off, and the
   validation metrics follow the training ones.

Underfitting is tested first: while the training loss still falls steeply, a rise of the
validation loss over a few epochs is more likely noise than a sign of memorising. For the same
reason the validation loss must rise by a fifth before it counts: with plain SGD it wobbles by up
to about 8% from one epoch to the next on a network that generalizes well.
"""

import math

JUDGEMENTS = ("underfitting", "overfitting", "generalizing")
TRAIN_ACCURACY_FLOOR = 0.8
STILL_LEARNING_DROP = 0.1
ACCURACY_GAP = 0.05
VAL_LOSS_RISE = 0.2
KEYS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")


def read_history(history):
    """The four curves of ``history`` as lists of floats of one common, non-zero length E.

    Inputs:
    - history: dict with keys train_loss, val_loss, train_accuracy, val_accuracy, each a sequence (E,).

    Returns:
    - dict {key: list of E floats}.

    Raises ValueError when a key is missing or the lengths differ or are zero.
    """
    missing = [key for key in KEYS if key not in history]
    if missing:
        raise ValueError(f"a training history needs the keys {list(KEYS)}; missing: {missing}")
    curves = {key: [float(value) for value in history[key]] for key in KEYS}
    lengths = {len(values) for values in curves.values()}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(f"expected the four curves to have the same non-zero length, got lengths "
                         f"{ {key: len(values) for key, values in curves.items()} }")
    return curves


def is_underfitting(curves):
    """Rule 1: diverged, below the training-accuracy floor, or training loss still falling steeply."""
    losses = curves["train_loss"] + curves["val_loss"]
    if not all(math.isfinite(loss) for loss in losses):
        return True
    train_loss = curves["train_loss"]
    still_learning = len(train_loss) >= 2 and train_loss[-1] < (1 - STILL_LEARNING_DROP) * train_loss[-2]
    return curves["train_accuracy"][-1] < TRAIN_ACCURACY_FLOOR or still_learning


def is_overfitting(curves):
    """Rule 2: a large final train-validation accuracy gap, or a validation loss rising while training loss falls."""
    gap = curves["train_accuracy"][-1] - curves["val_accuracy"][-1]
    val_loss, train_loss = curves["val_loss"], curves["train_loss"]
    best = min(range(len(val_loss)), key=val_loss.__getitem__)
    rising = val_loss[-1] > (1 + VAL_LOSS_RISE) * val_loss[best] and train_loss[-1] < train_loss[best]
    return gap > ACCURACY_GAP or rising


def judge_learning_curve(history):
    """The rule's verdict on a training history (see the module docstring).

    Inputs:
    - history: dict with keys train_loss, val_loss, train_accuracy, val_accuracy, each a list of
      E floats, one per epoch (what PyTorchANN.train returns).

    Returns:
    - "underfitting", "overfitting" or "generalizing".
    """
    curves = read_history(history)
    if is_underfitting(curves):
        return "underfitting"
    if is_overfitting(curves):
        return "overfitting"
    return "generalizing"
