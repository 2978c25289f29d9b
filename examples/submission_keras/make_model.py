"""Write the example trained-model submission: ``model.keras`` + ``manifest.json`` in this folder.

A deliberately small 1-D CNN (about 2,000 weights, a ~55 KB file) trained for a few epochs on
``ds1_train`` of the built ``mitdb/beats`` dataset, with the normaliser fitted on ``ds1_train``
written into the manifest. It exists to show the submission format, not to score well.

    python examples/submission_keras/make_model.py --tfds-dir /work/tfds
    ecgbench submit examples/submission_keras --tfds-dir /work/tfds

Tests call :func:`make_example` with small synthetic beats instead of the real split.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
INPUTS = {"signal": [288, 2], "rr": [7]}
SEED = 0


def build_model():
    """Return the small uncompiled Keras model ``{"signal", "rr"} → [B, 5]`` softmax."""
    import keras

    signal = keras.Input(shape=tuple(INPUTS["signal"]), name="signal")
    rr = keras.Input(shape=tuple(INPUTS["rr"]), name="rr")
    x = keras.layers.Conv1D(8, 7, strides=2, activation="relu")(signal)
    x = keras.layers.MaxPool1D(2)(x)
    x = keras.layers.Conv1D(16, 5, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    r = keras.layers.Dense(8, activation="relu")(rr)
    h = keras.layers.Concatenate()([x, r])
    return keras.Model({"signal": signal, "rr": rr}, keras.layers.Dense(5, activation="softmax")(h), name="example_cnn")


def make_example(out_dir: str | Path, train, epochs: int = 3, seed: int = SEED, name: str = "example-keras") -> Path:
    """Train the model on ``train`` (:class:`ecgbench.models.BeatArrays`) and write the submission folder.

    Returns the folder. The manifest declares ``ds1_train`` as the training split (what the CLI
    uses); tests pass synthetic beats shaped like it.
    """
    import keras

    from ecgbench.data import fit_normalizer
    from ecgbench.runner.data import interval_fields
    from ecgbench.runner.selection import class_weights

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(seed)
    normalizer = fit_normalizer(interval_fields(train), per_beat="median")
    features = normalizer.transform_arrays(interval_fields(train))
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    model.fit(features, train.label, batch_size=256, epochs=epochs, shuffle=True, verbose=0,
              class_weight=class_weights(np.asarray(train.label), "sqrt_class_weight", 5))  # fmt: skip
    model.save(out / "model.keras")
    manifest = {
        "name": name,
        "task": "beats-interpatient",
        "model": "model.keras",
        "inputs": INPUTS,
        "normalizer": normalizer.to_dict(),
        "trained_on": {"train": "ds1_train"},
        "seed": seed,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tfds-dir", default=None, help="Built TFDS datasets (default $ECGBENCH_TFDS_DIR).")
    parser.add_argument("--out-dir", default=str(HERE), help="Where model.keras and manifest.json go.")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()

    from ecgbench.data import load_split, to_numpy
    from ecgbench.runner.data import beat_arrays

    train = beat_arrays(to_numpy(load_split("ds1_train", "beats", args.tfds_dir)))
    folder = make_example(args.out_dir, train, epochs=args.epochs)
    print(f"wrote {folder / 'model.keras'} ({(folder / 'model.keras').stat().st_size} bytes) and {folder / 'manifest.json'}")


if __name__ == "__main__":
    main()
