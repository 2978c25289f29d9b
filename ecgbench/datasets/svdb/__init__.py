"""TFDS builder of the MIT-BIH Supraventricular Arrhythmia Database (``svdb/beats``)."""
