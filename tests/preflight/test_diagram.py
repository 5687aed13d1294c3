"""The architecture diagram drawn from each stack's plan, and the committed copies in docs/diagrams/."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

from preflight import diagram, diagram_docs
from preflight.harness import Plan

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def drawings(production: Plan, staging: Plan) -> dict[str, diagram.Diagram]:
    return {"production": diagram.build(production.to_json()), "staging": diagram.build(staging.to_json())}


def _labels(drawing: diagram.Diagram) -> list[str]:
    return [n.label for n in drawing.nodes.values()]


def test_tiers_by_zone_from_the_subnets(drawings: dict[str, diagram.Diagram], plan: Plan) -> None:
    drawing = drawings[plan.stack]
    subnets = plan.of_type("aws:ec2/subnet:Subnet")
    tiers = {s.inputs["tags"]["Tier"] for s in subnets}
    assert set(drawing.tiers) == tiers
    zones = sorted({s.inputs["availabilityZone"] for s in subnets})
    for tier, label in drawing.tiers.items():
        # 12 subnets are four tier boxes, each naming its zones, not twelve nodes.
        assert label.startswith(f"{tier} subnets: {len(zones)} x ")
    assert f"in {len(zones)} zones" in drawing.vpc
    assert not [n for n in drawing.nodes.values() if "Subnet" in n.label]


def test_what_runs_in_each_tier(drawings: dict[str, diagram.Diagram]) -> None:
    drawing = drawings["production"]
    where = {n.label.split("<br/>")[0]: n.tier for n in drawing.nodes.values()}
    assert where["load balancer: edge-alb"] == "public"
    assert where["NAT gateway x3"] == "public"
    assert where["EKS control plane: eks"] == "app"
    assert where["node pool: eks-application"] == "app"
    assert where["node pool: eks-gpu"] == "ml"
    assert where["SageMaker endpoint: inference-mme-g4dn-xlarge"] == "ml"
    assert where["RDS: database"] == where["ElastiCache: cache"] == "db"
    # Regional services sit outside the VPC, in their component's box.
    assert where["S3: storage-assets"] == ""


def test_repeated_children_are_collapsed_with_a_count(drawings: dict[str, diagram.Diagram], production: Plan) -> None:
    drawing = drawings["production"]
    alarms = len(production.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"))
    counted = sum(int(m) for label in _labels(drawing) for m in re.findall(r"alarm x(\d+)", label))
    singles = sum(1 for label in _labels(drawing) for line in label.split("<br/>") if line.startswith("alarm: "))
    assert counted + singles == alarms
    assert len(drawing.nodes) < len(production.resources) / 5


def test_edges_from_security_group_rules_and_references(drawings: dict[str, diagram.Diagram]) -> None:
    drawing = drawings["production"]
    names = {n.id: n.label.split("<br/>")[0] for n in drawing.nodes.values()}
    traffic = {(names[e.source], names[e.target]): e.label for e in drawing.edges if e.style == "traffic"}
    assert traffic[("load balancer: edge-alb", "EKS control plane: eks")] == "3000, 8001, 8002"
    assert traffic[("EKS control plane: eks", "RDS: database")] == "5432"
    assert traffic[("EKS control plane: eks", "ElastiCache: cache")] == "6379"
    assert traffic[("EKS control plane: eks", "EFS: efs")] == "2049"
    assert traffic[("CodeBuild: deploy-runner-project", "EKS control plane: eks")] == "443"
    (entry,) = [s for (s, t) in traffic if t == "load balancer: edge-alb"]
    assert entry.startswith("prefix list ")
    uses = {(names[e.source], names[e.target]) for e in drawing.edges if e.style == "uses"}
    assert ("SageMaker endpoint: inference-mme-g4dn-xlarge", "S3: inference-models") in uses
    runs = {(names[e.source], names[e.target]) for e in drawing.edges if e.style == "runs-on"}
    assert ("Deployment: apps-frontend", "node pool: eks-application") in runs
    assert ("Helm: eks-nvidia-device-plugin", "node pool: eks-gpu") in runs


def test_a_new_layer_appears_without_code_changes(production: Plan) -> None:
    """Resources of a type the drawing does not know land in their component's box, counted."""
    document = production.to_json()
    component = {
        "urn": "urn:pulumi:production::betterprompts::betterprompts:queues:WorkQueues::betterprompts-production-queues",
        "id": "", "type": "betterprompts:queues:WorkQueues", "name": "betterprompts-production-queues", "parent": "",
        "provider": "", "dependencies": [], "propertyDependencies": {}, "protect": False, "inputs": {},
    }
    document["resources"].append(component)
    for index in range(3):
        child = copy.deepcopy(component)
        child.update(
            urn=f"urn:pulumi:production::betterprompts::betterprompts:queues:WorkQueues$aws:mq/broker:Broker::b{index}",
            type="aws:mq/broker:Broker", name=f"betterprompts-production-queues-broker-{index}", parent=component["urn"],
        )
        document["resources"].append(child)
    drawing = diagram.build(document)
    assert drawing.components["c_queues"] == "queues: WorkQueues queues"
    (node,) = [n for n in drawing.nodes.values() if n.component == "c_queues"]
    assert "Broker x3" in node.label


