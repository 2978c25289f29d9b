"""Train a Keras baseline and export it as an ONNX trained-model submission (``model.onnx`` + manifest).

The baseline (default ``cnn1d``) is trained exactly as ``ecgbench run baseline`` trains it (its
recipe, normaliser fitted on ``ds1_train``, model selection on ``ds1_val``), converted with tf2onnx,
and written with a manifest; ``ecgbench submit`` then evaluates it with onnxruntime.

    python examples/submission_onnx/export_baseline.py --tfds-dir /work/tfds --epochs 3
    ecgbench submit examples/submission_onnx --tfds-dir /work/tfds

or converts the trained model a baseline run saved with its record (no training; the ONNX
submission must then reproduce that run's figures, which checks the conversion end to end):

    python examples/submission_onnx/export_baseline.py \
        --from-run leaderboards/results/beats-interpatient/<run_id>

Tests call :func:`export_baseline` with a small synthetic track.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def export_baseline(name: str, data, out_dir: str | Path, epochs: int | None = None, seed: int | None = None) -> Path:
    """Train baseline ``name`` on ``data`` (:class:`ecgbench.runner.data.TrackData`) and write the ONNX submission."""
    from ecgbench.models.export import export_onnx
    from ecgbench.runner.beat import check_runner_options, fit_keras_on_splits, input_spec_for, load_with_recipe
    from ecgbench.runner.data import with_context

    loaded, recipe = load_with_recipe(name, seed, epochs, False, track="interpatient")
    data = with_context(data, check_runner_options(recipe, loaded.kind, str(loaded.recipe_path)))
    spec = input_spec_for(data, recipe, str(loaded.recipe_path))
    fitted = fit_keras_on_splits(loaded, spec, recipe, data.train, data.val)
    model, normalizer = fitted.model, fitted.normalizer
    out = Path(out_dir)
    inputs = {"signal": tuple(spec.signal_shape), "rr": (spec.n_rr,)}
    export_onnx(model, out / "model.onnx", inputs)
    manifest = {
        "name": f"{loaded.name}-onnx",
        "task": "beats-interpatient",
        "model": "model.onnx",
        "inputs": {k: list(v) for k, v in inputs.items()},
        "normalizer": normalizer.to_dict(),
        "trained_on": {"train": data.splits["train"], "val": data.splits["val"]},
        "seed": recipe.seed,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out


def export_run_artifacts(run_folder: str | Path, out_dir: str | Path) -> Path:
    """Convert the ``model.keras`` + ``normalizer.json`` a beat run saved into an ONNX submission.

    Parameters
    ----------
    run_folder : path-like
        A run's artefact folder, ``leaderboards/results/<task>/<run_id>/``, next to ``<run_id>.json``.
    out_dir : path-like
        Where ``model.onnx`` and ``manifest.json`` are written.
    """
    import keras

    from ecgbench.errors import DataNotFoundError
    from ecgbench.leaderboard.record import read_run_record
    from ecgbench.models.export import export_onnx

    run_folder = Path(run_folder)
    record_path = run_folder.with_suffix(".json")
    needed = [run_folder / "model.keras", run_folder / "normalizer.json", record_path]
    missing = [str(path) for path in needed if not path.is_file()]
    if missing:
        raise DataNotFoundError(f"run artefacts missing: {', '.join(missing)}; pass the folder of a run that saved its model")
    record = read_run_record(record_path)
    model = keras.models.load_model(run_folder / "model.keras")
    inputs = {tensor.name: tuple(int(n) for n in tensor.shape[1:]) for tensor in model.inputs}
    out = Path(out_dir)
    export_onnx(model, out / "model.onnx", inputs)
    manifest = {
        "name": f"{record['submission']['name']}-onnx",
        "task": record["task"],
        "model": "model.onnx",
        "inputs": {k: list(v) for k, v in inputs.items()},
        "normalizer": json.loads((run_folder / "normalizer.json").read_text()),
        "trained_on": {"train": record["dataset"]["splits"]["train"], "val": record["dataset"]["splits"]["val"]},
        "seed": record["seed"],
        "description": f"{record['submission']['name']} model of run {record['run_id']}, converted to ONNX with tf2onnx",
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="cnn1d")
    parser.add_argument("--tfds-dir", default=None, help="Built TFDS datasets (default $ECGBENCH_TFDS_DIR).")
    parser.add_argument("--out-dir", default=str(HERE))
    parser.add_argument("--epochs", type=int, default=None, help="Default: the baseline recipe's.")
    parser.add_argument("--from-run", default=None, help="Convert this run's saved model instead of training.")
    args = parser.parse_args()
    if args.from_run is not None:
        folder = export_run_artifacts(args.from_run, args.out_dir)
        print(f"wrote {folder / 'model.onnx'} and {folder / 'manifest.json'}")
        return

    from ecgbench.runner.data import load_track

    folder = export_baseline(args.baseline, load_track("interpatient", args.tfds_dir), args.out_dir, epochs=args.epochs)
    print(f"wrote {folder / 'model.onnx'} and {folder / 'manifest.json'}")


if __name__ == "__main__":
    main()
