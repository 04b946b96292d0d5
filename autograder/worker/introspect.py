"""Trusted helpers that run inside the worker and describe the submission's objects as plain data.

The grader cannot receive a torch module or a matplotlib figure (nothing is unpickled), so
it asks these helpers for what a course staff member would look at: a model's layers and
parameter counts, a figure's axes, labels and curves. A submission can only misreport facts
about its own objects this way; it cannot change which tests run or their verdicts.
"""

CONFIG_KEYS = {
    "Conv2d": ("in_channels", "out_channels", "kernel_size", "stride", "padding"),
    "Linear": ("in_features", "out_features"),
    "MaxPool2d": ("kernel_size", "stride"),
    "AvgPool2d": ("kernel_size", "stride"),
    "BatchNorm1d": ("num_features",),
    "BatchNorm2d": ("num_features",),
    "Dropout": ("p",),
    "Flatten": ("start_dim", "end_dim"),
}


def plain(value):
    """Tuples become lists so configurations read the same whatever their source."""
    return list(value) if isinstance(value, tuple) else value


def layer_config(layer):
    """The hyper-parameters of one layer that an architecture test looks at."""
    kind = type(layer).__name__
    config = {key: plain(getattr(layer, key)) for key in CONFIG_KEYS.get(kind, ())}
    if kind == "Linear":
        config["bias"] = layer.bias is not None
    return config


def count_parameters(module, trainable_only=False):
    """Number of scalar parameters of a torch module."""
    return int(sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only))


def torch_module_summary(module):
    """Describe a torch module.

    Returns {"type": str, "num_parameters": int, "trainable_parameters": int, "layers": [
    {"type": str, "config": dict, "num_parameters": int}, ...]} with the leaf modules in order.
    """
    import torch

    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"expected a torch.nn.Module, got {type(module).__name__}")
    leaves = [m for m in module.modules() if not list(m.children())]
    return {
        "type": type(module).__name__,
        "num_parameters": count_parameters(module),
        "trainable_parameters": count_parameters(module, trainable_only=True),
        "layers": [
            {"type": type(leaf).__name__, "config": layer_config(leaf), "num_parameters": count_parameters(leaf)}
            for leaf in leaves
        ],
    }


def figure_summary(figure):
    """Describe a matplotlib figure.

    Returns {"axes": [{"title", "xlabel", "ylabel", "legend": [str] or None,
    "lines": [{"label": str, "x": [float], "y": [float]}]}]}.
    """
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        raise TypeError(f"expected a matplotlib Figure, got {type(figure).__name__}")
    axes = []
    for ax in figure.get_axes():
        legend = ax.get_legend()
        axes.append({
            "title": ax.get_title(),
            "xlabel": ax.get_xlabel(),
            "ylabel": ax.get_ylabel(),
            "legend": [text.get_text() for text in legend.get_texts()] if legend is not None else None,
            "lines": [
                {"label": str(line.get_label()), "x": [float(v) for v in line.get_xdata()], "y": [float(v) for v in line.get_ydata()]}
                for line in ax.get_lines()
            ],
        })
    return {"axes": axes}


def state_dict(module):
    """A torch module's state as {name: numpy array}."""
    return {name: tensor.detach().cpu().numpy() for name, tensor in module.state_dict().items()}


