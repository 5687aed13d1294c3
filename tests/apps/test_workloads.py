"""The four services and their HPAs: the seed's table exactly, placement on the right node pools,
the model-reader IRSA role, and bad config rejected before any resource exists."""

from __future__ import annotations

import json
from typing import Any, cast

import pulumi_kubernetes as k8s
import pytest

from components.apps import ServiceAwsAccess, Workloads, WorkloadsArgs
from components.apps.settings import SCALE_UP_BUDGET_SECONDS, scale_up_reaction_seconds
from components.apps.workloads_plan import GPU_UTILIZATION_METRIC, QUEUE_DEPTH_METRIC, RPS_METRIC
from components.eks import node_pools
from components.settings import ConfigError, load_settings
from tests.k8s_stack_support import INTENT_QUEUE, MODEL_BUCKET_ARN, OIDC_ARN, OIDC_URL, STORAGE_KEY_ARN, built, stack_settings
from preflight.harness import read_stack_config

HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"


def cpu(target: int) -> dict[str, Any]:
    return {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}


def memory(target: int) -> dict[str, Any]:
    return {"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": target}}}


def pods(metric: str, value: str) -> dict[str, Any]:
    return {"type": "Pods", "pods": {"metric": {"name": metric}, "target": {"type": "AverageValue", "averageValue": value}}}


def external(metric: str, value: str, selector: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "External",
        "external": {
            "metric": {"name": metric, "selector": {"matchLabels": selector}},
            "target": {"type": "AverageValue", "averageValue": value},
        },
    }


def target(name: str) -> dict[str, str]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}


# --- the seed's table, exactly (production) --------------------------------------------


def test_production_hpas_are_the_seed_table() -> None:
    hpas = built("production").hpas()
    assert set(hpas) == {"frontend", "intent-classifier", "technique-selector", "prompt-generator"}
    expected = {
        # Frontend: CPU 70%, Memory 80% (2-10 pods)
        "frontend": (2, 10, [cpu(70), memory(80)]),
        # Intent Classifier: CPU 60%, Queue depth (3-15 pods)
        # (the depth of its SQS work queue, selected by the exporter's queue_name label)
        "intent-classifier": (3, 15, [cpu(60), external(QUEUE_DEPTH_METRIC, "20", {"queue_name": INTENT_QUEUE})]),
        # Technique Selector: CPU 70%, RPS (3-12 pods)
        "technique-selector": (3, 12, [cpu(70), pods(RPS_METRIC, "50")]),
        # Prompt Generator: GPU utilization 70% (1-8 pods)
        "prompt-generator": (1, 8, [pods(GPU_UTILIZATION_METRIC, "70")]),
    }
    for name, (low, high, metrics) in expected.items():
        spec = hpas[name]
        assert spec["scaleTargetRef"] == target(name), name
        assert (spec["minReplicas"], spec["maxReplicas"]) == (low, high), name
        assert spec["metrics"] == metrics, name
    assert GPU_UTILIZATION_METRIC == "gpu_utilization"
    assert RPS_METRIC == "http_requests_per_second"
    assert QUEUE_DEPTH_METRIC == "intent_classifier_queue_depth"


def test_staging_keeps_the_signals_with_smaller_ranges() -> None:
    production, staging = built("production").hpas(), built("staging").hpas()
    assert set(staging) == set(production)
    for name, spec in staging.items():
        assert [m["type"] for m in spec["metrics"]] == [m["type"] for m in production[name]["metrics"]]
        assert spec["maxReplicas"] <= production[name]["maxReplicas"]
        assert spec["minReplicas"] <= production[name]["minReplicas"]
    assert (staging["frontend"]["minReplicas"], staging["frontend"]["maxReplicas"]) == (1, 3)
    assert (staging["prompt-generator"]["minReplicas"], staging["prompt-generator"]["maxReplicas"]) == (1, 2)


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_every_hpa_is_autoscaling_v2_on_an_existing_deployment(stack: str) -> None:
    plan = built(stack)
    deployments = {r.inputs["metadata"]["name"] for r in plan.of_type("kubernetes:apps/v1:Deployment")}
    for resource in plan.of_type(HPA):
        assert resource.inputs["apiVersion"] == "autoscaling/v2"
        name = resource.inputs["spec"]["scaleTargetRef"]["name"]
        # prompt-generator's Deployment comes from the chart (see test_torchserve_chart).
        assert name in deployments or name == "prompt-generator"


