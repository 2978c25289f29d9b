"""cnn1d-rhythm baseline: a 1-D CNN on the raw rhythm window (lead 0), ten-way softmax.

The window (mV, per-window median removed by the runner) is averaged down by
``options["downsample"]`` (default 4: 360 → 90 Hz, enough for rhythm: QRS rate, RR pattern,
fibrillatory and flutter waves), then five convolution blocks (Conv1D → batch norm → ReLU →
max-pool 2). Global average *and* max pooling summarise the whole window (the average captures the
rhythm's texture, the max its most striking complex), then dropout and a softmax over the
rhythm classes. Works for any window length (4, 10, 30 s) since pooling is global.

Recipe options: ``leads`` (channel indices; default ``[0]``, MLII in 45 of 48 records),
``downsample``, ``filters``, ``kernels``, ``dropout``.

References
----------
Hannun AY, Rajpurkar P, Haghpanahi M, et al. Cardiologist-level arrhythmia detection and
classification in ambulatory electrocardiograms using a deep neural network. Nat Med 25:65-69 (2019)
(1-D CNN on raw single-lead rhythm windows).
Kiranyaz S, Ince T, Gabbouj M. Real-time patient-specific ECG classification by 1-D convolutional
neural networks. IEEE Trans Biomed Eng 63(3):664-675 (2016).
"""

from __future__ import annotations

DEFAULTS = {
    "leads": [0],
    "downsample": 4,
    "filters": [16, 32, 48, 64, 64],
    "kernels": [9, 7, 7, 5, 5],
    "dropout": 0.4,
}


def build_model(input_spec, recipe):
    """Return the uncompiled Keras model ``{"signal": [B, samples, 2]} → [B, n_classes]`` softmax."""
    import keras

    options = {**DEFAULTS, **recipe.options}
    signal = keras.Input(shape=input_spec.signal_shape, name="signal")
    x = keras.ops.take(signal, options["leads"], axis=-1)
    if int(options["downsample"]) > 1:
        x = keras.layers.AveragePooling1D(int(options["downsample"]))(x)
    for filters, kernel in zip(options["filters"], options["kernels"], strict=True):
        x = keras.layers.Conv1D(filters, kernel, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPool1D(2)(x)
    x = keras.layers.Concatenate()([keras.layers.GlobalAveragePooling1D()(x), keras.layers.GlobalMaxPooling1D()(x)])
    x = keras.layers.Dropout(options["dropout"])(x)
    output = keras.layers.Dense(input_spec.n_classes, activation="softmax", name="probabilities")(x)
    return keras.Model({"signal": signal}, output, name="cnn1d_rhythm")
