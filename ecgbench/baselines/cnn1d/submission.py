"""cnn1d baseline: a small 1-D CNN on the beat window, fused with the RR-interval vector.

Signal branch: four convolution blocks (Conv1D → batch norm → ReLU → max-pool 2) over the
normalised beat window, global average pooling and dropout. RR branch: a dense layer over the
standardised RR vector (four intervals and three ratios to the record average; the ratios carry
the prematurity information that inter-patient SVEB detection depends on). The two are
concatenated, passed through a dense layer with dropout and a five-way softmax (N, S, V, F, Q).

Recipe options (``recipe.json`` → ``options``): ``leads`` (channel indices to use; MIT-BIH's second
lead differs between records — V1, V2, V4 or V5 — so the default uses MLII only), ``filters``,
``kernels``, ``feature_dropout``, ``head_units``, ``head_dropout``, ``rr_units``.

References
----------
Kiranyaz S, Ince T, Gabbouj M. Real-time patient-specific ECG classification by 1-D convolutional
neural networks. IEEE Trans Biomed Eng 63(3):664-675 (2016).
de Chazal P, O'Dwyer M, Reilly RB. Automatic classification of heartbeats using ECG morphology and
heartbeat interval features. IEEE Trans Biomed Eng 51(7):1196-1206 (2004).
"""

from __future__ import annotations

DEFAULTS = {
    "leads": [0],
    "filters": [16, 32, 64, 64],
    "kernels": [7, 5, 5, 3],
    "feature_dropout": 0.3,
    "rr_units": 16,
    "head_units": 64,
    "head_dropout": 0.3,
}


def build_model(input_spec, recipe):
    """Return the uncompiled Keras model ``{"signal", "rr"} → [B, 5]`` softmax."""
    import keras

    options = {**DEFAULTS, **recipe.options}
    signal = keras.Input(shape=input_spec.signal_shape, name="signal")
    rr = keras.Input(shape=(input_spec.n_rr,), name="rr")
    x = keras.ops.take(signal, options["leads"], axis=-1)
    for filters, kernel in zip(options["filters"], options["kernels"], strict=True):
        x = keras.layers.Conv1D(filters, kernel, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPool1D(2)(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    x = keras.layers.Dropout(options["feature_dropout"])(x)
    r = keras.layers.Dense(options["rr_units"], activation="relu")(rr)
    h = keras.layers.Concatenate()([x, r])
    h = keras.layers.Dense(options["head_units"], activation="relu")(h)
    h = keras.layers.Dropout(options["head_dropout"])(h)
    output = keras.layers.Dense(input_spec.n_classes, activation="softmax", name="probabilities")(h)
    return keras.Model({"signal": signal, "rr": rr}, output, name="cnn1d")
