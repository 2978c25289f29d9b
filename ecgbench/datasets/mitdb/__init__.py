"""TFDS dataset folder for the MIT-BIH Arrhythmia Database (``mitdb/beats``, ``mitdb/rhythm`` …)."""
