"""The fault-switch admin endpoint as a FastAPI router, for stand-ins built on FastAPI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, HTTPException

from ._faults import FAULTS_PATH, FaultSwitches


def faults_router(switches: FaultSwitches) -> APIRouter:
    router = APIRouter()

    @router.get(FAULTS_PATH)
    def get_faults() -> dict[str, Any]:
        return switches.snapshot()

    @router.put(FAULTS_PATH)
    def put_faults(changes: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008 - FastAPI idiom
        try:
            switches.update(changes)
        except ValueError as error:
            raise HTTPException(status_code=400, detail=str(error)) from error
        return switches.snapshot()

    @router.delete(FAULTS_PATH)
    def delete_faults() -> dict[str, Any]:
        switches.clear()
        return switches.snapshot()

    return router
