"""The KPI dashboard: every widget's metrics are ones AWS publishes (namespace, name, dimensions), and each
dimension names a resource of the stack's own plan (the load balancer's and target groups' ARN suffixes,
the serving endpoint, the cluster, the node groups' Auto Scaling groups, the spot rules)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from components.observability import METRICS, KpiSources, KpiTargets, dashboard_body, dashboard_name
from components.observability.dashboard_plan import (
    BILLING_REGION,
    metric,
    spot_interruption_pattern,
    spot_launch_pattern,
)
from preflight.harness import Plan

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
RULE = "aws:cloudwatch/eventRule:EventRule"


def _body(plan: Plan) -> dict[str, Any]:
    [dashboard] = plan.of_type(DASHBOARD)
    assert dashboard.inputs["dashboardName"] == f"{plan.project}-{plan.stack}-kpis"
    return json.loads(dashboard.inputs["dashboardBody"])


def _metrics(body: dict[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    """(widget title, metric entry) for every metric (not expression) of every graph."""
    for widget in body["widgets"]:
        if widget["type"] != "metric":
            continue
        for entry in widget["properties"]["metrics"]:
            if isinstance(entry[0], dict):
                assert "expression" in entry[0]
                continue
            yield widget["properties"]["title"], entry


def _dimensions(entry: list[Any]) -> dict[str, str]:
    plain = [part for part in entry[2:] if not isinstance(part, dict)]
    return dict(zip(plain[::2], plain[1::2]))


def _arn_suffix(arn: str) -> str:
    """What ELB's ``arn_suffix`` is: the ARN's resource part after ``loadbalancer/`` (target groups: all of it)."""
    resource = arn.split(":", 5)[5]
    return resource.removeprefix("loadbalancer/")


def _expected(plan: Plan) -> dict[str, set[str]]:
    """Dimension name -> the values the stack's own resources give it."""
    groups = plan.of_type("aws:eks/nodeGroup:NodeGroup")
    rules = [r for r in plan.of_type(RULE) if "-kpis-" in r.name]
    return {
        "LoadBalancer": {_arn_suffix(r.id) for r in plan.of_type("aws:lb/loadBalancer:LoadBalancer")},
        "TargetGroup": {_arn_suffix(r.id) for r in plan.of_type("aws:lb/targetGroup:TargetGroup")},
        "EndpointName": {r.inputs["name"] for r in plan.of_type("aws:sagemaker/endpoint:Endpoint")},
        "VariantName": {
            v["variantName"] for c in plan.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration") for v in c.inputs["productionVariants"]
        },
        "ClusterName": {r.inputs["name"] for r in plan.of_type("eks:index:Cluster")},
        # EKS names a managed node group's Auto Scaling group eks-<node group name>-<uuid>.
        "AutoScalingGroupPrefix": {f"eks-{g.id.split(':', 1)[1]}-" for g in groups},
        "RuleName": {r.id for r in rules},
        "Currency": {"USD"},
        "DistributionId": {r.id for r in plan.of_type("aws:cloudfront/distribution:Distribution")},
        "Region": {"Global"},
        # Not Lambda@Edge, and not the bulk workflow's tasks (batch jobs: the workflow's own alarms watch them,
        # and their minutes-long duration lines would flatten the request path's on a shared widget).
        "FunctionName": {
            r.inputs["name"]
            for r in plan.of_type("aws:lambda/function:Function")
            if not r.inputs["name"].endswith("-seo-routing") and (r.inputs.get("tags") or {}).get("InvokedBy") != "step-functions"
        },
        "QueueName": {r.inputs["name"] for r in plan.of_type("aws:sqs/queue:Queue") if r.inputs["name"].endswith("-intent-classification")},
    }


def test_every_metric_is_published_by_aws_with_these_dimensions(plan: Plan) -> None:
    body = _body(plan)
    entries = list(_metrics(body))
    assert len(entries) >= 10
    for title, entry in entries:
        namespace, name = entry[0], entry[1]
        assert (namespace, name) in METRICS, f"{title}: {namespace} {name}"
        assert tuple(_dimensions(entry)) == METRICS[(namespace, name)], f"{title}: {entry}"


