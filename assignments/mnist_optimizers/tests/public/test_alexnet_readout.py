"""Public tests of alexnet_readout.py (part 4).

The grader takes the network ``load_alexnet()`` returns (torchvision's AlexNet; in the grader's sandbox
the ImageNet weights are absent, so it is torch's initialisation after ``torch.manual_seed(SEED)``),
reads its weights back as data and loads them into its own ``torchvision.models.alexnet``, so the
expected outputs are computed by the grader with torch on exactly the weights your functions use.
Inputs are seeded random images, prepared by the grader, so each read-out test depends only on its
own function. Tolerances: rtol 1e-4 and atol 1e-5 on the first layer's output, rtol 1e-3 and atol
1e-6 on the final layer's output and on the top-5 probabilities.
"""

import numpy as np
import pytest
import torch

from autograder.assertions import assert_array, assert_array_close
from autograder.worker.protocol import Tensor
from checks import IMAGE_SIZE, grader_alexnet, one_torch_thread, prepared_image

SEED = 0
IMAGES = 2


@pytest.fixture(scope="module")
def alexnet(submission):
    """(the submitted module, the network load_alexnet() returns, whether it is pretrained, the grader's copy of it)."""
    module = submission.module("alexnet_readout")
    one_torch_thread(module)
    module.torch.manual_seed(SEED)
    loaded = module.load_alexnet()
    assert isinstance(loaded, tuple) and len(loaded) == 2, f"load_alexnet() should return (model, pretrained), got {loaded!r}"
    model, pretrained = loaded
    return module, model, pretrained, grader_alexnet(submission.introspect("state_dict", model))


def inputs(seed):
    """Seeded prepared images (IMAGES, 3, 227, 227), float32, with the statistics of normalised photographs."""
    return np.random.default_rng(seed).normal(0, 1, size=(IMAGES, 3, IMAGE_SIZE, IMAGE_SIZE)).astype(np.float32)


@pytest.mark.graded(part="4", points=1)
def test_prepare_image_crops_pads_and_normalises(submission):
    """prepare_image centre-crops or zero-pads an RGB image to 227 x 227 and normalises it with ImageNet's statistics."""
    module = submission.module("alexnet_readout")
    rng = np.random.default_rng(3)
    for shape in ((240, 251, 3), (200, 181, 3), (227, 300, 3), (150, 227, 3)):
        image = rng.integers(0, 256, size=shape, dtype=np.uint8)
        prepared = module.prepare_image(image)
        assert_array(f"prepare_image(uint8 image of shape {shape})", prepared, shape=(3, IMAGE_SIZE, IMAGE_SIZE), kind="f")
        assert_array_close(f"prepare_image(uint8 image of shape {shape})", prepared, prepared_image(image), rtol=1e-5, atol=1e-5)


@pytest.mark.graded(part="4", points=1)
def test_the_first_convolutional_layer_gives_64_channels_of_56_by_56(alexnet):
    """first_conv_output on 227 x 227 images has shape (N, 64, 56, 56)."""
    module, model, _, _ = alexnet
    output = module.first_conv_output(model, Tensor(inputs(1)))
    assert_array("first_conv_output(model, images (2, 3, 227, 227))", output, shape=(IMAGES, 64, 56, 56), kind="f")


@pytest.mark.graded(part="4", points=1)
def test_the_first_convolutional_layer_output_matches_the_grader(alexnet):
    """first_conv_output equals the output of the network's features[0] computed by the grader with torch."""
    module, model, _, reference = alexnet
    images = inputs(2)
    output = module.first_conv_output(model, Tensor(images))
    with torch.inference_mode():
        expected = reference.features[0](torch.from_numpy(images)).numpy()
    assert_array_close("first_conv_output(model, images)", output, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.graded(part="4", points=1)
def test_the_final_layer_output_has_1000_values_matching_the_grader(alexnet):
    """final_layer_output gives the (N, 1000) logits of the network in eval mode, equal to the grader's."""
    module, model, _, reference = alexnet
    images = inputs(4)
    output = module.final_layer_output(model, Tensor(images))
    assert_array("final_layer_output(model, images (2, 3, 227, 227))", output, shape=(IMAGES, 1000), kind="f")
    with torch.inference_mode():
        expected = reference(torch.from_numpy(images)).numpy()
    assert_array_close("final_layer_output(model, images)", output, expected, rtol=1e-3, atol=1e-6)


@pytest.mark.graded(part="4", points=2)
def test_top5_gives_the_five_most_probable_classes_with_their_softmax_probabilities(alexnet, record_property):
    """top5 returns the five most probable classes, most probable first, with their softmax probabilities."""
    module, model, pretrained, reference = alexnet
    image = inputs(5)[0]
    answer = module.top5(model, Tensor(image))
    assert isinstance(answer, tuple) and len(answer) == 2, f"top5(model, image) should return (classes, probabilities), got {answer!r}"
    classes, probabilities = answer
    assert_array("top5: classes", classes, shape=(5,), kind="i")
    assert_array("top5: probabilities", probabilities, shape=(5,), kind="f")
    with torch.inference_mode():
        expected = torch.softmax(reference(torch.from_numpy(image)[None])[0].double(), dim=0).numpy()
    fifth = np.sort(expected)[-5]
    assert len(set(classes.tolist())) == 5, f"top5: expected five different classes, got {classes.tolist()}"
    assert_array_close("top5: the probabilities of the returned classes (softmax of the final layer)", probabilities, expected[classes],
                       rtol=1e-3, atol=1e-6)
    assert all(expected[c] >= fifth * (1 - 1e-3) for c in classes), (
        f"top5: the classes {classes.tolist()} have probabilities {expected[classes].tolist()}, but the five largest are "
        f"{np.sort(expected)[::-1][:5].tolist()} (classes {np.argsort(expected)[::-1][:5].tolist()})")
    assert all(np.diff(probabilities) <= 1e-6), f"top5: the probabilities should be in decreasing order, got {probabilities.tolist()}"
    weights = "ImageNet weights" if pretrained else "torchvision's initialisation (no ImageNet weights on the grading machine)"
    shown = ", ".join(f"{c}: {p:.6f}" for c, p in zip(classes.tolist(), probabilities.tolist()))
    record_property("output", f"top-5 classes with their probabilities {shown} ({weights})")
