"""Signal processing: filters (batch + streaming), QRS detection, beat features, delineation."""

from ecgbench.signal.features import BeatFeatures, beat_features, rr_features
from ecgbench.signal.filters import StreamingFilter, bandpass_sos, clean, notch_sos, remove_baseline
from ecgbench.signal.normalize import ZScore, robust_normalize, zscore_per_beat
from ecgbench.signal.qrs import QRS_METHODS, detect_qrs
from ecgbench.signal.qrs_online import OnlineQRSDetector, QRSDetectorConfig

__all__ = [
    "BeatFeatures", "OnlineQRSDetector", "QRSDetectorConfig", "QRS_METHODS", "StreamingFilter", "ZScore",
    "bandpass_sos", "beat_features", "clean", "detect_qrs", "notch_sos", "remove_baseline",
    "robust_normalize", "rr_features", "zscore_per_beat",
]  # fmt: skip

# Delineation (P/QRS/T onsets, peaks, offsets; batch and streaming).
from ecgbench.signal.delineation import Delineation, WaveletConfig, delineate  # noqa: E402
from ecgbench.signal.delineation_stream import StreamingDelineator  # noqa: E402

__all__ += ["Delineation", "StreamingDelineator", "WaveletConfig", "delineate"]
