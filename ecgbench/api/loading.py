"""``ecgbench.load``: a task's official split from the built TFDS dataset, as tf.data or NumPy arrays."""

from __future__ import annotations

import os

from ecgbench.runner.task_facts import task_facts


def load(task: str, split: str, *, as_numpy: bool = False, tfds_dir: str | os.PathLike | None = None):
    """Load one split of a task.

    Parameters
    ----------
    task : str
        A task, e.g. ``"beats-interpatient"``, ``"beats-intrapatient"``, ``"rhythm"``.
    split : {"train", "val", "test"}
        The split's role in the task (``beats-intrapatient`` has no ``val``). Train on ``train``,
        choose models and thresholds on ``val``, and score ``test`` once.
    as_numpy : bool
        False: a ``tf.data.Dataset`` of un-batched feature dicts in file order. True: a dict of
        NumPy arrays, one per feature, first axis the example.
    tfds_dir : path-like, optional
        Folder of built TFDS datasets; default ``$ECGBENCH_TFDS_DIR``, else ``~/ecgbench_data/tfds``.

    Returns
    -------
    tf.data.Dataset or dict of numpy.ndarray
        Beat tasks: ``signal`` ``[288, 2]`` float32 (mV, 0.3 s before to 0.5 s after the R peak at
        360 Hz), ``record`` (str), ``sample`` (R peak, samples), ``symbol``, ``label`` (0..4 =
        N, S, V, F, Q), ``rr_pre``, ``rr_post``, ``rr_local``, ``rr_average`` (s). Rhythm tasks:
        ``signal`` ``[window·360, 2]``, ``record``, ``start`` (first sample), ``label``. ``record``
        and ``sample``/``start`` are the keys :class:`ecgbench.Evaluator` matches predictions on.

    Raises
    ------
    ConfigError
        Unknown task or split role.
    DataNotFoundError
        The dataset is not built; the message names the command that builds it.
    """
    from ecgbench.data import to_numpy
    from ecgbench.data.loading import load_built_split

    facts = task_facts(task)
    ds = load_built_split(*facts.source(split), facts.split(split), tfds_dir)
    return to_numpy(ds) if as_numpy else ds