def test_mermaid_is_well_formed(drawings: dict[str, diagram.Diagram]) -> None:
    for drawing in drawings.values():
        text = diagram.mermaid(drawing)
        lines = text.splitlines()
        assert lines[2] == "flowchart LR"
        opened = sum(1 for line in lines if line.strip().startswith("subgraph "))
        assert opened == sum(1 for line in lines if line.strip() == "end")
        ids = re.findall(r"^\s+(\w+)[\[\(\{]", text, flags=re.MULTILINE)
        assert len(ids) == len(set(ids)) == len(drawing.nodes)
        for edge in drawing.edges:
            assert edge.source in drawing.nodes and edge.target in drawing.nodes
        assert diagram.embedded_hash(text) == drawing.digest


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_the_committed_mermaid_renders_in_mermaid(stack: str, browser: Any) -> None:
    """The .mmd as GitHub shows it: parsed and drawn by Mermaid itself (its browser bundle, .ci/fetch-mermaid)."""
    bundle = sorted((ROOT / ".cache" / "mermaid").glob("mermaid-*.min.js"))
    assert bundle, "Mermaid's bundle is missing: run .ci/fetch-mermaid (.ci/run does)"
    source = (ROOT / "docs" / "diagrams" / f"{stack}.mmd").read_text()
    page = browser.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=bundle[-1].read_text())
    result = page.evaluate(
        """async (source) => {
            mermaid.initialize({startOnLoad: false});
            try { const drawn = await mermaid.render('architecture', source); return drawn.svg; }
            catch (error) { return 'error: ' + error.message; }
        }""",
        source,
    )
    assert result.startswith("<svg"), result[:500]
    assert "load balancer: edge-alb" in result and "EKS control plane: eks" in result


def test_svg_is_laid_out_by_graphviz(drawings: dict[str, diagram.Diagram]) -> None:
    drawing = drawings["staging"]
    text = diagram.svg(drawing)
    root = ElementTree.fromstring(text)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    nodes = root.findall(".//svg:g[@class='node']", ns)
    assert len(nodes) == len(drawing.nodes)
    assert "Generated by graphviz" in text
    assert diagram.embedded_hash(text) == drawing.digest


def test_the_drawing_is_stable_between_runs(production: Plan) -> None:
    from preflight.harness import run_stack

    again = diagram.build(run_stack("production").to_json())
    assert again.digest == diagram.build(production.to_json()).digest


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_committed_diagrams_are_drawn_from_the_current_plan(stack: str, drawings: dict[str, diagram.Diagram]) -> None:
    digest = drawings[stack].digest
    for suffix in (".mmd", ".svg"):
        path = ROOT / "docs" / "diagrams" / f"{stack}{suffix}"
        assert path.exists(), f"{path} is missing: run `{diagram_docs.COMMAND}`"
        found = diagram.embedded_hash(path.read_text())
        assert found == digest, (
            f"{path.relative_to(ROOT)} was drawn from an older plan (hash {found}, the plan now draws {digest}): "
            f"regenerate with `{diagram_docs.COMMAND}` and commit docs/diagrams/"
        )


def test_readme_shows_each_stacks_diagram() -> None:
    readme = (ROOT / "README.md").read_text()
    for stack in diagram_docs.stacks():
        assert f"docs/diagrams/{stack}.svg" in readme
        assert f"docs/diagrams/{stack}.mmd" in readme


def test_unknown_extension_is_refused(production: Plan) -> None:
    with pytest.raises(ValueError, match=r"\.mmd \(Mermaid\) or \.svg"):
        diagram.render(production.to_json(), "diagram.png")


def test_resources_in_another_region_say_so(drawings: dict[str, diagram.Diagram], production: Plan) -> None:
    home = production.outputs["region"]
    providers = {r.urn: r.inputs.get("region") for r in production.resources if r.type == "pulumi:providers:aws"}
    away = [r for r in production.resources if r.type in diagram.EACH and providers.get(r.provider.rsplit("::", 1)[0]) not in (None, home)]
    labels = {urn: n.label for n in drawings["production"].nodes.values() for urn in n.urns}
    for resource in away:
        assert providers[resource.provider.rsplit("::", 1)[0]] in labels[resource.urn]