# --- behavior: scale-up inside the seed's 2 minutes, stabilized scale-down --------------


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_scale_up_acts_fast_and_scale_down_is_stabilized(stack: str) -> None:
    plan = built(stack)
    for name, spec in plan.hpas().items():
        up, down = spec["behavior"]["scaleUp"], spec["behavior"]["scaleDown"]
        assert up["stabilizationWindowSeconds"] == 0, name
        assert up["selectPolicy"] == "Max"
        assert all(p["periodSeconds"] == 15 for p in up["policies"])
        assert {p["type"] for p in up["policies"]} == {"Percent", "Pods"}
        assert down["stabilizationWindowSeconds"] >= 300, name
        assert down["selectPolicy"] == "Min"
        assert down["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": 60}]
    metrics = plan.settings.workloads.metrics
    assert scale_up_reaction_seconds(metrics.scrape_interval, 0) < SCALE_UP_BUDGET_SECONDS
    # GPU pods take minutes to load models: production waits 10 minutes before removing one.
    if stack == "production":
        assert plan.hpas()["prompt-generator"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 600


# --- placement ---------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_services_run_on_the_application_pool(stack: str) -> None:
    plan = built(stack)
    deployments = plan.of_type("kubernetes:apps/v1:Deployment")
    assert {d.inputs["metadata"]["name"] for d in deployments} == {"frontend", "intent-classifier", "technique-selector"}
    for deployment in deployments:
        pod = deployment.inputs["spec"]["template"]["spec"]
        assert pod["nodeSelector"] == node_pools.APPLICATION.node_selector() == {node_pools.POOL_LABEL: "application"}
        # The application pool is untainted; no toleration lets a service onto GPU, system or spot nodes.
        assert pod.get("tolerations", []) == []
        assert "replicas" not in deployment.inputs["spec"]


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_torchserve_release_is_placed_on_the_gpu_pool_from_node_pools(stack: str) -> None:
    values = built(stack).release("charts/torchserve").inputs["values"]
    assert values["nodeSelector"] == node_pools.GPU.node_selector()
    assert values["tolerations"] == [node_pools.GPU.taint.toleration()]  # type: ignore[union-attr]
    assert node_pools.GPU.taint == node_pools.Taint("nvidia.com/gpu", "true", "NoSchedule")


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_service_containers_match_config_and_run_restricted(stack: str) -> None:
    plan = built(stack)
    services = plan.settings.workloads.services
    for deployment in plan.of_type("kubernetes:apps/v1:Deployment"):
        name = deployment.inputs["metadata"]["name"]
        settings = services[name]
        pod = deployment.inputs["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["image"] == settings.image
        assert container["ports"] == [{"name": "http", "containerPort": settings.port, "protocol": "TCP"}]
        assert container["resources"] == settings.resources.to_k8s()
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert pod["securityContext"]["runAsNonRoot"] is True
    for service in plan.of_type("kubernetes:core/v1:Service"):
        assert service.inputs["spec"]["type"] == "ClusterIP"
        assert service.inputs["spec"]["ports"][0]["targetPort"] == "http"


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_each_stack_namespace_is_separate(stack: str) -> None:
    names = {r.inputs["metadata"]["name"] for r in built(stack).of_type("kubernetes:core/v1:Namespace")}
    assert names == {"betterprompts", "ml-inference", "monitoring"}


# --- service accounts and AWS access ---------------------------------------------------


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_every_service_runs_as_its_own_account_without_an_api_token(stack: str) -> None:
    plan = built(stack)
    accounts = {
        r.inputs["metadata"]["name"]: r
        for r in plan.of_type("kubernetes:core/v1:ServiceAccount")
        if r.inputs["metadata"]["namespace"] == plan.settings.workloads.namespace
    }
    assert set(accounts) == set(plan.settings.workloads.services)
    for deployment in plan.of_type("kubernetes:apps/v1:Deployment"):
        name = deployment.inputs["metadata"]["name"]
        pod = deployment.inputs["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == name
        assert pod["automountServiceAccountToken"] is False
        assert accounts[name].inputs["automountServiceAccountToken"] is False
        # The harness gives none of them AWS access: no role annotation, so no credentials.
        assert "annotations" not in accounts[name].inputs["metadata"]
        assert accounts[name].urn in deployment.dependencies


def _args(**overrides: Any) -> WorkloadsArgs:
    settings = stack_settings("production").workloads
    args: dict[str, Any] = {
        "k8s_provider": cast(k8s.Provider, None),
        "settings": settings,
        "intent_queue_name": INTENT_QUEUE,
        "oidc_provider_arn": OIDC_ARN,
        "oidc_provider_url": OIDC_URL,
    }
    args.update(overrides)
    return WorkloadsArgs(**args)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"aws_access": {"intent-clasifier": ServiceAwsAccess("x", "{}")}}, "AWS access given for services that do not exist: intent-clasifier"),
        (
            {"aws_access": {"intent-classifier": ServiceAwsAccess("x", "{}")}, "oidc_provider_url": None},
            "set oidc_provider_arn and oidc_provider_url",
        ),
    ],
)
def test_aws_access_is_refused_before_anything_exists_when_it_cannot_work(overrides: dict[str, Any], message: str) -> None:
    # Checked before the component registers itself: no Pulumi runtime is needed to see the refusal.
    with pytest.raises(ValueError, match=message):
        Workloads("betterprompts-test-apps", _args(**overrides))


