"""The stack's architecture, drawn from its plan (``preflight --json``): Mermaid and SVG.

Nothing here knows this project's components. What a resource is comes from its type
(``KINDS``: which types are drawn one by one, which are folded into a count, which are
plumbing left out), where it runs from the subnets it references (their ``Tier`` tag and
availability zone), whom it belongs to from its nearest component ancestor, and who talks
to whom from security group rules (and the resources that use those groups) and from the
references between drawn resources. So a new layer appears without a change here: its
resources land in its component's box, in the tier of the subnets they use.

Big plans stay readable: subnets become one box per tier with their zones, same-type
resources of one component (47 alarms, 23 Config rules) are one node with a count,
plumbing (routes, IAM, rules, bucket settings, Kubernetes helpers) is left out and counted.

The drawing carries a hash of the graph it draws (``Diagram.digest``): a committed diagram whose
hash differs from the one the current plan gives is stale (tests check this).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Document = Mapping[str, Any]

# What each type is in a drawing. "each": one node per resource; anything not listed is folded
# into one node per (component, type) with a count; HIDDEN types are plumbing, left out.
EACH: dict[str, str] = {
    "eks:index:Cluster": "cluster",
    "aws:eks/cluster:Cluster": "cluster",
    "aws:eks/nodeGroup:NodeGroup": "node pool",
    "aws:lb/loadBalancer:LoadBalancer": "entry",
    "aws:cloudfront/distribution:Distribution": "entry",
    "aws:apigateway/restApi:RestApi": "entry",
    "aws:apigatewayv2/api:Api": "entry",
    "aws:rds/instance:Instance": "store",
    "aws:rds/cluster:Cluster": "store",
    "aws:elasticache/replicationGroup:ReplicationGroup": "store",
    "aws:s3/bucket:Bucket": "store",
    "aws:s3/bucketV2:BucketV2": "store",
    "aws:efs/fileSystem:FileSystem": "store",
    "aws:dynamodb/table:Table": "store",
    "aws:sqs/queue:Queue": "store",
    "aws:sagemaker/endpoint:Endpoint": "ml",
    "aws:lambda/function:Function": "compute",
    "aws:sfn/stateMachine:StateMachine": "compute",
    "aws:codebuild/project:Project": "compute",
    "aws:ec2/instance:Instance": "compute",
    "aws:ec2/natGateway:NatGateway": "network",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": "compute",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": "compute",
    "aws:grafana/workspace:Workspace": "compute",
    "aws:amp/workspace:Workspace": "store",
    "aws:backup/vault:Vault": "store",
    "aws:wafv2/webAcl:WebAcl": "entry",
    "kubernetes:apps/v1:Deployment": "workload",
    "kubernetes:apps/v1:StatefulSet": "workload",
    "kubernetes:apps/v1:DaemonSet": "workload",
    "kubernetes:batch/v1:Job": "workload",
    "kubernetes:helm.sh/v3:Release": "workload",
    "kubernetes:helm.sh/v4:Chart": "workload",
}
HIDDEN = re.compile(
    r"^(pulumi:|random:|betterprompts:"
    r"|aws:iam/|aws:kms/alias|aws:ec2/(route|routeTable|routeTableAssociation|networkAcl\w*|defaultSecurityGroup"
    r"|securityGroup|securityGroupRule|subnet|vpc|eip|launchTemplate|internetGateway|flowLog):"
    r"|aws:vpc/|aws:autoscaling/tag|aws:s3/bucket(?!:|V2:)\w*|aws:secretsmanager/secretVersion|aws:ecr/lifecyclePolicy"
    r"|aws:cloudwatch/(logMetricFilter|eventTarget)|aws:efs/(mountTarget|backupPolicy|accessPoint)"
    r"|aws:lb/(listener|listenerRule|targetGroup)|aws:acm/|aws:appautoscaling/|aws:sagemaker/(model|endpointConfiguration)"
    r"|aws:guardduty/detectorFeature|aws:securityhub/standardsSubscription|aws:cfg/(recorderStatus|deliveryChannel)"
    r"|aws:costexplorer/costAllocationTag|aws:rds/(subnetGroup|parameterGroup)|aws:elasticache/(subnetGroup|parameterGroup)"
    r"|aws:sns/topic(Policy|Subscription)|aws:codebuild/webhook|aws:codeconnections/|aws:lambda/(permission|eventSourceMapping)"
    r"|aws:apigateway/(?!restApi:)|aws:apigatewayv2/(?!api:)|aws:sqs/queuePolicy|aws:wafv2/webAcl(Association|LoggingConfiguration)"
    r"|aws:cloudfront/(?!distribution:)|aws:backup/selection"
    r"|kubernetes:(?!apps/|batch/|helm\.sh/))"
)
# Friendly names for node labels; any other type reads as its own class name.
LABELS: dict[str, str] = {
    "eks:index:Cluster": "EKS control plane",
    "aws:eks/nodeGroup:NodeGroup": "node pool",
    "aws:lb/loadBalancer:LoadBalancer": "load balancer",
    "aws:rds/instance:Instance": "RDS",
    "aws:elasticache/replicationGroup:ReplicationGroup": "ElastiCache",
    "aws:s3/bucket:Bucket": "S3",
    "aws:efs/fileSystem:FileSystem": "EFS",
    "aws:sagemaker/endpoint:Endpoint": "SageMaker endpoint",
    "aws:codebuild/project:Project": "CodeBuild",
    "aws:ec2/instance:Instance": "EC2",
    "aws:ec2/natGateway:NatGateway": "NAT gateway",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": "SAR app",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "alarm",
    "aws:cfg/rule:Rule": "Config rule",
    "aws:kms/key:Key": "KMS key",
    "aws:ssm/parameter:Parameter": "SSM parameter",
    "aws:cloudwatch/logGroup:LogGroup": "log group",
    "kubernetes:apps/v1:Deployment": "Deployment",
    "kubernetes:helm.sh/v3:Release": "Helm",
    "aws:wafv2/webAcl:WebAcl": "WAF web ACL",
    "aws:cloudfront/distribution:Distribution": "CloudFront",
    "aws:lambda/function:Function": "Lambda",
    "aws:sqs/queue:Queue": "SQS",
    "aws:sfn/stateMachine:StateMachine": "Step Functions",
    "aws:backup/vault:Vault": "Backup vault",
    "aws:apigateway/restApi:RestApi": "API Gateway",
    "aws:apigatewayv2/api:Api": "API Gateway",
}
# Entry points reachable from the internet unless configured private (a load balancer says so itself).
PUBLIC_BY_DEFAULT = {
    "aws:cloudfront/distribution:Distribution",
    "aws:apigateway/restApi:RestApi",
    "aws:apigatewayv2/api:Api",
}
SECURITY_KEY = re.compile(r"secur|vpcConfig|parameters", re.IGNORECASE)
MAX_HOPS = 3


@dataclass
class Node:
    id: str
    label: str
    kind: str
    component: str
    tier: str = ""
    count: int = 1
    urns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    style: str
    """``traffic`` (a security group rule admits it), ``uses`` (a reference), ``runs-on``."""


@dataclass
class Diagram:
    title: str
    vpc: str
    tiers: dict[str, str]
    """Tier -> its box label (zones and CIDRs)."""
    nodes: dict[str, Node]
    edges: list[Edge]
    components: dict[str, str]
    """Component key -> its box label."""
    hidden: int
    """Plumbing resources left out of the drawing."""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "vpc": self.vpc,
            "tiers": self.tiers,
            "components": self.components,
            "nodes": [vars(n) | {"urns": sorted(n.urns)} for n in sorted(self.nodes.values(), key=lambda n: n.id)],
            "edges": sorted([vars(e) for e in self.edges], key=lambda e: (e["source"], e["target"], e["style"], e["label"])),
            "hidden": self.hidden,
        }

    @property
    def digest(self) -> str:
        """A hash of what is drawn: unchanged while the plan's drawn content is unchanged."""
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()[:16]


