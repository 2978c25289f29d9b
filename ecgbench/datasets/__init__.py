"""TFDS dataset folders shipped with ecgbench, one per PhysioNet database (``mitdb/``, ``svdb/``, ``vfdb/``).

Each folder is a TFDS dataset folder (builder, ``checksums.tsv``, dataset card, dummy data and a
builder test), importable as ``ecgbench.datasets.<db>`` and buildable with
``tfds build ecgbench/datasets/<db>`` from a checkout or ``ecgbench build-dataset`` from anywhere.
Code the builders share is in :mod:`ecgbench.datasets.common`; what one record becomes is in
:mod:`ecgbench.datasets.record_examples`, and :mod:`ecgbench.datasets.generation` (plain) and
:mod:`ecgbench.datasets.beam_generation` (Apache Beam, ``--runner beam``) write a config's splits.
"""
