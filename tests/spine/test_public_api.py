"""Every package's `__all__` is exactly its public names (httpx's rule): nothing public by accident,
nothing exported that is not there."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

import workbook


def packages() -> list[str]:
    names = ["workbook"]
    names += [info.name for info in pkgutil.walk_packages(workbook.__path__, "workbook.") if info.ispkg]
    return sorted(names)


@pytest.mark.parametrize("name", packages())
def test_all_is_exactly_the_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    public = {
        member
        for member, value in vars(module).items()
        if not member.startswith("_") and not isinstance(value, ModuleType) and member != "annotations"
    }
    assert sorted(exported) == sorted(public), f"{name}: __all__ differs from its public names"
    assert len(exported) == len(set(exported)), f"{name}: __all__ lists a name twice"