# --- TorchServe's IRSA role ----------------------------------------------------------


def test_model_reader_role_trusts_only_the_torchserve_service_account() -> None:
    plan = built("production")
    # The metrics pipeline's CloudWatch exporter has its own (tests/serverless/test_queue.py).
    (role,) = [r for r in plan.of_type("aws:iam/role:Role") if "-torchserve" in r.name]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Federated": OIDC_ARN}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"]["StringEquals"] == {
        f"{OIDC_URL}:sub": "system:serviceaccount:ml-inference:prompt-generator",
        f"{OIDC_URL}:aud": "sts.amazonaws.com",
    }
    assert role.inputs["tags"]["Component"] == "torchserve"
    # Through the stack's explicit AWS provider, as __main__.py passes it.
    (aws_provider,) = plan.of_type("pulumi:providers:aws")
    assert role.provider.startswith(aws_provider.urn + "::")


def test_model_reader_policy_is_scoped_to_the_model_prefix_and_key() -> None:
    plan = built("production")
    (policy,) = [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if "-torchserve" in p.name]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["ReadModels"]["Action"] == ["s3:GetObject"]
    assert statements["ReadModels"]["Resource"] == f"{MODEL_BUCKET_ARN}/models/*"
    assert statements["ListModelPrefix"]["Resource"] == MODEL_BUCKET_ARN
    assert statements["ListModelPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["models/", "models/*"]}}
    assert statements["DecryptModels"] == {
        "Sid": "DecryptModels",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": STORAGE_KEY_ARN,
        "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    }
    assert all("*" not in s["Action"] for s in statements.values())


# --- bad config ----------------------------------------------------------------------


def _load_with(stack: str, mutate: Any) -> None:
    config, _ = read_stack_config(stack)
    workloads = json.loads(json.dumps(config["betterprompts:workloads"]))
    mutate(workloads)
    config["betterprompts:workloads"] = workloads
    load_settings(config, project="betterprompts", stack=stack)


def _set(path: str, value: Any) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, leaf = path.split(".")
        for key in parents:
            doc = doc[key]
        doc[leaf] = value

    return mutate


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        ("services.frontend.replicas", {"min": 11, "max": 10}, "services.frontend.replicas"),
        ("services.frontend.replicas", {"min": 0, "max": 10}, "services.frontend.replicas.min"),
        ("services.frontend.targets.cpuUtilization", 0, "services.frontend.targets.cpuUtilization"),
        ("services.frontend.targets.memoryUtilization", 101, "services.frontend.targets.memoryUtilization"),
        ("services.intentClassifier.targets.queueDepthPerPod", -1, "services.intentClassifier.targets.queueDepthPerPod"),
        ("services.techniqueSelector.targets.memoryUtilization", 80, "services.techniqueSelector.targets.memoryUtilization"),
        ("services.frontend.image", "ghcr.io/betterprompts/frontend", "services.frontend.image"),
        ("services.frontend.image", "ghcr.io/betterprompts/frontend:latest", "services.frontend.image"),
        ("services.frontend.port", 80, "services.frontend.port"),
        ("services.frontend.resources.limits.cpu", "100m", "services.frontend.resources.limits.cpu"),
        ("services.frontend.resources.requests.memory", "lots", "services.frontend.resources.requests.memory"),
        ("promptGenerator.targets.gpuUtilization", 150, "promptGenerator.targets.gpuUtilization"),
        ("promptGenerator.replicas", {"min": 9, "max": 8}, "promptGenerator.replicas"),
        ("promptGenerator.gpus", 0, "promptGenerator.gpus"),
        ("promptGenerator.ports", {"inference": 8080, "management": 8080, "metrics": 8082}, "promptGenerator.ports"),
        ("promptGenerator.modelStore", {"source": "nfs"}, "promptGenerator.modelStore.source"),
        ("promptGenerator.modelStore", {"source": "s3", "efsClaimName": "x"}, "promptGenerator.modelStore.efsClaimName"),
        ("promptGenerator.modelStore", {"source": "efs"}, "promptGenerator.modelStore.efsClaimName"),
        ("promptGenerator.namespace", "betterprompts", "promptGenerator.namespace"),
        # TorchServe only from the platform's ECR mirror, by digest: not Docker Hub, not a tag.
        ("promptGenerator.image", "pytorch/torchserve:0.12.0-gpu", "promptGenerator.image"),
        ("promptGenerator.image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/pytorch/torchserve:0.12.0-gpu", "promptGenerator.image"),
        ("promptGenerator.image", "docker.io/pytorch/torchserve@sha256:" + "0" * 64, "promptGenerator.image"),
        ("metrics.scrapeInterval", "15 seconds", "metrics.scrapeInterval"),
        ("scaleUpStabilizationSeconds", 90, "scaleUpStabilizationSeconds"),
        ("services.frontend.replicaz", {"min": 1, "max": 2}, "services.frontend.replicaz"),
        ("namespace", "kube-system", "namespace"),
        ("metrics.namespace", "Monitoring", "metrics.namespace"),
    ],
)
def test_bad_workload_config_is_rejected(path: str, value: Any, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        _load_with("production", _set(path, value))
    assert error.value.key == f"betterprompts:workloads.{key}"


def test_staging_settings_are_read_from_the_stack_file() -> None:
    workloads = stack_settings("staging").workloads
    assert workloads.metrics.scrape_interval == "30s"
    assert workloads.prompt_generator.scaling.max_replicas == 2


def test_torchserve_comes_from_the_ecr_mirror_by_digest() -> None:
    image = stack_settings("production").workloads.prompt_generator.image
    registry, _, reference = image.partition("/")
    assert registry.endswith(".dkr.ecr.us-east-1.amazonaws.com")
    assert reference.startswith("mirror/pytorch/torchserve@sha256:")