def test_every_dimension_names_a_resource_of_this_stack(plan: Plan) -> None:
    expected = _expected(plan)
    seen: dict[str, set[str]] = {}
    for title, entry in _metrics(_body(plan)):
        for key, value in _dimensions(entry).items():
            seen.setdefault(key, set()).add(value)
            if key == "AutoScalingGroupName":
                assert any(value.startswith(p) for p in expected["AutoScalingGroupPrefix"]), f"{title}: {value}"
            else:
                assert value in expected[key], f"{title}: {key}={value} is none of {expected[key]}"
    # Every target group, every node group, the load balancer and the cluster are on the dashboard.
    assert seen["TargetGroup"] == expected["TargetGroup"] and len(expected["TargetGroup"]) == 3
    assert seen["LoadBalancer"] == expected["LoadBalancer"]
    assert seen["ClusterName"] == expected["ClusterName"]
    assert len(seen["AutoScalingGroupName"]) == len(expected["AutoScalingGroupPrefix"])
    assert seen["EndpointName"] == expected["EndpointName"] and len(seen["EndpointName"]) == 1
    assert seen["RuleName"] == expected["RuleName"] and len(seen["RuleName"]) == 2
    # The CDN, the three functions and the work queue that landed beside the KPIs.
    assert seen["DistributionId"] == expected["DistributionId"] and len(expected["DistributionId"]) == 1
    assert seen["FunctionName"] == expected["FunctionName"] and len(expected["FunctionName"]) == 3
    assert seen["QueueName"] == expected["QueueName"] and len(expected["QueueName"]) == 1


def test_the_spot_rules_count_launches_of_exactly_the_spot_groups(plan: Plan) -> None:
    spot_groups = {f"eks-{g.id.split(':', 1)[1]}-" for g in plan.of_type("aws:eks/nodeGroup:NodeGroup") if g.inputs["capacityType"] == "SPOT"}
    assert spot_groups  # spot and training
    rules = {r.name.rsplit("-kpis-", 1)[1]: r for r in plan.of_type(RULE) if "-kpis-" in r.name}
    launches = json.loads(rules["spot-launches"].inputs["eventPattern"])
    assert launches["source"] == ["aws.autoscaling"] and launches["detail-type"] == ["EC2 Instance Launch Successful"]
    names = launches["detail"]["AutoScalingGroupName"]
    assert len(names) == len(spot_groups)
    assert all(any(n.startswith(p) for p in spot_groups) for n in names)
    interruptions = json.loads(rules["spot-interruptions"].inputs["eventPattern"])
    assert interruptions == {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]}
    # Rules that only count: no target.
    assert not [t for t in plan.of_type("aws:cloudwatch/eventTarget:EventTarget") if "-kpis-" in t.name]


def test_the_target_lines_are_the_alarms_thresholds_and_the_seeds_kpis(plan: Plan) -> None:
    lines = {
        w["properties"]["title"].split(":")[0].split(" (")[0]: w["properties"]["annotations"]["horizontal"][0]["value"]
        for w in _body(plan)["widgets"]
        if w["type"] == "metric"
    }
    assert lines == {
        "API p95 response time": 0.2,  # TargetResponseTime is in seconds: 200 ms
        "ML inference p95 model latency": 500_000,  # ModelLatency is in microseconds: 500 ms
        "Availability": 99.9,
        "Auto-scaling response": 0,
        "Cost per request": 0.001,
        "Utilization": 70,
        "Spot success": 95,
        "CloudFront": 1 if plan.stack == "production" else 5,  # edge.alarms.cloudFront5xxRatePercent
        "Lambda": 0,  # errors and throttles: none
        "SQS": 600 if plan.stack == "production" else 1800,  # serverless.intentQueue.alarms.oldestMessageAgeSeconds
        **({"CloudFront origin latency p95": 200} if plan.stack == "production" else {}),  # only with additional metrics
        # The first function's (image optimizer's) duration alarm; each function has its own line.
        "Lambda duration p95 per function": 30000 if plan.stack == "production" else 40000,
    }


def test_duration_lines_are_each_functions_alarm(production: Plan) -> None:
    [widget] = [w for w in _body(production)["widgets"] if w["properties"].get("title", "").startswith("Lambda duration")]
    lines = {line["label"]: line["value"] for line in widget["properties"]["annotations"]["horizontal"]}
    assert lines == {"image-optimizer alarm 30000 ms": 30000, "scheduled-tasks alarm 240000 ms": 240000, "webhook alarm 1000 ms": 1000}


def test_origin_latency_needs_the_distributions_additional_metrics(production: Plan, staging: Plan) -> None:
    [subscription] = production.of_type("aws:cloudfront/monitoringSubscription:MonitoringSubscription")
    [distribution] = production.of_type("aws:cloudfront/distribution:Distribution")
    assert subscription.inputs["distributionId"] == distribution.id and subscription.parent == distribution.urn
    status = subscription.inputs["monitoringSubscription"]["realtimeMetricsSubscriptionConfig"]["realtimeMetricsSubscriptionStatus"]
    assert status == "Enabled"
    assert not staging.of_type("aws:cloudfront/monitoringSubscription:MonitoringSubscription")
    texts = [w["properties"]["markdown"] for w in _body(staging)["widgets"] if w["type"] == "text"]
    assert any("edge.cdn.additionalMetrics" in t for t in texts)