# Standard torch.nn layers the grader can rebuild (``autograder.accuracy.rebuild``): their constructor's
# arguments, read from the layer's attributes of the same names. ``bias`` (Linear, Conv2d) is whether the
# layer has one. The grader runs these layers with its own torch; anything else is not rebuilt.
REBUILD_ARGS = {
    "Linear": ("in_features", "out_features", "bias"),
    "Conv2d": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode"),
    "MaxPool2d": ("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    "AvgPool2d": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
    "AdaptiveAvgPool2d": ("output_size",),
    "AdaptiveMaxPool2d": ("output_size",),
    "BatchNorm1d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "BatchNorm2d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "Dropout": ("p",),
    "Dropout1d": ("p",),
    "Dropout2d": ("p",),
    "Flatten": ("start_dim", "end_dim"),
    "Identity": (),
    "ReLU": (),
    "ReLU6": (),
    "LeakyReLU": ("negative_slope",),
    "ELU": ("alpha",),
    "GELU": ("approximate",),
    "SiLU": (),
    "Sigmoid": (),
    "Tanh": (),
    "Softplus": ("beta", "threshold"),
    "Softmax": ("dim",),
    "LogSoftmax": ("dim",),
}


def layer_arguments(layer, kind):
    """The constructor arguments of a standard layer of type ``kind`` (see REBUILD_ARGS), as plain data."""
    arguments = {}
    for key in REBUILD_ARGS[kind]:
        value = getattr(layer, key, None)
        arguments[key] = (value is not None) if key == "bias" else plain(value)
    return arguments


def layer_chain(module):
    """Describe a torch module as the chain of its leaf layers, for the grader to rebuild and run itself.

    Containers are walked in the order of their registered children, a layer registered twice counted
    twice, so that for an nn.Sequential (nested ones included) the chain is the forward pass.

    Returns {"type": qualified type of ``module``, "containers": [qualified type of each module that has
    children, ``module`` first], "layers": [{"name": qualified name (the state_dict prefix), "type": class
    name, "standard": whether it is torch.nn's own class of that name and listed in REBUILD_ARGS,
    "args": its constructor arguments when standard, else {}}, ...]}.
    """
    import torch

    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"expected a torch.nn.Module, got {type(module).__name__}")
    containers, layers = [], []

    def walk(current, prefix, depth):
        children = [(name, child) for name, child in current._modules.items() if child is not None]
        if not children:
            kind = type(current).__name__
            standard = kind in REBUILD_ARGS and type(current) is getattr(torch.nn, kind, None)
            layers.append({"name": prefix.rstrip("."), "type": kind, "standard": standard,
                           "args": layer_arguments(current, kind) if standard else {}})
            return
        containers.append(type_name(current))
        if depth > 32:
            raise ValueError("modules nested more than 32 deep")
        for name, child in children:
            walk(child, f"{prefix}{name}.", depth + 1)

    walk(module, "", 0)
    return {"type": type_name(module), "containers": containers, "layers": layers}


def load_state(module, state):
    """Load ``state`` ({name: tensor}, every entry of the module's state_dict) into a torch module; returns the number loaded."""
    module.load_state_dict(state, strict=True)
    return len(state)


def npz_arrays(filename):
    """The arrays of a submitted .npz file in the worker's folder, as {name: numpy array}.

    Read with ``allow_pickle=False``: a file holding object arrays is refused, with numpy's message.
    """
    import numpy as np

    with np.load(filename, allow_pickle=False) as stored:
        return {name: stored[name] for name in stored.files}


def load_weights(module, filename):
    """Load a submitted state_dict file into a torch module and put the module in eval mode.

    The file is read with ``torch.load(filename, weights_only=True, map_location="cpu")``, which
    refuses anything but tensors and plain containers (a pickled whole model included).

    Returns:
    - the number of tensors loaded.
    """
    import torch

    try:
        state = torch.load(filename, weights_only=True, map_location="cpu")
    except Exception as exc:
        raise ValueError(f"{filename} could not be read as a state_dict (torch.load with weights_only=True): "
                         f"{type(exc).__name__}: {str(exc)[:300]}; save it with torch.save(model.state_dict(), ...)") from None
    if not isinstance(state, dict):
        raise ValueError(f"{filename} holds a {type(state).__name__}, not a state_dict; save it with torch.save(model.state_dict(), ...)")
    module.load_state_dict(state)
    module.eval()
    return len(state)


def type_name(value):
    """The qualified type name of a value, e.g. "torch.nn.modules.container.Sequential"."""
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


HELPERS = {
    "torch_module_summary": torch_module_summary,
    "figure_summary": figure_summary,
    "state_dict": state_dict,
    "type_name": type_name,
    "npz_arrays": npz_arrays,
    "load_weights": load_weights,
    "layer_chain": layer_chain,
    "load_state": load_state,
}
