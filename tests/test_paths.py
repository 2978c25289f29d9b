"""Every location is resolved in ``ecgbench.paths`` from an option, a variable or a default, never the cwd."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecgbench import paths


@pytest.mark.parametrize(
    ("resolve", "variable", "default"),
    [
        (paths.resolve_results_dir, "ECGBENCH_RESULTS_DIR", "ecgbench_data/leaderboards/results"),
        (paths.resolve_tfds_dir, "ECGBENCH_TFDS_DIR", "ecgbench_data/tfds"),
        (paths.resolve_data_dir, "ECGBENCH_DATA_DIR", "ecgbench_data"),
    ],
)
def test_option_beats_variable_beats_home_default(resolve, variable, default, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(variable, raising=False)
    assert resolve() == tmp_path / "home" / default
    monkeypatch.setenv(variable, "")  # empty counts as unset
    assert resolve() == tmp_path / "home" / default
    monkeypatch.setenv(variable, "~/elsewhere")
    assert resolve() == tmp_path / "home" / "elsewhere"
    assert resolve(tmp_path / "given") == tmp_path / "given"


def test_packaged_files_are_found_inside_the_package():
    from ecgbench.leaderboard.canonical import canonical_file
    from ecgbench.models.loader import baselines_dir, list_baselines
    from ecgbench.records.dataset import builder_path
    from ecgbench.records.physionet import checksums_path

    package = Path(paths.__file__).resolve().parent
    for path in (canonical_file(), checksums_path(), builder_path(), baselines_dir()):
        assert path.exists() and package in path.parents, path
    assert {"prior", "rr-lda", "cnn1d"} <= set(list_baselines())


def test_packaged_builder_keeps_the_tfds_name_and_configs():
    pytest.importorskip("tensorflow_datasets")
    from ecgbench.records.dataset import CONFIGS, builder_class

    builder = builder_class()
    assert builder.__module__ == "ecgbench.datasets.mitdb.mitdb_dataset_builder"
    assert builder.name == "mitdb" and str(builder.VERSION) == "1.0.0"
    assert tuple(c.name for c in builder.BUILDER_CONFIGS) == CONFIGS


def test_wheel_declares_the_packaged_files():
    """pyproject's package data covers every baseline and dataset file the code reads at run time."""
    import fnmatch
    import re
    import tomllib

    root = paths.repo_root()
    if not (root / "pyproject.toml").is_file():
        pytest.skip("not a source checkout")
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["ecgbench"]
    package = root / "ecgbench"
    needed = [p for sub in ("baselines", "datasets") for p in (package / sub).rglob("*")
              if p.is_file() and p.suffix not in (".pyc",) and "__pycache__" not in p.parts
              and not (p.suffix == ".py" and (p.parent / "__init__.py").is_file())]  # fmt: skip
    # setuptools' globs, unlike fnmatch, never let * cross a folder: baselines/*/*.json misses baselines/cnn1d/recipes/x.json
    globs = [re.compile(fnmatch.translate(pat).replace(".*", "[^/]*")) for pat in patterns]
    missing = [p for p in needed if not any(g.fullmatch(p.relative_to(package).as_posix()) for g in globs)]
    assert needed and not missing, f"not in [tool.setuptools.package-data]: {missing}"


def test_git_state_is_none_outside_a_checkout(tmp_path, monkeypatch):
    from ecgbench.leaderboard import provenance

    monkeypatch.setattr(provenance, "source_checkout", lambda: None)
    assert provenance.git_state() == {"sha": None, "dirty": None}
