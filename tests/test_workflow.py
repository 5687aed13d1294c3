"""The GitHub Actions workflow: it parses, and its jobs do what docs/policies.md promises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "infrastructure.yml"
STACKS = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in WORKFLOW.parents[2].glob("Pulumi.*.yaml"))


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    document = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(document, dict)
    return document


def runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if str(step.get("uses", "")).startswith(action + "@")]


def test_triggers_are_pull_requests_and_main(workflow: dict[Any, Any]) -> None:
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
    triggers = workflow.get("on", workflow.get(True))
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}


def test_jobs_are_named(workflow: dict[Any, Any]) -> None:
    assert list(workflow["jobs"]) == ["tests", "preflight", "plan-diff", "preview-pr", "preview", "deploy-production"]


def test_pull_requests_run_tests_and_preflight_of_every_stack_without_credentials(workflow: dict[Any, Any]) -> None:
    tests, preflight = workflow["jobs"]["tests"], workflow["jobs"]["preflight"]
    for job in (tests, preflight):
        assert "if" not in job
        assert "pip install -r requirements-dev.txt" in runs(job)
        assert not uses(job, "aws-actions/configure-aws-credentials")
        assert "permissions" not in job  # the workflow's read-only token: no id-token, no cloud role
    assert "python -m pytest -q" in runs(tests)
    assert preflight["strategy"]["matrix"]["stack"] == STACKS
    assert any(run.startswith("python -m preflight ${{ matrix.stack }}") for run in runs(preflight))


def test_main_previews_every_stack_with_the_pack_through_oidc(workflow: dict[Any, Any]) -> None:
    preview = workflow["jobs"]["preview"]
    assert preview["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert preview["needs"] == ["tests", "preflight"]
    assert preview["permissions"]["id-token"] == "write"
    assert preview["strategy"]["matrix"]["stack"] == STACKS
    (credentials,) = uses(preview, "aws-actions/configure-aws-credentials")
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    assert "aws-access-key-id" not in credentials["with"]
    (pulumi,) = uses(preview, "pulumi/actions")
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["policyPackConfigs"] == "policies/config/${{ matrix.stack }}.json"
    assert pulumi["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"


def test_production_up_is_gated_by_the_protected_environment(workflow: dict[Any, Any]) -> None:
    deploy = workflow["jobs"]["deploy-production"]
    assert deploy["environment"] == "production"
    assert deploy["needs"] == ["preview"]
    assert deploy["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    (pulumi,) = uses(deploy, "pulumi/actions")
    assert pulumi["with"]["command"] == "up"
    assert pulumi["with"]["stack-name"].endswith("/production")
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["policyPackConfigs"] == "policies/config/production.json"
    assert Path(WORKFLOW.parents[2] / "policies/config/production.json").exists()


# --- the deploy path: the stack's runner in its VPC -----------------------------------------------


def test_cloud_jobs_run_on_each_stacks_runner_in_its_vpc(workflow: dict[Any, Any], production: Any, staging: Any, dr: Any) -> None:
    """preview and up reach the private API endpoints only from the runner the cluster admits."""
    from preflight.harness import Plan

    plans: dict[str, Plan] = {"production": production, "staging": staging, "dr": dr}
    preview, deploy = workflow["jobs"]["preview"], workflow["jobs"]["deploy-production"]
    # The label names the stack's CodeBuild project (DeployRunner), one runner per job.
    assert preview["runs-on"] == "codebuild-betterprompts-${{ matrix.stack }}-deploy-${{ github.run_id }}-${{ github.run_attempt }}"
    for stack in preview["strategy"]["matrix"]["stack"]:
        label = preview["runs-on"].replace("${{ matrix.stack }}", stack)
        assert label == plans[stack].outputs["deployRunnerLabel"]
    assert deploy["runs-on"] == production.outputs["deployRunnerLabel"]
    # The offline checks need no cloud and stay on GitHub's runners.
    assert workflow["jobs"]["tests"]["runs-on"] == workflow["jobs"]["preflight"]["runs-on"] == "ubuntu-latest"


def test_the_runner_installs_the_aws_cli_v2_before_pulumi_runs(workflow: dict[Any, Any]) -> None:
    for name in ("preview-pr", "preview", "deploy-production"):
        steps = workflow["jobs"][name]["steps"]
        names = [step.get("name") or step.get("uses") or step.get("run") for step in steps]
        cli = names.index("AWS CLI v2")
        pulumi = next(i for i, step in enumerate(steps) if str(step.get("uses", "")).startswith("pulumi/actions@"))
        assert cli < pulumi
        script = steps[cli]["run"]
        assert "https://awscli.amazonaws.com/awscli-exe-linux-" in script and "aws --version" in script
        assert "aws-cli/2" in script


# --- pull requests: the plan diff comment and the optional real preview --------------------------


def test_pull_requests_get_one_plan_diff_comment_and_fail_on_new_mandatory_violations(workflow: dict[Any, Any]) -> None:
    from preflight.plan_diff import MARKER

    job = workflow["jobs"]["plan-diff"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert not uses(job, "aws-actions/configure-aws-credentials")
    scripts = "\n".join(runs(job))
    # Both sides built offline: the base branch's own program in its own worktree and venv.
    assert 'git worktree add ../base "${{ github.event.pull_request.base.sha }}"' in scripts
    assert "../base-venv/bin/python -m preflight" in scripts and "python -m preflight \"$stack\" --json \"head-$stack.json\"" in scripts
    assert "python -m preflight $(cat diff-args.txt) --markdown > plan-diff.md" in scripts
    # One comment, found by the marker the Markdown starts with, updated rather than duplicated.
    (comment,) = uses(job, "actions/github-script")
    assert comment["uses"] == "actions/github-script@v7"
    script = comment["with"]["script"]
    assert f"const marker = '{MARKER}';" in script
    assert "updateComment" in script and "createComment" in script and "c.body.startsWith(marker)" in script
    # The check fails after the comment is posted, on --diff's exit status.
    names = [step.get("name") for step in job["steps"]]
    fail = job["steps"][names.index("Fail on a newly violated mandatory policy")]
    assert fail["if"] == "steps.diff.outputs.status != '0'"
    assert names.index("Comment") < names.index("Fail on a newly violated mandatory policy")


def test_real_preview_on_pull_requests_only_with_a_read_only_role(workflow: dict[Any, Any]) -> None:
    job = workflow["jobs"]["preview-pr"]
    assert "vars.AWS_PREVIEW_ROLE_ARN != ''" in job["if"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]
    assert job["strategy"]["matrix"]["stack"] == STACKS
    (credentials,) = uses(job, "aws-actions/configure-aws-credentials")
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
    (pulumi,) = uses(job, "pulumi/actions")
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True and pulumi["with"]["edit-pr-comment"] is True
    assert pulumi["with"]["policyPacks"] == "policies"
    assert job["permissions"]["pull-requests"] == "write" and job["permissions"]["id-token"] == "write"


def test_the_pilot_light_s_cloud_jobs_sign_in_to_its_region(workflow: dict[Any, Any]) -> None:
    """The dr stack's preview runs in us-west-2 (its runner, its Region's STS): nothing of it needs us-east-1."""
    for name in ("preview-pr", "preview"):
        (credentials,) = uses(workflow["jobs"][name], "aws-actions/configure-aws-credentials")
        assert credentials["with"]["aws-region"] == "${{ matrix.stack == 'dr' && 'us-west-2' || 'us-east-1' }}"
