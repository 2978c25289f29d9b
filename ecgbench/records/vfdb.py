"""VFDB rhythm names, the rhythm classes of ``vfdb/rhythm`` and the AHA shockable groups.

The MIT-BIH Malignant Ventricular Ectopy Database (VFDB) has rhythm annotations only (``+`` with
``aux_note`` such as ``"(VT"``). Its names extend MIT-BIH's: ``VF`` and ``VFIB`` (ventricular
fibrillation), ``VFL`` (ventricular flutter), ``ASYS`` (asystole), ``NOISE``, ``NSR`` (normal
sinus rhythm, as ``N``), ``BI`` (first-degree block), ``HGEA`` (high-grade ventricular ectopic
activity), ``PM`` (pacemaker), ``VER`` (ventricular escape rhythm).

**AHA groups** (Kerber et al. 1997, the performance goals for automatic external defibrillators):
``VF`` = coarse ventricular fibrillation and flutter (``VF``, ``VFIB``, ``VFL``), shockable;
``VT`` = ventricular tachycardia, shockable (the annotations do not give its rate, so every
``VT`` episode counts); ``NOISE`` = unreadable signal, scored as non-shockable by the alarm task
but kept apart here; every other rhythm (``N``, ``AFIB``, ``ASYS`` …) is ``NONSHOCK``.

References
----------
Kerber RE et al. Automatic external defibrillators for public access defibrillation:
recommendations for specifying and reporting arrhythmia analysis algorithm performance.
Circulation 95(6):1677-1682 (1997).
"""

from __future__ import annotations

#: Rhythm classes of ``vfdb/rhythm``; the integer label of a class is its index here.
VFDB_RHYTHM_CLASSES: tuple[str, ...] = ("N", "AFIB", "VT", "VFL", "VF", "ASYS", "NOISE", "B", "SVTA", "OTHER")
#: Rhythm names mapped onto another class (the rest keep their own class or become ``OTHER``).
_ALIASES = {"NSR": "N", "VFIB": "VF"}
#: AHA shockable-rhythm groups (see the module docstring).
AHA_GROUPS: tuple[str, ...] = ("VF", "VT", "NONSHOCK", "NOISE")
#: Rhythm names of ventricular fibrillation and flutter (EC57 / ``epicmp -V`` VF episodes).
VF_RHYTHMS: frozenset[str] = frozenset({"VF", "VFIB", "VFL"})


def vfdb_rhythm_class(rhythm: str) -> str:
    """Return the ``vfdb/rhythm`` class of a rhythm name (``"VFIB"`` → ``"VF"``, ``"HGEA"`` → ``"OTHER"``)."""
    name = _ALIASES.get(rhythm, rhythm)
    return name if name in VFDB_RHYTHM_CLASSES else "OTHER"


def aha_group(rhythm: str) -> str:
    """Return the AHA group of a rhythm name: ``"VF"``, ``"VT"``, ``"NOISE"`` or ``"NONSHOCK"``."""
    if rhythm in VF_RHYTHMS:
        return "VF"
    if rhythm in ("VT", "NOISE"):
        return rhythm
    return "NONSHOCK"
