"""resnet1d baseline: a small 1-D residual network on the beat window, fused with the RR vector.

Signal branch: a stem convolution, then residual blocks of two convolutions (batch norm, ReLU)
with identity shortcuts (1×1 convolution where the width or stride changes), after Hannun et al.
(2019), scaled down for 288-sample beat windows; global average pooling and dropout. RR branch
and head as in ``cnn1d``: a dense layer over the standardised RR vector, concatenation, a dense
layer with dropout, and a five-way softmax (N, S, V, F, Q).

Recipe options: ``leads`` (channel indices; default MLII only, as the second MIT-BIH lead varies
between records), ``stem_filters``, ``blocks`` (list of ``[filters, stride]``), ``kernel``,
``feature_dropout``, ``rr_units``, ``head_units``, ``head_dropout``.

References
----------
He K, Zhang X, Ren S, Sun J. Deep residual learning for image recognition. CVPR (2016).
Hannun AY, Rajpurkar P, Haghpanahi M, et al. Cardiologist-level arrhythmia detection and
classification in ambulatory electrocardiograms using a deep neural network. Nat Med 25:65-69 (2019).
"""

from __future__ import annotations

DEFAULTS = {
    "leads": [0],
    "stem_filters": 32,
    "blocks": [[32, 1], [32, 2], [64, 2], [64, 2]],
    "kernel": 7,
    "feature_dropout": 0.3,
    "rr_units": 16,
    "head_units": 64,
    "head_dropout": 0.3,
}


def _residual_block(x, filters: int, stride: int, kernel: int):
    import keras

    shortcut = x
    y = keras.layers.Conv1D(filters, kernel, strides=stride, padding="same", use_bias=False)(x)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.ReLU()(y)
    y = keras.layers.Conv1D(filters, kernel, padding="same", use_bias=False)(y)
    y = keras.layers.BatchNormalization()(y)
    if stride != 1 or shortcut.shape[-1] != filters:
        shortcut = keras.layers.Conv1D(filters, 1, strides=stride, use_bias=False)(shortcut)
        shortcut = keras.layers.BatchNormalization()(shortcut)
    return keras.layers.ReLU()(keras.layers.Add()([y, shortcut]))


def build_model(input_spec, recipe):
    """Return the uncompiled Keras model ``{"signal", "rr"} → [B, 5]`` softmax."""
    import keras

    options = {**DEFAULTS, **recipe.options}
    signal = keras.Input(shape=input_spec.signal_shape, name="signal")
    rr = keras.Input(shape=(input_spec.n_rr,), name="rr")
    x = keras.ops.take(signal, options["leads"], axis=-1)
    x = keras.layers.Conv1D(options["stem_filters"], options["kernel"], padding="same", use_bias=False)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU()(x)
    for filters, stride in options["blocks"]:
        x = _residual_block(x, int(filters), int(stride), options["kernel"])
    x = keras.layers.GlobalAveragePooling1D()(x)
    x = keras.layers.Dropout(options["feature_dropout"])(x)
    r = keras.layers.Dense(options["rr_units"], activation="relu")(rr)
    h = keras.layers.Concatenate()([x, r])
    h = keras.layers.Dense(options["head_units"], activation="relu")(h)
    h = keras.layers.Dropout(options["head_dropout"])(h)
    output = keras.layers.Dense(input_spec.n_classes, activation="softmax", name="probabilities")(h)
    return keras.Model({"signal": signal, "rr": rr}, output, name="resnet1d")
