"""TFDS dataset builders of ecgbench, one folder per PhysioNet database (svdb, vfdb; mitdb in ``datasets/``)."""
