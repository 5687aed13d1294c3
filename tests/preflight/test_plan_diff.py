"""``preflight --diff``: real plans of both stacks with known changes, compared as a reviewer sees them."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from preflight import plan_diff, replacements
from preflight.cli import main
from preflight.harness import Plan
from tests.preflight.review_support import document, rename, resource, restaged, with_config

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"


@pytest.fixture(scope="module")
def base_production(production: Plan) -> dict[str, Any]:
    return document(production)


@pytest.fixture(scope="module")
def base_staging(staging: Plan) -> dict[str, Any]:
    return document(staging)


def test_a_plan_against_itself_changes_nothing(base_production: dict[str, Any], base_staging: dict[str, Any]) -> None:
    for doc in (base_production, base_staging):
        found = plan_diff.diff(doc, copy.deepcopy(doc))
        assert found.empty
        assert found.totals["baseline"][0] == found.totals["baseline"][1] == doc["cost"]["baseline_monthly"]


def test_a_node_group_resized_is_changed_in_place_and_raises_the_peak(base_production: dict[str, Any]) -> None:
    head = with_config("production", "eks", lambda eks: eks["nodeGroups"]["application"]["size"].update(max=12))
    found = plan_diff.diff(base_production, head)
    changed = {c.name: c for c in found.of_kind("changed")}
    group = changed["betterprompts-production-eks-application"]
    assert group.type == NODE_GROUP
    assert "scalingConfig.maxSize" in group.paths and not group.forcing
    assert not found.of_kind("replaced") and not found.of_kind("added") and not found.of_kind("removed")
    # The cost increase: three more c6i.xlarge at peak (the baseline, at the minimum, is unchanged).
    (line,) = [c for c in found.costs if "eks-application" in c.description]
    assert line.delta == 0 and line.delta_peak == pytest.approx(3 * line.head_peak / 12, abs=0.02)
    base_peak, head_peak = found.totals["peak"]
    assert head_peak - base_peak == pytest.approx(line.delta_peak, abs=0.02)
    assert found.totals["baseline"][0] == found.totals["baseline"][1]
    text = "\n".join(plan_diff.text_lines(found))
    assert "~ aws:eks/nodeGroup:NodeGroup betterprompts-production-eks-application" in text
    assert "scalingConfig.maxSize" in text and "forces replacement" not in text


def test_new_instance_types_replace_the_node_group(base_staging: dict[str, Any]) -> None:
    # EKS cannot change a node group's instance types: the provider creates a new group.
    head = with_config("staging", "eks", lambda eks: eks["nodeGroups"]["system"].update(instanceTypes=["t3.medium"]))
    found = plan_diff.diff(base_staging, head)
    replaced = {c.name: c for c in found.of_kind("replaced")}
    group = replaced["betterprompts-staging-eks-system"]
    assert group.forcing == ("instanceTypes[0]",)
    assert "instanceTypes" in replacements.rule(NODE_GROUP).paths
    assert "instanceTypes[0] (forces replacement)" in "\n".join(plan_diff.text_lines(found))


def test_a_rename_without_an_alias_is_a_replacement_and_with_one_a_move(base_production: dict[str, Any]) -> None:
    token = "aws:rds/instance:Instance"
    old = resource(base_production, token, "-database")
    unaliased = rename(base_production, token, "-database", "betterprompts-production-postgres", alias=False)
    found = plan_diff.diff(base_production, unaliased)
    (change,) = found.of_kind("replaced")
    assert change.name == "betterprompts-production-postgres" and change.old_urn == old["urn"]
    assert "without an alias" in change.note
    assert not found.of_kind("added") and not found.of_kind("removed")
    # Its cost moves with it: no cost line changes.
    assert not found.costs

    aliased = rename(base_production, token, "-database", "betterprompts-production-postgres", alias=True)
    found = plan_diff.diff(base_production, aliased)
    (moved,) = found.of_kind("moved")
    assert moved.old_urn == old["urn"] and not found.of_kind("replaced")


def test_a_fixed_policy_and_a_new_mandatory_violation(base_production: dict[str, Any], tmp_path: Path) -> None:
    # The base stores the database unencrypted (a mandatory policy in production); the head fixes it.
    broken = copy.deepcopy(base_production)
    resource(broken, "aws:rds/instance:Instance", "-database")["inputs"]["storageEncrypted"] = False
    broken = restaged(broken)
    violated = {(v["policy"], v["enforcement"]) for v in broken["violations"]}
    assert violated, "the pack should catch an unencrypted database"
    found = plan_diff.diff(broken, base_production)
    assert {v.policy for v in found.fixed_violations} == {p for p, _ in violated}
    assert not found.new_violations
    # storageEncrypted is create-only: fixing it replaces the database.
    (replaced,) = [c for c in found.of_kind("replaced") if c.type == "aws:rds/instance:Instance"]
    assert replaced.forcing == ("storageEncrypted",)

    # The other way round is a newly violated mandatory policy: --diff exits 1.
    base_file, head_file = tmp_path / "base.json", tmp_path / "head.json"
    base_file.write_text(json.dumps(base_production))
    head_file.write_text(json.dumps(broken))
    out = io.StringIO()
    assert main(["--diff", str(base_file), str(head_file), "--markdown"], out=out) == 1
    markdown = out.getvalue()
    assert markdown.startswith(plan_diff.MARKER)
    assert "mandatory policy violation(s) newly introduced" in markdown
    assert main(["--diff", str(head_file), str(base_file)], out=io.StringIO()) == 0


def test_a_cost_increase_per_line_item_and_in_total(base_staging: dict[str, Any]) -> None:
    head = with_config("staging", "database", lambda database: database.update(instanceClass="db.t4g.large"))
    found = plan_diff.diff(base_staging, head)
    lines = [c for c in found.costs if c.type == "aws:rds/instance:Instance"]
    assert lines and all(c.delta > 0 for c in lines)
    base, after = found.totals["baseline"]
    assert after - base == pytest.approx(sum(c.delta for c in found.costs), abs=0.05)
    assert after > base
    (db,) = [c for c in found.of_kind("changed") if c.type == "aws:rds/instance:Instance" and c.name.endswith("-database")]
    assert "instanceClass" in db.paths and not db.forcing


def test_markdown_and_text_for_both_stacks(base_production: dict[str, Any], base_staging: dict[str, Any], tmp_path: Path) -> None:
    files = {}
    for name, doc in (("prod", base_production), ("stag", base_staging)):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(json.dumps(doc))
    out = io.StringIO()
    code = main(["--diff", str(files["prod"]), str(files["prod"]), "--diff", str(files["stag"]), str(files["stag"]), "--markdown"], out=out)
    assert code == 0
    text = out.getvalue()
    assert text.count("### Stack `") == 2 and "No resource changes." in text
    assert "| baseline |" in text


def test_unreadable_plans_are_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    out = io.StringIO()
    assert main(["--diff", str(bad), str(bad)], out=out) == 2
    assert "not a plan" in out.getvalue()


def test_changed_paths() -> None:
    assert plan_diff.changed_paths({"a": {"b": 1, "c": [1, 2]}}, {"a": {"b": 2, "c": [1, 3]}}) == ["a.b", "a.c[1]"]
    assert plan_diff.changed_paths({"a": [1]}, {"a": [1, 2]}) == ["a"]
    assert plan_diff.changed_paths({"a": 1}, {"b": 1}) == ["a", "b"]
    assert plan_diff.changed_paths({"x": 1.0}, {"x": 1}) == []


def test_an_input_handed_to_the_autoscaler_is_a_change_of_options(base_production: dict[str, Any]) -> None:
    # ignore_changes decides what every later update sends: dropping it from a node group would let a
    # `pulumi up` reset the autoscaler's desired size, so the reviewer sees it although no input moved.
    head = copy.deepcopy(base_production)
    group = resource(head, NODE_GROUP, "-eks-application")
    assert group["ignoreChanges"] == ["scalingConfig.desiredSize"]
    del group["ignoreChanges"]
    (change,) = plan_diff.diff(base_production, head).of_kind("changed")
    assert change.name == "betterprompts-production-eks-application" and change.paths == ()
    assert change.note == "ignoreChanges ['scalingConfig.desiredSize'] -> []"
    assert plan_diff.diff(base_production, copy.deepcopy(base_production)).empty
