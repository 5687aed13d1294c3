"""charts/torchserve rendered by the real Helm engine (helm-python-sdk) with each stack's values
as the program computes them, linted, and every object validated against the Kubernetes
schemas of the cluster's version (kubernetes-validate)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

from components.eks import node_pools
from components.ml.torchserve_plan import CHART_DIR, CHART_PATH, RELEASE_NAME, SERVICE_ACCOUNT
from tests.k8s_stack_support import EFS_ACCESS_POINT_ID, EFS_ID, MODEL_BUCKET, MODEL_PREFIX, build, built, stack_settings
from preflight.harness import PROJECT_DIR, read_stack_config

STACKS = ("production", "staging")
# The EKS engineer pins the cluster version in betterprompts:eks.version; until that key
# exists, the oldest version EKS offers in standard support that this chart targets.
DEFAULT_KUBERNETES_VERSION = "1.31"


def kubernetes_version(stack: str) -> str:
    config, _ = read_stack_config(stack)
    eks = config.get("betterprompts:eks")
    if isinstance(eks, str):
        eks = json.loads(eks)
    version = (eks or {}).get("version") if isinstance(eks, dict) else None
    return str(version) if version else DEFAULT_KUBERNETES_VERSION


def release_values(stack: str) -> dict[str, Any]:
    return built(stack).release(CHART_PATH).inputs["values"]


def render(values: dict[str, Any], namespace: str) -> list[dict[str, Any]]:
    with helm.Chart.load(CHART_DIR) as chart:
        manifests = chart.render(values=values, name=RELEASE_NAME, namespace=namespace, is_install=True)
    return [doc for text in manifests.values() for doc in yaml.safe_load_all(text) if doc]


@pytest.fixture(scope="module", params=STACKS)
def rendered(request: pytest.FixtureRequest) -> tuple[str, dict[str, dict[str, Any]]]:
    stack = request.param
    namespace = stack_settings(stack).workloads.prompt_generator.namespace
    docs = render(release_values(stack), namespace)
    by_kind = {doc["kind"]: doc for doc in docs}
    assert len(by_kind) == len(docs), "one object per kind"
    return stack, by_kind


def test_release_points_at_the_project_chart() -> None:
    assert (PROJECT_DIR / CHART_PATH).resolve() == CHART_DIR
    with helm.Chart.load(CHART_DIR) as chart:
        assert chart.name == "torchserve"


@pytest.mark.parametrize("stack", STACKS)
def test_lint_is_clean_with_the_stack_values(stack: str) -> None:
    report = helm.lint(
        CHART_DIR,
        release_values(stack),
        strict=True,
        namespace=stack_settings(stack).workloads.prompt_generator.namespace,
        kube_version=f"v{kubernetes_version(stack)}.0",
    )
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_lint_is_clean_with_the_chart_defaults() -> None:
    report = helm.lint(CHART_DIR, {"modelStore": {"s3": {"bucket": "any-bucket"}}}, strict=True)
    assert report["errors"] == [] and report["messages"] == []


def test_every_object_is_valid_for_the_cluster_version(rendered: tuple[str, dict[str, dict[str, Any]]]) -> None:
    stack, by_kind = rendered
    version = kubernetes_version(stack)
    assert set(by_kind) == {
        "ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount", "ServiceMonitor",
    }
    for kind, doc in by_kind.items():
        if doc["apiVersion"].startswith("monitoring.coreos.com/"):
            # A CRD kind: kubernetes-validate ships only the built-in schemas (checked below by hand).
            with pytest.raises(kubernetes_validate.SchemaNotFoundError):
                kubernetes_validate.validate(doc, version, strict=True)
            continue
        kubernetes_validate.validate(doc, version, strict=True)


def test_service_monitor_scrapes_the_metrics_port(rendered: tuple[str, dict[str, dict[str, Any]]]) -> None:
    stack, by_kind = rendered
    monitor, service = by_kind["ServiceMonitor"], by_kind["Service"]
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    labels = service["metadata"]["labels"]
    assert all(labels[k] == v for k, v in monitor["spec"]["selector"]["matchLabels"].items())
    assert monitor["spec"]["endpoints"] == [
        {"port": "metrics", "path": "/metrics", "interval": stack_settings(stack).workloads.metrics.scrape_interval}
    ]
    assert "metrics" in {p["name"] for p in service["spec"]["ports"]}


def test_deployment_is_what_the_hpa_scales(rendered: tuple[str, dict[str, dict[str, Any]]]) -> None:
    stack, by_kind = rendered
    deployment = by_kind["Deployment"]
    assert deployment["metadata"]["name"] == RELEASE_NAME
    assert built(stack).hpas()[RELEASE_NAME]["scaleTargetRef"] == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": RELEASE_NAME,
    }
    # The HPA owns the replica count: a helm upgrade must not reset it.
    assert "replicas" not in deployment["spec"]


def test_pods_land_on_the_gpu_pool(rendered: tuple[str, dict[str, dict[str, Any]]]) -> None:
    _, by_kind = rendered
    pod = by_kind["Deployment"]["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {node_pools.POOL_LABEL: "gpu"} == node_pools.GPU.node_selector()
    assert pod["tolerations"] == node_pools.GPU.tolerations()
    # The taint EksCluster puts on GPU nodes is nvidia.com/gpu=true:NoSchedule.
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}]


def test_container_serves_gpu_inference_with_probes_and_limits(rendered: tuple[str, dict[str, dict[str, Any]]]) -> None:
    stack, by_kind = rendered
    ts = stack_settings(stack).workloads.prompt_generator
    pod = by_kind["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == ts.image
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {
        "inference": ts.inference_port, "management": ts.management_port, "metrics": ts.metrics_port,
    }
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/ping", "port": "inference"}
    assert container["resources"] == {
        "requests": {"cpu": ts.resources.cpu_request, "memory": ts.resources.memory_request, "nvidia.com/gpu": str(ts.gpus)},
        "limits": {"cpu": ts.resources.cpu_limit, "memory": ts.resources.memory_limit, "nvidia.com/gpu": str(ts.gpus)},
    }
    assert {v["name"]: v["mountPath"] for v in container["volumeMounts"]}["config"] == "/etc/torchserve"
    assert container["args"][-2:] == ["--ts-config", "/etc/torchserve/config.properties"]


def test_every_container_runs_non_root_and_read_only(rendered: tuple[str, dict[str, dict[str, Any]]]) -> None:
    _, by_kind = rendered
    pod = by_kind["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in pod["containers"] + pod.get("initContainers", []):
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
        }
        assert container["resources"]["limits"] and container["resources"]["requests"]


def test_models_come_from_the_model_prefix_through_irsa(rendered: tuple[str, dict[str, dict[str, Any]]]) -> None:
    stack, by_kind = rendered
    role_arn = release_values(stack)["serviceAccount"]["roleArn"]
    assert role_arn.startswith("arn:aws:iam::")
    account = by_kind["ServiceAccount"]
    assert account["metadata"]["name"] == SERVICE_ACCOUNT
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role_arn}
    pod = by_kind["Deployment"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == SERVICE_ACCOUNT
    (fetch,) = pod["initContainers"]
    assert fetch["command"][:5] == ["aws", "s3", "sync", f"s3://{MODEL_BUCKET}/{MODEL_PREFIX}", "/home/model-server/model-store"]
    assert {"name": "AWS_REGION", "value": stack_settings(stack).region} in fetch["env"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes["model-store"]


def test_config_properties_come_from_the_configmap(rendered: tuple[str, dict[str, dict[str, Any]]]) -> None:
    stack, by_kind = rendered
    ts = stack_settings(stack).workloads.prompt_generator
    props = dict(
        line.split("=", 1)
        for line in by_kind["ConfigMap"]["data"]["config.properties"].splitlines()
        if line and not line.startswith("#")
    )
    assert props["inference_address"] == f"http://0.0.0.0:{ts.inference_port}"
    assert props["metrics_address"] == f"http://0.0.0.0:{ts.metrics_port}"
    assert props["metrics_mode"] == "prometheus"
    assert props["number_of_gpu"] == str(ts.gpus)
    assert props["load_models"] == ts.models
    volumes = {v["name"]: v for v in by_kind["Deployment"]["spec"]["template"]["spec"]["volumes"]}
    assert volumes["config"]["configMap"]["name"] == by_kind["ConfigMap"]["metadata"]["name"]


def test_network_policy_admits_only_clients_and_prometheus(rendered: tuple[str, dict[str, dict[str, Any]]]) -> None:
    stack, by_kind = rendered
    workloads = stack_settings(stack).workloads
    ingress = by_kind["NetworkPolicy"]["spec"]["ingress"]
    assert ingress[0]["from"][0]["namespaceSelector"]["matchExpressions"][0]["values"] == [workloads.namespace]
    assert ingress[0]["ports"] == [{"port": "inference", "protocol": "TCP"}]
    assert ingress[1]["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": workloads.metrics.namespace
    }
    assert ingress[1]["ports"] == [{"port": "metrics", "protocol": "TCP"}]


def test_pdb_never_blocks_a_drain_of_a_single_replica(rendered: tuple[str, dict[str, dict[str, Any]]]) -> None:
    _, by_kind = rendered
    spec = by_kind["PodDisruptionBudget"]["spec"]
    assert spec == {"maxUnavailable": 1, "selector": by_kind["Deployment"]["spec"]["selector"]}


def test_efs_model_store_renders_a_read_only_claim() -> None:
    settings = stack_settings("staging")
    efs = dataclasses.replace(settings.workloads.prompt_generator, model_store="efs", efs_claim_name="models-efs")
    plan = build(settings, tweak=lambda s: dataclasses.replace(s, workloads=dataclasses.replace(s.workloads, prompt_generator=efs)))
    values = plan.release(CHART_PATH).inputs["values"]
    docs = {d["kind"]: d for d in render(values, efs.namespace)}
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    assert "initContainers" not in pod
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["model-store"]["persistentVolumeClaim"] == {"claimName": "models-efs", "readOnly": True}
    kubernetes_validate.validate(docs["Deployment"], kubernetes_version("staging"), strict=True)
    # The program creates the claim, bound to a static volume on the shared file system's model access point.
    [volume] = plan.of_type("kubernetes:core/v1:PersistentVolume")
    [claim] = plan.of_type("kubernetes:core/v1:PersistentVolumeClaim")
    assert volume.inputs["spec"]["csi"] == {"driver": "efs.csi.aws.com", "volumeHandle": f"{EFS_ID}::{EFS_ACCESS_POINT_ID}"}
    assert volume.inputs["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert claim.inputs["metadata"] == {"name": "models-efs", "namespace": efs.namespace}
    assert claim.inputs["spec"]["volumeName"] == volume.inputs["metadata"]["name"]
    assert claim.inputs["spec"]["storageClassName"] == volume.inputs["spec"]["storageClassName"] == "efs-sc"
    for doc in (
        {"apiVersion": "v1", "kind": "PersistentVolume", **{k: volume.inputs[k] for k in ("metadata", "spec")}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", **{k: claim.inputs[k] for k in ("metadata", "spec")}},
    ):
        kubernetes_validate.validate(doc, kubernetes_version("staging"), strict=True)


def test_s3_model_store_creates_no_claim() -> None:
    plan = build(stack_settings("staging"))
    assert not plan.of_type("kubernetes:core/v1:PersistentVolumeClaim")


def test_chart_refuses_s3_without_a_bucket() -> None:
    with pytest.raises(helm.HelmRenderError, match="modelStore.s3.bucket is required"):
        render({}, "ml-inference")


def test_values_schema_rejects_a_misspelt_key_from_the_program() -> None:
    values = dict(release_values("production"))
    values["nodeSelecter"] = values.pop("nodeSelector")
    with helm.Chart.load(CHART_DIR) as chart:
        assert chart.schema is not None
        chart.validate_schema(release_values("production"))
        with pytest.raises(helm.HelmValuesError, match="nodeSelecter"):
            chart.validate_schema(values)
