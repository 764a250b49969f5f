from __future__ import annotations

from pipeline.paths import RAW

# The founding article ships in data/raw/ (CC BY 4.0, see data/raw/_ATTRIBUTION.md) with its sidecar.
SEED = RAW
