"""Where the shared reference material (DfE specs, peer validators) is, for tests that use it.

Looked for in order: $CARELENS_SHARED, ``../shared`` beside this checkout, ``/work/shared``.
Tests that need it skip, saying why, when it is not found.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_CANDIDATES = [os.environ.get("CARELENS_SHARED"), REPO.parent / "shared", "/work/shared"]
SHARED = next((Path(p) for p in _CANDIDATES if p and Path(p).is_dir()), Path("/nonexistent/shared"))
SPECS = SHARED / "specs"
PEER_VALIDATE = SHARED / "tools" / "peer-validate"