def test_billing_is_read_in_us_east_1_and_the_rest_in_the_stack_region(plan: Plan) -> None:
    for widget in _body(plan)["widgets"]:
        if widget["type"] != "metric":
            continue
        assert widget["properties"]["region"] == "us-east-1"  # both stacks' region
        for entry in widget["properties"]["metrics"]:
            if entry[0] == "AWS/Billing":
                assert entry[-1]["region"] == BILLING_REGION


def test_gpu_utilization_only_where_the_endpoint_has_instances(production: Plan, staging: Plan) -> None:
    def namespaces(plan: Plan) -> set[str]:
        return {entry[0] for _, entry in _metrics(_body(plan))}

    assert "/aws/sagemaker/Endpoints" in namespaces(production)  # GPU multi-model endpoint
    assert "/aws/sagemaker/Endpoints" not in namespaces(staging)  # serverless: no instance metrics


def test_widgets_fit_the_grid_without_overlap(plan: Plan) -> None:
    taken: set[tuple[int, int]] = set()
    for widget in _body(plan)["widgets"]:
        assert widget["x"] + widget["width"] <= 24
        cells = {(x, y) for x in range(widget["x"], widget["x"] + widget["width"]) for y in range(widget["y"], widget["y"] + widget["height"])}
        assert not cells & taken
        taken |= cells


# --- the plan functions alone ----------------------------------------------------------------


SOURCES = KpiSources(
    region="us-east-2",
    cluster_name="c",
    load_balancer="app/lb/0123",
    target_groups={"frontend": "targetgroup/fe/1"},
    endpoint_name="ep",
    endpoint_instances=True,
    node_groups={"spot": "eks-c-spot-x-1"},
    spot_launch_rule="r1",
    spot_interruption_rule="r2",
)


def test_a_stack_outside_us_east_1_still_reads_billing_there() -> None:
    body = json.loads(dashboard_body(SOURCES))
    [cost] = [w for w in body["widgets"] if w["type"] == "metric" and w["properties"]["title"].startswith("Cost per request")]
    assert cost["properties"]["region"] == "us-east-2"
    [billing] = [e for e in cost["properties"]["metrics"] if e[0] == "AWS/Billing"]
    assert billing[-1]["region"] == "us-east-1"


def test_without_load_balancer_endpoint_or_spot_the_widgets_say_so() -> None:
    bare = KpiSources(region="us-east-1", cluster_name="c", node_groups={"system": "eks-c-system-1"})
    texts = [w["properties"]["markdown"] for w in json.loads(dashboard_body(bare))["widgets"] if w["type"] == "text"]
    assert any("No load balancer" in t for t in texts)
    assert any("TorchServe serves" in t for t in texts)
    assert any("No spot node group" in t for t in texts)


def test_targets_from_config_move_the_lines() -> None:
    sources = KpiSources(**{**SOURCES.__dict__, "targets": KpiTargets(availability_percent=99.95, scale_up_seconds=180)})
    widgets = {w["properties"].get("title", ""): w for w in json.loads(dashboard_body(sources))["widgets"]}
    [availability] = [w for t, w in widgets.items() if t.startswith("Availability")]
    assert availability["properties"]["annotations"]["horizontal"][0]["value"] == 99.95
    [scale] = [w for t, w in widgets.items() if t.startswith("Auto-scaling")]
    assert scale["properties"]["period"] == 180  # Minimum over the whole window: pods waited all of it


@pytest.mark.parametrize(
    ("namespace", "name", "dimensions"),
    [
        ("AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": "app/x/1"}),  # needs the target group too
        ("AWS/ApplicationELB", "Latency", {"LoadBalancer": "app/x/1"}),  # a Classic Load Balancer metric
        ("AWS/SageMaker", "ModelLatency", {"EndpointName": "e"}),
        ("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": ""}),
    ],
)
def test_a_metric_aws_does_not_publish_so_is_refused(namespace: str, name: str, dimensions: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        metric(namespace, name, dimensions)


def test_spot_patterns() -> None:
    assert json.loads(spot_launch_pattern(["b", "a"]))["detail"] == {"AutoScalingGroupName": ["a", "b"]}
    with pytest.raises(ValueError):
        spot_launch_pattern([])
    assert json.loads(spot_interruption_pattern())["source"] == ["aws.ec2"]


def test_dashboard_name_rules() -> None:
    assert dashboard_name("betterprompts-production") == "betterprompts-production-kpis"
    with pytest.raises(ValueError):
        dashboard_name("bad name")
    with pytest.raises(ValueError):
        dashboard_name("p" * 251)