# --- from the plan to the graph ------------------------------------------------------------------


def _short(name: str, prefix: str) -> str:
    return name[len(prefix) :] if prefix and name.startswith(prefix) and len(name) > len(prefix) else name


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def _type_label(token: str) -> str:
    return LABELS.get(token) or token.rsplit(":", 1)[-1]


def _facts(resource: Mapping[str, Any]) -> str:
    """A few size facts read from common input names (any type that has them)."""
    inputs = resource.get("inputs") or {}
    facts: list[str] = []
    for key in ("instanceClass", "nodeType", "instanceType"):
        if isinstance(inputs.get(key), str):
            facts.append(inputs[key])
    if isinstance(inputs.get("instanceTypes"), list):
        facts.append("/".join(str(t) for t in inputs["instanceTypes"]))
    scaling = inputs.get("scalingConfig")
    if isinstance(scaling, Mapping) and "minSize" in scaling:
        facts.append(f"{int(scaling['minSize'])}-{int(scaling['maxSize'])} nodes")
    if inputs.get("capacityType") == "SPOT":
        facts.append("spot")
    if inputs.get("multiAz") is True:
        facts.append("Multi-AZ")
    if inputs.get("replicateSourceDb"):
        facts.append("read replica")
    if "numNodeGroups" in inputs:
        facts.append(f"{int(inputs['numNodeGroups'])} shards x {1 + int(inputs.get('replicasPerNodeGroup') or 0)}")
    endpoint_types = (inputs.get("endpointConfiguration") or {}).get("types") if isinstance(inputs.get("endpointConfiguration"), Mapping) else None
    if inputs.get("internal") is False or (resource.get("type") in PUBLIC_BY_DEFAULT and endpoint_types != ["PRIVATE"]):
        facts.append("internet-facing")
    if isinstance(inputs.get("chart"), str):
        facts.append(inputs["chart"].rsplit("/", 1)[-1])
    return ", ".join(facts)


