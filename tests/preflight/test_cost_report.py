"""The docs table generator: seed rows, the design's extra rows, and the seed design priced by the model."""

from __future__ import annotations

import pytest

from policies.cost_model import Assumptions, estimate
from preflight.cost_report import SEED_TABLE, grouped, markdown, seed_design
from preflight.harness import Plan

HOURS = 730


def test_the_seed_design_priced_row_by_row() -> None:
    rows = grouped(estimate(seed_design(), "us-east-1", Assumptions()))
    assert rows["EKS Control Plane"] == pytest.approx((73.0, 73.0))
    # system 2-4 x t3a.medium + application 3-9 x c6i.xlarge + spot 0-10 x t3a.medium at -70%, 20 GB gp3 per node.
    low = 2 * (0.0376 * HOURS + 1.6) + 3 * (0.17 * HOURS + 1.6)
    high = 4 * (0.0376 * HOURS + 1.6) + 9 * (0.17 * HOURS + 1.6) + 10 * (0.0376 * 0.3 * HOURS + 1.6)
    assert rows["EKS Worker Nodes"] == pytest.approx((low, high))
    assert rows["GPU Nodes"] == pytest.approx((0.526 * HOURS + 1.6, 5 * (0.526 * HOURS + 1.6)))
    assert rows["RDS PostgreSQL"] == pytest.approx((0.898 * HOURS + 500 * 0.23, 0.898 * HOURS + 2000 * 0.23))
    assert rows["RDS read replicas (not in the seed's table)"] == pytest.approx((0.449 * HOURS + 500 * 0.115,) * 2)
    # The seed's table prices 3 cache nodes; 3 shards with a replica each are 6.
    assert rows["ElastiCache"] == pytest.approx((3 * 0.206 * HOURS,) * 2)
    assert rows["ElastiCache replicas (the seed's table counts 3 nodes)"] == pytest.approx((3 * 0.206 * HOURS,) * 2)
    assert rows["SageMaker inference (not in the seed's table)"] == pytest.approx((0.7364 * HOURS,) * 2)
    assert rows["CloudFront"] == pytest.approx((5 * 1024 * 0.085 + 50 * 1.0,) * 2)


def test_the_markdown_table_has_every_seed_row_and_the_totals() -> None:
    result = estimate(seed_design(), "us-east-1", Assumptions())
    lines = markdown({"seed design": result})
    assert lines[0] == "| Service | Seed: configuration | Seed: USD/month | seed design: baseline-peak |"
    for row in SEED_TABLE:
        assert any(line.startswith(f"| {row} |") for line in lines), row
    assert lines[-2].endswith(f"**${result.baseline:,.0f}-{result.peak:,.0f}** |")
    assert lines[-1].endswith(f"**${result.committed:,.0f}-{result.committed_peak:,.0f}** |")


def test_the_stacks_s3_efs_and_snapshot_rows_come_from_their_resources(production: Plan) -> None:
    from preflight.cost_stage import estimate_document

    result = estimate_document(production.to_json())
    rows = grouped(result)
    buckets = [i for i in result.items if i.type == "usage:s3" and i.description.startswith("S3 bucket ")]
    # The seed's four buckets and the access-log destination, each priced by its lifecycle.
    assert len(buckets) == 5
    assert rows["S3 Storage"][0] == pytest.approx(sum(i.baseline for i in result.items if i.type == "usage:s3"))
    assert any("GLACIER" in i.description for i in buckets if "-backups" in i.description)
    assert rows["EFS (not in the seed's table)"][0] == pytest.approx(100 * 0.2 * 0.30 + 100 * 0.8 * 0.016)
    assert rows["EBS snapshots (not in the seed's table)"][0] == pytest.approx(150 * 0.05)


def test_spot_gpu_nodes_are_the_training_row_not_the_seeds_gpu_row(production: Plan) -> None:
    """Production's training pool (0-4 x g5.xlarge spot, 200 GB gp3 each) has a row of its own."""
    from preflight.cost_stage import estimate_document

    rows = grouped(estimate_document(production.to_json()))
    training = rows["Spot GPU training nodes (the seed's Option A, not in its table)"]
    assert training[0] == 0.0
    assert training[1] == pytest.approx(4 * (1.006 * 0.3 * HOURS + 200 * 0.08), rel=1e-3)
    assert rows["GPU Nodes"][0] == 0.0
