"""preflight's output for people: the grouped cost table and ``--cost-details``; the replacement extract."""

from __future__ import annotations

from typing import Any

import pytest

from preflight import cost_stage, cost_table, replacement_sources, replacements
from preflight.harness import Plan


@pytest.fixture(scope="module")
def cost(production: Plan) -> dict[str, Any]:
    data: dict[str, Any] = cost_stage.run(production.to_json()).data
    return data


def test_totals_first_then_rows_by_cost(cost: dict[str, Any]) -> None:
    lines = cost_table.text_lines(cost)
    assert lines[0].startswith("total (USD/month, us-east-1): baseline ")
    assert f"{cost['baseline_monthly']:,.2f}" in lines[0] and f"{cost['peak_monthly']:,.2f}" in lines[0]
    rows = cost_table.rows(cost)
    assert [r.baseline for r in rows] == sorted((r.baseline for r in rows), reverse=True)
    # Grouping is only how the report shows them: every item is counted once.
    assert sum(r.count for r in rows) == len(cost["items"])
    assert sum(r.baseline for r in rows) == pytest.approx(cost["baseline_monthly"], abs=0.05)


def test_repeated_small_items_are_one_line_with_a_count(cost: dict[str, Any]) -> None:
    alarms = [i for i in cost["items"] if i["type"] == "aws:cloudwatch/metricAlarm:MetricAlarm"]
    assert len(alarms) > 30
    rows = {cost_table.label(r): r for r in cost_table.rows(cost)}
    row = rows[f"CloudWatch alarm ({len(alarms)} x $0.10)"]
    assert row.count == len(alarms) and row.baseline == pytest.approx(0.10 * len(alarms))
    assert "NAT gateway (3 x $43.35)" in rows
    # Dear items keep their own line even when repeated; nothing over SMALL is grouped.
    assert all(r.each < cost_table.SMALL for r in rows.values() if r.count > 1)


def test_cost_details_shows_every_item(production: Plan) -> None:
    result = cost_stage.run(production.to_json())
    items = result.data["items"]
    assert any("--cost-details shows every item" in line for line in result.lines)
    detail = result.detail_lines
    for item in items:
        assert any(line.startswith(item["description"]) for line in detail), item["description"]
    assert len(result.lines) < len(detail)


def test_the_replacement_extract_is_what_its_sources_give() -> None:
    """Regenerated from the pinned cfn-lint and SDKs (python -m preflight.replacement_sources): unchanged."""
    assert replacements.DATA.read_text() == replacement_sources.render()


def test_every_type_the_stacks_use_has_a_replacement_rule(production: Plan, staging: Plan) -> None:
    types = {r.type for plan in (production, staging) for r in plan.resources}
    unknown = sorted(t for t in types if not replacements.rule(t).known)
    # Only the types whose replacement no source here states, each with the reason in the extract.
    assert set(unknown) <= set(replacement_sources.UNKNOWN_AWS) | set(replacement_sources.UNKNOWN_OTHER), (
        f"add these types to preflight/replacement_sources.py (AWS_TYPES) and regenerate: {unknown}"
    )


def test_replacement_inputs_are_real_sdk_inputs() -> None:
    for token, (_, renames) in replacement_sources.AWS_TYPES.items():
        inputs = replacement_sources.sdk_inputs(token)
        assert set(replacements.rule(token).paths) <= inputs, token
        assert set(renames.values()) <= inputs, token
    for token, (paths, _) in replacement_sources.TERRAFORM_AWS.items():
        assert set(paths) <= replacement_sources.sdk_inputs(token), token


@pytest.mark.parametrize(
    ("token", "paths", "forced"),
    [
        ("aws:ec2/subnet:Subnet", ["cidrBlock", "tags.Name"], ["cidrBlock"]),
        ("aws:eks/nodeGroup:NodeGroup", ["scalingConfig.maxSize"], []),
        ("kubernetes:apps/v1:Deployment", ["spec.selector.matchLabels.app", "spec.replicas"], ["spec.selector.matchLabels.app"]),
        ("kubernetes:core/v1:Service", ["metadata.name"], ["metadata.name"]),
        ("kubernetes:helm.sh/v3:Release", ["values.replicas"], []),
        ("random:index/randomPassword:RandomPassword", ["length"], ["length"]),
        ("betterprompts:data:PgvectorDatabase", ["anything"], []),
    ],
)
def test_forcing_paths(token: str, paths: list[str], forced: list[str]) -> None:
    assert replacements.forcing(token, paths) == forced