def build(document: Document) -> Diagram:
    resources = list(document.get("resources") or [])
    by_urn = {str(r["urn"]): r for r in resources}
    prefix = f"{document.get('project')}-{document.get('stack')}-"
    # Resources in another Region than the stack's (DR copies, CloudFront's us-east-1 WAF) say so.
    regions = {
        str(r["urn"]): str((r.get("inputs") or {}).get("region") or "")
        for r in resources
        if str(r["type"]).startswith("pulumi:providers:aws")
    }
    home = str((document.get("outputs") or {}).get("region") or next((v for v in regions.values() if v), ""))

    def region_of(resource: Mapping[str, Any]) -> str:
        region = regions.get(str(resource.get("provider") or "").rsplit("::", 1)[0], "")
        return region if region and region != home else ""

    def component_of(resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
        parent = by_urn.get(resource.get("parent") or "")
        while parent is not None:
            if not _custom(parent):
                return parent
            parent = by_urn.get(parent.get("parent") or "")
        return None

    def component_key(resource: Mapping[str, Any]) -> str:
        owner = component_of(resource)
        return str(owner["urn"]) if owner is not None else "(stack)"

    # Only top-level components make boxes: a bucket component inside the storage component is storage.
    def top_component(resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
        owner = component_of(resource)
        while owner is not None:
            higher = component_of(owner)
            if higher is None:
                return owner
            owner = higher
        return None

    components: dict[str, str] = {}

    def box(resource: Mapping[str, Any]) -> str:
        owner = top_component(resource)
        if owner is None:
            components.setdefault("stack", "stack")
            return "stack"
        key = "c_" + _safe(_short(str(owner["name"]), prefix))
        module = str(owner["type"]).split(":")[1] if str(owner["type"]).count(":") >= 2 else ""
        components.setdefault(key, f"{module}: {str(owner['type']).rsplit(':', 1)[-1]} {_short(str(owner['name']), prefix)}")
        return key

    # Subnets: tier (their Tier tag, else their name) and zone.
    subnets = {u: r for u, r in by_urn.items() if r["type"] == "aws:ec2/subnet:Subnet"}
    tier_of: dict[str, str] = {}
    zones: dict[str, list[str]] = defaultdict(list)
    cidrs: dict[str, list[str]] = defaultdict(list)
    for urn, subnet in subnets.items():
        inputs = subnet.get("inputs") or {}
        tags = inputs.get("tags") or {}
        tier = str(tags.get("Tier") or _short(str(subnet["name"]), prefix).rsplit("-", 3)[0])
        tier_of[urn] = tier
        zones[tier].append(str(inputs.get("availabilityZone") or "?"))
        cidrs[tier].append(str(inputs.get("cidrBlock") or ""))
    tiers = {
        t: f"{t} subnets: {len(zones[t])} x {', '.join(sorted(set(z[-1:] if z[-1:].isalpha() else z for z in zones[t])))}"
        f" ({_cidr_summary(cidrs[t])})"
        for t in sorted(zones)
    }
    vpcs = [r for r in resources if r["type"] == "aws:ec2/vpc:Vpc"]
    vpc_label = ""
    if vpcs:
        all_zones = sorted({z for zs in zones.values() for z in zs})
        vpc_label = f"VPC {(vpcs[0].get('inputs') or {}).get('cidrBlock', '')} in {len(all_zones)} zones ({', '.join(all_zones)})"

    dependents: dict[str, list[str]] = defaultdict(list)
    for r in resources:
        for urns in (r.get("propertyDependencies") or {}).values():
            for u in urns:
                dependents[u].append(str(r["urn"]))

    def refs(resource: Mapping[str, Any]) -> set[str]:
        found: set[str] = set()
        for urns in (resource.get("propertyDependencies") or {}).values():
            found.update(urns)
        return found

    def placement(resource: Mapping[str, Any]) -> str:
        """The tier of the subnets a resource uses, directly or through plumbing (subnet groups, configs)."""
        seen, frontier = set(), [resource]
        for _ in range(MAX_HOPS):
            found = Counter(tier_of[u] for r in frontier for u in refs(r) if u in tier_of)
            if found:
                return sorted(found.items(), key=lambda item: (-item[1], item[0]))[0][0]
            nxt = []
            for r in frontier:
                for u in refs(r):
                    target = by_urn.get(u)
                    if target is not None and u not in seen and _hidden(target):
                        seen.add(u)
                        nxt.append(target)
            frontier = nxt
        return ""

    nodes: dict[str, Node] = {}
    node_of: dict[str, str] = {}
    hidden = 0
    folded: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for r in resources:
        token = str(r["type"])
        if _hidden(r):
            hidden += 1 if not token.startswith(("pulumi:", "betterprompts:")) else 0
            continue
        comp = box(r)
        tier = placement(r) if token.startswith("aws:") or token.startswith("eks:") else ""
        if token in EACH and token != "aws:ec2/natGateway:NatGateway":
            node_id = "n_" + _safe(_short(str(r["name"]), prefix) + "_" + token.rsplit(":", 1)[-1])
            facts = ", ".join(f for f in (_facts(r), region_of(r)) if f)
            label = f"{_type_label(token)}: {_short(str(r['name']), prefix)}" + (f"<br/>{facts}" if facts else "")
            nodes[node_id] = Node(node_id, label, EACH[token], comp, tier, 1, [str(r["urn"])])
            node_of[str(r["urn"])] = node_id
        else:
            folded[(comp, token, tier)].append(r)
    for (comp, token, tier), members in folded.items():
        node_id = "g_" + _safe(f"{comp}_{tier}_{token.rsplit(':', 1)[-1]}")
        count = len(members)
        label = _type_label(token) + (f" x{count}" if count > 1 else f": {_short(str(members[0]['name']), prefix)}")
        nodes[node_id] = Node(node_id, label, EACH.get(token, "other"), comp, tier, count, [str(m["urn"]) for m in members])
        for m in members:
            node_of[str(m["urn"])] = node_id

    # A component's supporting resources (alarms, keys, log groups, ...) are one node listing them.
    supporting: dict[str, list[Node]] = defaultdict(list)
    for n in list(nodes.values()):
        if n.kind == "other":
            supporting[n.component].append(nodes.pop(n.id))
    for comp, parts in supporting.items():
        node_id = "s_" + comp
        label = "<br/>".join(p.label for p in sorted(parts, key=lambda p: (-p.count, p.label)))
        merged = Node(node_id, label, "other", comp, "", sum(p.count for p in parts), [u for p in parts for u in p.urns])
        nodes[node_id] = merged
        for u in merged.urns:
            node_of[u] = node_id

    def drawn(urn: str) -> list[str]:
        """The nodes standing for a resource: itself, or what uses it when it is plumbing (launch template -> node pool)."""
        if urn in node_of:
            return [node_of[urn]]
        found, frontier, seen = [], [urn], {urn}
        for _ in range(MAX_HOPS):
            nxt = []
            for u in frontier:
                for d in dependents.get(u, []):
                    if d in seen:
                        continue
                    seen.add(d)
                    if d in node_of:
                        found.append(node_of[d])
                    elif by_urn.get(d) is not None and _hidden(by_urn[d]):
                        nxt.append(d)
            if found:
                return sorted(set(found))
            frontier = nxt
        # Nothing uses it: it belongs to what it references in its own component (mount target -> file system).
        resource = by_urn.get(urn)
        if resource is not None:
            own = box(resource)
            return sorted({node_of[u] for u in refs(resource) if u in node_of and nodes[node_of[u]].component == own})
        return []

    def users(group_urn: str) -> list[str]:
        """The drawn resources a security group stands for (the group of a cluster is the cluster)."""
        group = by_urn.get(group_urn)
        if group is None:
            return []
        if group["type"] not in ("aws:ec2/securityGroup:SecurityGroup",):
            return drawn(group_urn)
        found: set[str] = set()
        for d in dependents.get(group_urn, []):
            resource = by_urn[d]
            if resource["type"] in ("aws:ec2/securityGroup:SecurityGroup",) or "securityGroup" in resource["type"]:
                continue
            keys = [k for k, urns in (resource.get("propertyDependencies") or {}).items() if group_urn in urns]
            if any(SECURITY_KEY.search(k) for k in keys):
                found.update(drawn(d))
        return sorted(found)

    traffic: dict[tuple[str, str], set[str]] = defaultdict(set)
    outside: dict[str, str] = {}
    for r in resources:
        token = str(r["type"])
        inputs = r.get("inputs") or {}
        deps = r.get("propertyDependencies") or {}
        if token in ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:ec2/securityGroupRule:SecurityGroupRule"):
            if token.endswith("SecurityGroupRule") and inputs.get("type") != "ingress":
                continue
            port = _port(inputs)
            targets = [n for u in deps.get("securityGroupId", []) for n in users(u)]
            sources = [n for u in deps.get("referencedSecurityGroupId", []) + deps.get("sourceSecurityGroupId", []) for n in users(u)]
            if not deps.get("referencedSecurityGroupId") and not deps.get("sourceSecurityGroupId"):
                source = _outside_source(inputs)
                if source:
                    outside.setdefault(source[0], source[1])
                    sources = [source[0]]
            for s in sources:
                for t in targets:
                    if s != t:
                        traffic[(s, t)].add(port)
        elif token == "aws:ec2/securityGroup:SecurityGroup":
            for rule in inputs.get("ingress") or []:
                port = _port(rule)
                for source_group in deps.get("ingress", []):
                    for s in users(source_group):
                        for t in users(str(r["urn"])):
                            if s != t:
                                traffic[(s, t)].add(port)
    edges = [Edge(s, t, ", ".join(sorted(p for p in ports if p)), "traffic") for (s, t), ports in traffic.items()]

    # Internet-facing entry points.
    for node in nodes.values():
        if node.kind == "entry" and "internet-facing" in node.label:
            outside.setdefault("internet", "Internet")
            if not any(e.target == node.id for e in edges):
                edges.append(Edge("internet", node.id, "", "traffic"))

    # References between drawn resources of different components (the endpoint's model bucket, ...).
    uses: set[tuple[str, str]] = set()
    for r in resources:
        if "ecurityGroup" in str(r["type"]):
            continue  # Security groups and their rules are drawn as traffic above.
        source_nodes = drawn(str(r["urn"])) if _hidden(r) else [node_of[str(r["urn"])]]
        for u in refs(r):
            if u not in node_of:
                continue
            for s in source_nodes:
                t = node_of[u]
                a, b = nodes.get(s), nodes.get(t)
                if a is None or b is None or s == t or a.component == b.component:
                    continue
                if EACH.get(by_urn[u]["type"]) is None or a.kind == "other":
                    continue
                if (s, t) not in traffic:
                    uses.add((s, t))
    edges.extend(Edge(s, t, "", "uses") for s, t in sorted(uses))

    # Workloads on node pools: a pod spec's nodeSelector against each pool's labels.
    pools = {n.id: by_urn[n.urns[0]] for n in nodes.values() if n.kind == "node pool"}
    for node in nodes.values():
        if node.kind != "workload":
            continue
        selector = _node_selector(by_urn[node.urns[0]])
        if not selector:
            continue
        for pool_id, pool in pools.items():
            labels = (pool.get("inputs") or {}).get("labels") or {}
            if all(labels.get(k) == v for k, v in selector.items()):
                edges.append(Edge(node.id, pool_id, "runs on", "runs-on"))

    for key, label in outside.items():
        nodes[key] = Node(key, label, "outside", "", "", 1, [])
    title = f"{document.get('project')}/{document.get('stack')}"
    return Diagram(title, vpc_label, tiers, nodes, sorted(set(edges), key=lambda e: (e.source, e.target, e.style)), components, hidden)


def _custom(resource: Mapping[str, Any]) -> bool:
    token = str(resource["type"])
    return not token.startswith("betterprompts:") and not token.startswith("eks:index:Cluster") and ":" in token and (
        token.startswith(("aws:", "kubernetes:", "random:", "pulumi:", "eks:"))
    )


def _hidden(resource: Mapping[str, Any]) -> bool:
    token = str(resource["type"])
    return token not in EACH and bool(HIDDEN.match(token))


def _port(inputs: Mapping[str, Any]) -> str:
    low, high = inputs.get("fromPort"), inputs.get("toPort")
    if low is None:
        return ""
    low, high = int(low), int(high if high is not None else low)
    return f"{low}" if low == high else f"{low}-{high}"


def _outside_source(inputs: Mapping[str, Any]) -> tuple[str, str] | None:
    if inputs.get("prefixListId"):
        description = str(inputs.get("description") or "")
        return "pl_" + _safe(str(inputs["prefixListId"])), f"prefix list {inputs['prefixListId']}" + (f"<br/>{description}" if description else "")
    cidr = inputs.get("cidrIpv4") or inputs.get("cidrIpv6")
    if cidr:
        return ("internet", "Internet") if cidr in ("0.0.0.0/0", "::/0") else ("cidr_" + _safe(str(cidr)), str(cidr))
    return None


def _node_selector(resource: Mapping[str, Any]) -> dict[str, str]:
    inputs = resource.get("inputs") or {}
    spec = ((inputs.get("spec") or {}).get("template") or {}).get("spec") or {}
    selector = spec.get("nodeSelector") or ((inputs.get("values") or {}).get("nodeSelector") if isinstance(inputs.get("values"), Mapping) else None)
    return {str(k): str(v) for k, v in (selector or {}).items()}


def _cidr_summary(cidrs: list[str]) -> str:
    sizes = sorted({c.rsplit("/", 1)[-1] for c in cidrs if "/" in c})
    return "/" + ", /".join(sizes) if sizes else ""


# --- drawing ---------------------------------------------------------------------------------------

@dataclass
class Box:
    """A group in the drawing: the VPC, a tier, a component, the Kubernetes workloads."""

    id: str
    label: str
    style: str
    nodes: list[Node] = field(default_factory=list)
    boxes: list["Box"] = field(default_factory=list)


def _by_component(nodes: Iterable[Node]) -> dict[str, list[Node]]:
    groups: dict[str, list[Node]] = defaultdict(list)
    for n in sorted(nodes, key=lambda n: (n.component, n.kind, n.id)):
        groups[n.component].append(n)
    return dict(sorted(groups.items()))


def layout(diagram: Diagram) -> tuple[list[Node], list[Box]]:
    """What goes where, for both renderers: outside nodes, then the VPC (tiers, then components in
    each), the Kubernetes workloads by component, and every other component's box."""
    placed: set[str] = set()

    def component_boxes(nodes: Iterable[Node], suffix: str) -> list[Box]:
        found = []
        for comp, members in _by_component(nodes).items():
            placed.update(n.id for n in members)
            found.append(Box(f"{comp}{suffix}", diagram.components.get(comp, comp), "component", members))
        return found

    loose = sorted((n for n in diagram.nodes.values() if n.kind == "outside"), key=lambda n: n.id)
    placed.update(n.id for n in loose)
    boxes: list[Box] = []
    if diagram.vpc:
        tiers = [
            Box(f"tier_{_safe(tier)}", label, "tier", [], component_boxes((n for n in diagram.nodes.values() if n.tier == tier), f"_{_safe(tier)}"))
            for tier, label in diagram.tiers.items()
        ]
        boxes.append(Box("vpc", diagram.vpc, "vpc", [], tiers))
    workloads = [n for n in diagram.nodes.values() if n.kind == "workload" and n.id not in placed]
    if workloads:
        boxes.append(Box("workloads", "Kubernetes workloads", "workloads", [], component_boxes(workloads, "_k8s")))
    boxes.extend(component_boxes([n for n in diagram.nodes.values() if n.id not in placed], ""))
    return loose, boxes


def _nested(diagram: Diagram, node: Callable[[Node], str], opening: Callable[[Box], str], closing: str) -> list[str]:
    """The layout as indented lines: each box opened, its boxes and nodes inside, closed."""
    lines: list[str] = []

    def box(b: Box, indent: str) -> None:
        lines.append(indent + opening(b))
        for inner in b.boxes:
            box(inner, indent + "  ")
        lines.extend(indent + "  " + node(n) for n in b.nodes)
        lines.append(indent + closing)

    loose, boxes = layout(diagram)
    lines.extend("  " + node(n) for n in loose)
    for b in boxes:
        box(b, "  ")
    return lines


STYLE = {
    "entry": ("([", "])"),
    "store": ("[(", ")]"),
    "cluster": ("{{", "}}"),
    "ml": ("[[", "]]"),
    "outside": ("((", "))"),
}


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(diagram: Diagram) -> str:
    lines = [
        f"%% {diagram.title}: drawn from the plan by `python -m preflight` (--diagram); do not edit by hand.",
        f"%% plan-hash: {diagram.digest}",
        "flowchart LR",
    ]

    def node(n: Node) -> str:
        left, right = STYLE.get(n.kind, ("[", "]"))
        return f'{n.id}{left}"{_mermaid_text(n.label)}"{right}'

    lines += _nested(diagram, node, lambda b: f'subgraph {b.id}["{_mermaid_text(b.label)}"]', "end")
    arrows = {"traffic": "-->", "uses": "-.->", "runs-on": "-.->"}
    for e in diagram.edges:
        label = f"|{_mermaid_text(e.label)}|" if e.label else ""
        lines.append(f"  {e.source} {arrows[e.style]}{label} {e.target}")
    lines += [
        "  classDef store fill:#e8f1fb,stroke:#3670b3",
        "  classDef entry fill:#fdf1e1,stroke:#c77d1a",
        "  classDef compute fill:#eef7ea,stroke:#4b8a3a",
        "  classDef other fill:#f4f4f4,stroke:#999,color:#333",
    ]
    for kind in ("store", "entry", "other"):
        ids = sorted(n.id for n in diagram.nodes.values() if n.kind == kind)
        if ids:
            lines.append(f"  class {','.join(ids)} {kind}")
    compute = sorted(n.id for n in diagram.nodes.values() if n.kind in ("compute", "node pool", "workload", "cluster", "ml"))
    if compute:
        lines.append(f"  class {','.join(compute)} compute")
    return "\n".join(lines) + "\n"


ROW = 4
"""Boxes per row for the components drawn outside the VPC."""

SHAPES = {"entry": "cds", "store": "cylinder", "cluster": "hexagon", "ml": "component", "outside": "ellipse",
          "node pool": "box3d", "workload": "box", "compute": "box", "network": "box", "other": "note"}
FILLS = {"entry": "#fdf1e1", "store": "#e8f1fb", "outside": "#ffffff", "other": "#f4f4f4"}
BOX_STYLES = {"vpc": 'style="rounded"; color="#3670b3"', "tier": 'style="rounded,dashed"; color="#888"',
              "workloads": 'style="rounded"; color="#4b8a3a"', "component": 'style="rounded"; color="#bbb"'}


def dot(diagram: Diagram) -> str:
    """The same graph for Graphviz (clusters for the VPC, tiers, components and workloads)."""
    lines = [
        "digraph architecture {",
        f'  graph [rankdir=LR, fontname="DejaVu Sans", fontsize=12, compound=true, nodesep=0.25, ranksep=0.6, label="{_dot_text(diagram.title)} (plan-hash {diagram.digest})", labelloc=t];',
        '  node [fontname="DejaVu Sans", fontsize=10, style="filled,rounded", fillcolor="#eef7ea"];',
        '  edge [fontname="DejaVu Sans", fontsize=9];',
    ]

    def node(n: Node) -> str:
        label = _dot_text(n.label.replace("<br/>", "\n"))
        tooltip = _dot_text(", ".join(sorted(n.urns))[:500])
        return f'{n.id} [label="{label}", shape={SHAPES.get(n.kind, "box")}, fillcolor="{FILLS.get(n.kind, "#eef7ea")}", tooltip="{tooltip}"];'

    lines += _nested(diagram, node, lambda b: f'subgraph cluster_{b.id} {{ label="{_dot_text(b.label)}"; {BOX_STYLES[b.style]};', "}")
    _, boxes = layout(diagram)
    # Boxes with no edges would stack in one tall column: chain them invisibly in rows.
    firsts = [b.nodes[0].id for b in boxes if b.style == "component" and b.nodes]
    for row in range(0, len(firsts), ROW):
        chain = firsts[row : row + ROW]
        for a, b_id in zip(chain, chain[1:]):
            lines.append(f"  {a} -> {b_id} [style=invis];")
    for e in diagram.edges:
        style = {"traffic": 'color="#c0392b"', "uses": 'style=dashed, color="#777"', "runs-on": 'style=dotted, color="#4b8a3a"'}[e.style]
        label = "" if e.style == "runs-on" else _dot_text(e.label)
        lines.append(f'  {e.source} -> {e.target} [label="{label}", {style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class GraphvizMissing(RuntimeError):
    pass


def svg(diagram: Diagram) -> str:
    """The graph laid out by Graphviz's ``dot`` (Debian's graphviz package; .ci/run installs it)."""
    executable = shutil.which("dot")
    if executable is None:
        raise GraphvizMissing("Graphviz's `dot` is not installed (apt-get install graphviz): it lays out the SVG")
    result = subprocess.run([executable, "-Tsvg"], input=dot(diagram), capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"dot failed: {result.stderr.strip()}")
    text = result.stdout
    marker = f"<!-- plan-hash: {diagram.digest} -->\n"
    # After the XML prolog and doctype: the hash, where a test (or a person) finds it.
    head, sep, tail = text.partition("<svg")
    return head + marker + sep + tail


HASH = re.compile(r"plan-hash: ([0-9a-f]{16})")


def embedded_hash(text: str) -> str | None:
    """The plan hash a drawn diagram (Mermaid or SVG) carries."""
    match = HASH.search(text)
    return match.group(1) if match else None


def render(document: Document, path: str) -> str:
    """The drawing for ``path``'s extension: ``.mmd`` (Mermaid) or ``.svg``."""
    diagram = build(document)
    if path.endswith(".mmd"):
        return mermaid(diagram)
    if path.endswith(".svg"):
        return svg(diagram)
    raise ValueError(f"{path}: the diagram's format follows its extension, .mmd (Mermaid) or .svg")
