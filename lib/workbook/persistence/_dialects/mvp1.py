"""Seed 001's backend (`very-bad-apples/mvp-1` backend/routers/mv.py): routes under /api/mv, config/debug
with upper-case keys and the effective `cloud_serving_enabled` (SERVE_FROM_CLOUD and a bucket), job
assets under videos/{job_id}/ with intermediate folders."""

from __future__ import annotations

from typing import ClassVar

from ._base import CharacterDialect, DialectOptions


class Mvp1Dialect(CharacterDialect):
    name: ClassVar[str] = "mvp1"
    defaults: ClassVar[DialectOptions] = DialectOptions(
        generate_path="/api/mv/generate_character_reference",
        get_path="/api/mv/get_character_reference/{image_id}",
        config_path="/api/mv/config/debug",
        serving_keys=("cloud_serving_enabled", "SERVE_FROM_CLOUD"),
        # services/asset_persistence.py:105-165
        job_layout={
            "final": "final",
            "scenes": "intermediate/scenes",
            "audio": "intermediate/audio",
            "uploads": "intermediate/uploads",
            "character_reference": "intermediate/character_reference",
            "metadata.json": "intermediate/metadata.json",
            "script.json": "intermediate/script.json",
        },
        job_result_keys=("final_video", "scenes", "audio", "metadata", "script", "uploads", "character_references"),
    )
