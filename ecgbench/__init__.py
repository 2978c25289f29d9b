"""ecgbench: a reproducible ECG benchmark suite (MIT-BIH splits, EC57 scoring, baselines, streaming)."""

__version__ = "0.1.0"
