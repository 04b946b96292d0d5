"""p2: CIFAR-10 classification with a convolutional network.

Design and train a CNN for the 10 classes of CIFAR-10 (32x32 colour images). Submit this file and
``p2_model.pkl``, the trained weights saved with ``torch.save(model.state_dict(), "p2_model.pkl")``.

How the grader uses them:
- it builds ``Net()`` (no arguments) and loads ``p2_model.pkl`` into it with
  ``torch.load(..., weights_only=True)``: save the state_dict, not the whole model;
- it calls the model in eval mode on float32 images (N, 3, 32, 32) with pixel values scaled to
  [0, 1] (no other normalisation: normalise inside the model if your recipe needs it) and expects
  logits (N, 10);
- the accuracy on the 10,000 test images earns the handout's tiers: above 90%: 15 points (10 extra),
  above 85%: 10 (5 extra), above 80%: 5, above 75%: 3.

Letters in shapes: N images, C channels, H and W height and width.
"""

import torch
from torch import nn

CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)
NUM_CLASSES = 10


class Net(nn.Module):
    """The CNN: built with no arguments; ``forward`` maps images (N, 3, 32, 32) in [0, 1] to logits (N, 10)."""

    def __init__(self):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        """Logits (N, 10) of images x (N, 3, 32, 32), float32 in [0, 1]."""
        raise NotImplementedError


def conv_block(in_channels, out_channels):
    """Conv2d(3x3, padding 1) -> BatchNorm2d -> ReLU: keeps H and W, maps in_channels to out_channels."""
    raise NotImplementedError


def train(model, train_loader, epochs, learning_rate, device):
    """Train ``model`` on the batches of ``train_loader`` (images (B, 3, 32, 32) in [0, 1], labels (B,)).

    Returns:
    - list of ``epochs`` mean training losses.
    """
    raise NotImplementedError


def accuracy(model, loader, device):
    """Fraction of the images of ``loader`` whose largest logit is their label."""
    model.eval()
    correct, count = 0, 0
    with torch.no_grad():
        for images, labels in loader:
            predicted = model(images.to(device)).argmax(dim=1).cpu()
            correct += int((predicted == labels).sum())
            count += len(labels)
    return correct / count


def main():
    """Train on CIFAR-10 and save ``p2_model.pkl``.

    The recipe: random crops (padding 4) and horizontal flips, SGD with Nesterov momentum 0.9 and
    weight decay 5e-4, a one-cycle learning rate peaking at 0.1, label smoothing 0.1, batch 128,
    30 epochs. It is meant for a GPU (a few minutes there); on a CPU an epoch takes many minutes.
    """
    import torchvision
    from torchvision import transforms

    device = "cuda" if torch.cuda.is_available() else "cpu"
    augment = transforms.Compose([transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip(), transforms.ToTensor()])
    train_set = torchvision.datasets.CIFAR10("data", train=True, download=True, transform=augment)
    test_set = torchvision.datasets.CIFAR10("data", train=False, download=True, transform=transforms.ToTensor())
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=128, shuffle=True, num_workers=2)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=500)
    torch.manual_seed(0)
    model = Net().to(device)
    train(model, train_loader, epochs=30, learning_rate=0.1, device=device)
    print(f"test accuracy: {accuracy(model, test_loader, device):.4f}")
    torch.save(model.cpu().state_dict(), "p2_model.pkl")


if __name__ == "__main__":
    main()
