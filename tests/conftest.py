"""Shared fixtures. Reference data comes from ../shared beside the checkout (never copied here).

Tests that need it skip with a clear message when it is absent, except on CI, where its absence
is a failure: CI always has it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ANCHORS = SHARED / "anchors"
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = ROOT / "examples"


def anchor(*parts: str) -> Path:
    """A path under ../shared/anchors; skips (fails on CI) when ../shared is absent."""
    path = ANCHORS.joinpath(*parts)
    if not ANCHORS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{ANCHORS} is missing on CI")
        pytest.skip(f"reference data not available: {ANCHORS} is absent")
    assert path.exists(), f"{path} is missing from ../shared/anchors"
    return path
