"""cnn1d-rhythm baseline: a 1-D CNN on the raw rhythm window (lead 0), ten-way softmax.

The window (mV, per-window median removed by the runner) is averaged down by
``options["downsample"]`` (default 4: 360 → 90 Hz, enough for rhythm: QRS rate, RR pattern,
fibrillatory and flutter waves), optionally divided by its own standard deviation
(``options["standardize"]``: removes the recording's gain, which otherwise identifies the few
training records of a rhythm), then five convolution blocks (Conv1D → batch norm → ReLU →
max-pool 2). Global average *and* max pooling summarise the whole window (the average captures the
rhythm's texture, the max its most striking complex).

With ``options["envelope"]`` a second branch sees only the *timing* of the beats: the squared
first difference of the signal (QRS energy), averaged down by ``options["envelope_downsample"]``
(default 12: 30 Hz), log-compressed and standardised per window, then its own convolution stack
with a wide receptive field. The rhythm's regularity is then learnt from the beat train rather
than from morphology (the RR-interval channel of rhythm CNNs, computed inside the model so the
submission still takes the raw signal only). Both branches are concatenated before dropout and the
softmax. Works for any window length (4, 10, 30 s) since pooling is global.

Recipe options: ``leads`` (channel indices; default ``[0]``, MLII in 45 of 48 records),
``downsample``, ``filters``, ``kernels``, ``dropout``, ``standardize``, ``raw`` (false drops the
raw-signal branch; needs ``envelope``), ``envelope``,
``envelope_downsample``, ``envelope_filters``, ``envelope_kernels``.

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
    "standardize": False,
    "raw": True,
    "envelope": False,
    "envelope_downsample": 12,
    "envelope_filters": [16, 32, 32, 32],
    "envelope_kernels": [9, 9, 9, 9],
}
#: Added to variances and energies before dividing or taking logs (mV², keeps flat windows finite).
EPSILON = 1e-4


def _standardize(x):
    import keras

    mean = keras.ops.mean(x, axis=1, keepdims=True)
    std = keras.ops.sqrt(keras.ops.var(x, axis=1, keepdims=True) + EPSILON)
    return (x - mean) / std


def _conv_stack(x, filters, kernels):
    import keras

    for width, kernel in zip(filters, kernels, strict=True):
        x = keras.layers.Conv1D(width, kernel, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPool1D(2)(x)
    return keras.layers.Concatenate()([keras.layers.GlobalAveragePooling1D()(x), keras.layers.GlobalMaxPooling1D()(x)])


def build_model(input_spec, recipe):
    """Return the uncompiled Keras model ``{"signal": [B, samples, 2]} → [B, n_classes]`` softmax."""
    import keras

    options = {**DEFAULTS, **recipe.options}
    signal = keras.Input(shape=input_spec.signal_shape, name="signal")
    leads = keras.ops.take(signal, options["leads"], axis=-1)
    x = leads
    if int(options["downsample"]) > 1:
        x = keras.layers.AveragePooling1D(int(options["downsample"]))(x)
    if options["standardize"]:
        x = _standardize(x)
    branches = [_conv_stack(x, options["filters"], options["kernels"])] if options["raw"] else []
    if options["envelope"]:
        energy = keras.ops.square(leads[:, 1:, :] - leads[:, :-1, :])
        energy = keras.layers.AveragePooling1D(int(options["envelope_downsample"]))(energy)
        envelope = _standardize(keras.ops.log(energy + EPSILON))
        branches.append(_conv_stack(envelope, options["envelope_filters"], options["envelope_kernels"]))
    if not branches:
        raise ValueError("recipe options raw and envelope are both false: the model would see no input")
    x = branches[0] if len(branches) == 1 else keras.layers.Concatenate()(branches)
    x = keras.layers.Dropout(options["dropout"])(x)
    output = keras.layers.Dense(input_spec.n_classes, activation="softmax", name="probabilities")(x)
    return keras.Model({"signal": signal}, output, name="cnn1d_rhythm")
