"""Problem 4: reading out AlexNet's layers (torchvision's AlexNet).

torchvision's AlexNet maps normalised RGB images (N, 3, 227, 227) to 1000 ImageNet class scores:
``model.features`` (five Conv2d layers with ReLU and max-pooling), ``model.avgpool``, then
``model.classifier`` (Dropout, Linear, ReLU, ..., Linear(4096, 1000)). Its first layer,
``model.features[0]``, is Conv2d(3, 64, kernel_size=11, stride=4, padding=2): on a 227 x 227 image
it gives 64 channels of (227 + 2*2 - 11) / 4 + 1 = 56 x 56 values.

The ImageNet weights (``AlexNet_Weights.IMAGENET1K_V1``) are used when their file is already in
torch's checkpoint folder (``torch.hub.get_dir()``/checkpoints); nothing is downloaded, and without
them the network keeps torchvision's random initialisation (the read-out works the same, the
classes it predicts mean nothing). The grader runs every function below on a network whose weights
it reads back, and computes the expected answers itself with torch.

Letters in shapes: N images, H x W pixels.

Run ``python alexnet_readout.py image.png ...`` to run the public tests of this file, then read out
the given images: the first layer's output shape, one of its channels shown with ``imshow``
(saved to ``alexnet_channel.png``), the final layer's size and the top-5 classes of each image.
"""

import os
import sys

import matplotlib.pyplot as plt
import numpy as np
import torch
import torchvision

IMAGE_SIZE = 227
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CHANNEL_PLOT = "alexnet_channel.png"


def load_alexnet():
    """torchvision's AlexNet in eval mode, with the ImageNet weights when their file is already on this machine.

    Returns:
    - (model, pretrained): the nn.Module and whether the ImageNet weights were loaded.
    """
    weights = torchvision.models.AlexNet_Weights.IMAGENET1K_V1
    checkpoint = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(weights.url))
    pretrained = os.path.isfile(checkpoint)
    model = torchvision.models.alexnet(weights=weights if pretrained else None)
    return model.eval(), pretrained


def prepare_image(image):
    """An RGB image as AlexNet's input: centre-cropped or zero-padded to 227 x 227, scaled and normalised.

    Each side longer than 227 keeps its central 227 pixels (starting at (length - 227) // 2); each
    side shorter than 227 is padded with black (zero) pixels, (227 - length) // 2 before and the
    rest after. The pixels are then divided by 255 and each channel c becomes
    (value - IMAGENET_MEAN[c]) / IMAGENET_STD[c].

    Inputs:
    - image: uint8 array (H, W, 3), channels last.

    Returns:
    - float32 tensor (3, 227, 227), channels first.
    """
    raise NotImplementedError


def first_conv_output(model, images):
    """The output of AlexNet's first convolutional layer (``model.features[0]``, before its ReLU).

    Inputs:
    - model: torchvision's AlexNet.
    - images: float32 tensor (N, 3, 227, 227) of prepared images.

    Returns:
    - float32 tensor (N, 64, 56, 56), computed without gradients.
    """
    raise NotImplementedError


def final_layer_output(model, images):
    """The output of AlexNet's final layer: the 1000 class scores (logits, before any softmax), in eval mode.

    Inputs:
    - model: torchvision's AlexNet.
    - images: float32 tensor (N, 3, 227, 227) of prepared images.

    Returns:
    - float32 tensor (N, 1000), computed in eval mode (no dropout) without gradients.
    """
    raise NotImplementedError


def top5(model, image):
    """The five most probable classes of one image, by the softmax of the final layer's output.

    Inputs:
    - model: torchvision's AlexNet.
    - image: float32 tensor (3, 227, 227) of one prepared image.

    Returns:
    - (classes, probabilities): int64 tensor (5,) of ImageNet class indices, most probable first,
      and float32 tensor (5,) of their softmax probabilities.
    """
    raise NotImplementedError


def main(paths):
    """Read out AlexNet on the images at ``paths`` (PNG or JPEG files): shapes, one channel plotted, top-5 classes."""
    model, pretrained = load_alexnet()
    print("ImageNet weights loaded" if pretrained else "ImageNet weights not found: AlexNet keeps its random initialisation")
    categories = torchvision.models.AlexNet_Weights.IMAGENET1K_V1.meta["categories"]
    images = []
    for path in paths:
        pixels = plt.imread(path)
        pixels = (pixels * 255).astype(np.uint8) if pixels.dtype.kind == "f" else pixels
        images.append(prepare_image(pixels[..., :3]))
    batch = torch.stack(images)
    first = first_conv_output(model, batch)
    print(f"first convolutional layer: output of shape {tuple(first.shape)}")
    print(f"final layer: output of shape {tuple(final_layer_output(model, batch).shape)}")
    figure, axes = plt.subplots(1, len(paths), figsize=(4 * len(paths), 4), squeeze=False)
    for ax, path, channels in zip(axes[0], paths, first):
        ax.imshow(channels[0].numpy(), cmap="gray")
        ax.set_title(f"{os.path.basename(path)}: channel 1 of 64")
    figure.savefig(CHANNEL_PLOT)
    for path, image in zip(paths, images):
        classes, probabilities = top5(model, image)
        print(f"{path}: " + "; ".join(f"{categories[c]} ({p:.4f})" for c, p in zip(classes.tolist(), probabilities.tolist())))


if __name__ == "__main__":
    from utils.local_tests import run_public_tests
    run_public_tests(__file__)
    if len(sys.argv) > 1:
        main(sys.argv[1:])
