"""The dialects notebook 10 speaks to a character-reference backend, one module each (chosen by the
`dialect` parameter). `mvp1` is seed 001's backend (`very-bad-apples/mvp-1`, backend/), the default."""

from __future__ import annotations

from ._base import CharacterDialect, DialectOptions
from .mvp1 import Mvp1Dialect

DIALECTS: dict[str, type[CharacterDialect]] = {"mvp1": Mvp1Dialect}

__all__ = ["DIALECTS", "CharacterDialect", "DialectOptions", "Mvp1Dialect"]
