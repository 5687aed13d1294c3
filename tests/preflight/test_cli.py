"""preflight as a newcomer runs it: the CLI, its report, its JSON plan, and its failures."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.harness import read_stack_config


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


@pytest.mark.parametrize("stack", ["production", "staging", "dr"])
def test_preflight_runs_each_stack_cleanly_and_writes_the_plan(stack: str, tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    code, text = run(stack, "--json", str(target))
    assert code == 0, text
    assert f"Stack betterprompts/{stack}:" in text
    assert "Resources per component:" in text and "betterprompts:network:ProductionVpc" in text
    assert "Resources per type:" in text and "aws:ec2/subnet:Subnet" in text
    plan = json.loads(target.read_text())
    assert plan["project"] == "betterprompts" and plan["stack"] == stack
    subnets = [r for r in plan["resources"] if r["type"] == "aws:ec2/subnet:Subnet"]
    assert len(subnets) == 12
    for r in plan["resources"]:
        assert set(r) >= {"urn", "id", "type", "name", "parent", "provider", "dependencies",
                          "propertyDependencies", "protect", "inputs"}
    nat_gateways = [r for r in plan["resources"] if r["type"] == "aws:ec2/natGateway:NatGateway"]
    nat_instances = [r for r in plan["resources"] if r["type"] == "aws:ec2/instance:Instance"]
    assert (len(nat_gateways), len(nat_instances)) == {"production": (3, 0), "staging": (0, 1), "dr": (0, 1)}[stack]
    # A subnet's property dependencies point at its VPC, as a policy following references needs.
    vpc = next(r for r in plan["resources"] if r["type"] == "aws:ec2/vpc:Vpc")
    assert subnets[0]["propertyDependencies"]["vpcId"] == [vpc["urn"]]
    assert plan["outputs"]["vpcId"] == vpc["id"]


def test_check_plan_reads_a_written_plan(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    assert run("staging", "--json", str(target))[0] == 0
    code, text = run("--check-plan", str(target))
    assert code == 0, text
    assert "stack 'staging'" in text


def test_json_to_stdout_is_only_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staging", "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["stack"] == "staging"
    assert "Resources per type:" in captured.err


def test_unknown_stack_is_an_error_naming_the_stacks() -> None:
    code, text = run("prod")
    assert code == 2
    assert "no stack file Pulumi.prod.yaml; stacks here: dr, production, staging" in text


def test_config_error_is_reported_with_key_value_and_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import yaml

    # The program: __main__.py and the compositions it runs.
    for name in ("Pulumi.yaml", "__main__.py", "primary.py", "pilot_light.py", "composition.py"):
        shutil.copy(Path(__file__).parents[2] / name, tmp_path / name)
    config, _ = read_stack_config("staging")
    config["betterprompts:network"]["natMode"] = "nat_gateway"
    (tmp_path / "Pulumi.broken.yaml").write_text(yaml.safe_dump({"config": config}))
    monkeypatch.setattr("preflight.cli.PROJECT_DIR", tmp_path)
    code, text = run("broken")
    assert code == 1
    assert "config error, nothing was registered" in text
    assert "config key 'betterprompts:network.natMode': got 'nat_gateway'; allowed: one of gateway_per_az" in text


def test_secure_values_are_reported_unavailable_not_crashed_on(tmp_path: Path) -> None:
    import shutil

    import yaml

    from preflight.harness import run_stack

    # The program: __main__.py and the compositions it runs.
    for name in ("Pulumi.yaml", "__main__.py", "primary.py", "pilot_light.py", "composition.py"):
        shutil.copy(Path(__file__).parents[2] / name, tmp_path / name)
    config, _ = read_stack_config("staging")
    config["betterprompts:apiToken"] = {"secure": "v1:abcdef=="}
    (tmp_path / "Pulumi.withsecret.yaml").write_text(yaml.safe_dump({"config": config}))
    config_read, secrets = read_stack_config("withsecret", tmp_path)
    assert secrets == ["betterprompts:apiToken"]
    assert "betterprompts:apiToken" not in config_read
    plan = run_stack("withsecret", project_dir=tmp_path)
    assert plan.unavailable_secrets == ["betterprompts:apiToken"]


def test_stack_files_hold_no_plaintext_secrets() -> None:
    root = Path(__file__).parents[2]
    for path in root.glob("Pulumi.*.yaml"):
        text = path.read_text().lower()
        for word in ("password", "secret_key", "token:", "aws_secret"):
            assert word not in text, f"{path.name} mentions {word}"
