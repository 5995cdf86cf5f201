"""Sharded load: histograms merge exactly, every shard keeps its own client-bound verdict, and a
2-shard probe on a local Dask cluster starts its shards together and adds up."""

from __future__ import annotations

import dataclasses
import random

import pytest

from workbook.probes import HttpTarget, latency_probe, merge_histograms, merge_results, sharded_latency_probe
from workbook.probes._shards import split_evenly
from workbook.timing import new_histogram, record_seconds

PERCENTILES = [50.0, 90.0, 99.0, 99.9, 100.0]


def test_merged_percentiles_equal_those_of_all_samples_together() -> None:
    rng = random.Random(20261202)
    samples = [rng.lognormvariate(-7.0, 0.8) for _ in range(30_000)]  # ~1 ms, long right tail
    shards = [new_histogram() for _ in range(3)]
    together = new_histogram()
    for index, seconds in enumerate(samples):
        record_seconds(shards[index % 3], seconds)
        record_seconds(together, seconds)
    merged = merge_histograms(shards)
    assert merged.get_total_count() == together.get_total_count() == len(samples)
    assert merged.get_percentile_to_value_dict(PERCENTILES) == together.get_percentile_to_value_dict(PERCENTILES)
    # The negative control: averaging the shards' own p99s is not the p99 of all samples.
    averaged = sum(h.get_value_at_percentile(99.0) for h in shards) / 3
    skewed = [new_histogram(), new_histogram()]
    for seconds in samples[:1000]:
        record_seconds(skewed[0], seconds)
    for seconds in samples[1000:]:
        record_seconds(skewed[1], seconds * 3)
    naive = sum(h.get_value_at_percentile(99.0) for h in skewed) / 2
    assert naive != merge_histograms(skewed).get_value_at_percentile(99.0)
    assert averaged > 0


def test_shares_add_up() -> None:
    assert split_evenly(10, 3) == [4, 3, 3] and sum(split_evenly(1001, 7)) == 1001


def test_a_client_bound_shard_stays_visible_in_the_merged_result(target_url: str) -> None:
    target = HttpTarget(name="t", method="GET", url=f"{target_url}/ok")
    probed = [latency_probe(target, rate_rps=50, duration_s=0.5, max_requests=25) for _ in range(2)]
    # Verdicts set explicitly: the machine running the test may well saturate a real probe.
    parts = [
        dataclasses.replace(part, selfcheck=dataclasses.replace(part.selfcheck, client_bound=False, reasons=()))
        for part in probed
    ]
    saturated = dataclasses.replace(
        parts[1],
        selfcheck=dataclasses.replace(
            parts[1].selfcheck, client_bound=True, reasons=("probe CPU 97% of one core (>= 85%)",)
        ),
    )
    merged = merge_results([parts[0], saturated])
    assert merged.client_bound and merged.row()["client_bound_shards"] == [1]
    assert merged.selfcheck.reasons == ("shard 1: probe CPU 97% of one core (>= 85%)",)
    assert merged.sent == parts[0].sent + parts[1].sent and merged.row()["shards"] == 2
    assert not merge_results(parts).client_bound


@pytest.mark.timeout(240)
def test_two_shards_on_a_local_cluster_start_together_and_add_up(target_url: str) -> None:
    target = HttpTarget(name="t", method="GET", url=f"{target_url}/ok")
    merged = sharded_latency_probe(target, shards=2, rate_rps=80, duration_s=1.0, max_requests=60)
    assert len(merged.shards) == 2 and [shard.rate_rps for shard in merged.shards] == [40, 40]
    assert merged.sent == sum(shard.sent for shard in merged.shards) == 60
    assert merged.histogram is not None
    assert merged.histogram.get_total_count() == sum(s.histogram.get_total_count() for s in merged.shards)  # type: ignore[union-attr]
    expected = merge_histograms([shard.histogram for shard in merged.shards])  # type: ignore[misc]
    assert merged.latency.p99_s == expected.get_value_at_percentile(99.0) / 1e6
    skew_note = merged.selfcheck.notes[0]
    # The barrier held: the shards started far closer together than the time either of them ran.
    assert skew_note.startswith("2 shards; starts") and float(skew_note.split()[3]) < 1000, skew_note
