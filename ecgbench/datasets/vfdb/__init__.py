"""TFDS builder of the MIT-BIH Malignant Ventricular Ectopy Database (``vfdb/rhythm``, ``vfdb/episodes``)."""
