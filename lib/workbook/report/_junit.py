"""junit.xml: what every CI system reads. One testsuite per notebook, one testcase per check.

Failures carry the check's detail as message, skips their reason, and each testcase's properties
hold its measured values. A notebook that ended without recording a check (it raised before the
checks were declared, or its kernel died) still shows as one errored testcase, so a CI system
never reads a broken notebook as "0 tests, all green".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..checks import CheckResult, CheckStatus, NotebookResults
from ..evidence import NotebookEntry, RunManifest
from ._figures import numeric_values

# Property values longer than this are cut: CI pages show them inline.
_MAX_PROPERTY = 500


def junit_xml(manifest: RunManifest, results: Mapping[str, NotebookResults]) -> str:
    from junitparser import JUnitXml, TestSuite

    document = JUnitXml(name=f"workbook {manifest.run_id}")
    for entry in manifest.notebooks:
        suite = TestSuite(entry.name)
        suite.timestamp = entry.started_at or manifest.started_at
        suite.hostname = str(manifest.host.get("hostname", ""))
        suite.add_property("status", entry.status)
        if entry.reason:
            suite.add_property("reason", entry.reason[:_MAX_PROPERTY])
        checks = list(results[entry.name].checks) if entry.name in results else []
        for check in checks:
            suite.add_testcase(_testcase(entry.name, check))
        if not checks and entry.status != "passed":
            suite.add_testcase(_notebook_case(entry))
        suite.update_statistics()
        suite.time = float(entry.duration_s or sum(check.duration_s for check in checks))
        document.add_testsuite(suite)
    document.update_statistics()
    document.time = float(manifest.duration_s or 0.0)
    text: bytes = document.tostring()
    return '<?xml version="1.0" encoding="utf-8"?>\n' + text.decode()


def _testcase(notebook: str, check: CheckResult) -> Any:
    from junitparser import Error, Failure, Properties, Property, Skipped, TestCase

    case = TestCase(check.id, classname=f"workbook.{notebook}", time=check.duration_s)
    properties = Properties()  # first: Surefire and Jenkins put a testcase's properties before its result
    for name, value in _properties(check):
        properties.add_property(Property(name, value))
    case.append(properties)
    if check.status is CheckStatus.FAIL:
        case.result = [Failure(check.detail or "failed", "fail")]
    elif check.status is CheckStatus.ERROR:
        # The error's type is its reason class (unreachable, auth, dialect, setup, internal): CI pages
        # show "could not check" apart from a <failure>, which only evidence against the platform makes.
        reason = check.reason.value if check.reason else "internal"
        case.result = [Error(check.detail or "error", reason)]
    elif check.status is CheckStatus.SKIP:
        case.result = [Skipped(check.detail or "skipped")]
    return case


def _notebook_case(entry: NotebookEntry) -> Any:
    from junitparser import Error, TestCase

    case = TestCase("notebook", classname=f"workbook.{entry.name}", time=float(entry.duration_s or 0.0))
    case.result = [Error(entry.reason or entry.status, entry.exception_class or entry.status)]
    return case


def _properties(check: CheckResult) -> list[tuple[str, str]]:
    pairs = [("title", check.title), ("service", check.service), ("severity", check.severity.value)]
    if check.reason:
        pairs.append(("reason", check.reason.value))
    if check.remedy:
        pairs.append(("remedy", check.remedy))
    pairs += [(f"measured.{name}", f"{value:.10g}") for name, value in numeric_values(check.measured)]
    for key, value in check.measured.items():
        if isinstance(value, bool):
            pairs.append((f"measured.{key}", json.dumps(value)))
        elif isinstance(value, str):
            pairs.append((f"measured.{key}", value))
    return [(name, str(value)[:_MAX_PROPERTY]) for name, value in pairs]
