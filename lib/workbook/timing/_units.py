"""The units every probe setting is expressed in, as validated types for pydantic settings.

Strict on purpose: `True` is not a count and `"5"` is not a number of seconds, even though
pydantic's lax mode would take both.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# A duration in seconds that must be positive and finite.
PositiveSeconds = Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
# A duration that may be zero (a warm-up that is skipped).
NonNegativeSeconds = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
# A number of things to do (requests, samples, calls): at least one.
Count = Annotated[int, Field(strict=True, ge=1)]
# A number of things that may be zero (0 skips that stage).
OptionalCount = Annotated[int, Field(strict=True, ge=0)]
# A share in [0, 1] (0.8 = 80 %).
Fraction = Annotated[float, Field(strict=True, ge=0, le=1)]
