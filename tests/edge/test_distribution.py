"""SiteDistribution in both stacks: origins (OAC, the load balancer over HTTPS with the secret header),
behaviours, viewer TLS, the us-east-1 certificate, logging v2, KPI alarms, DNS names, exports, and the
storage key and assets bucket admitting exactly this distribution."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from components.edge import SiteDistribution, SiteDistributionArgs, api_behaviour_paths
from components.settings import load_settings
from preflight.harness import Plan, Resource, read_stack_config
from preflight.monitor import run_function
from preflight.policy_stage import evaluate
from preflight.records import SECRET_PLACEHOLDER
from policies.pack import ALL_POLICIES

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def _settings(plan: Plan) -> Any:
    return load_settings(read_stack_config(plan.stack)[0], project="betterprompts", stack=plan.stack).edge


def _distribution(plan: Plan) -> Resource:
    [distribution] = plan.of_type(DISTRIBUTION)
    return distribution


def _component(plan: Plan) -> list[Resource]:
    [component] = plan.of_type("betterprompts:edge:SiteDistribution")
    return list(plan.descendants(component.urn))


def test_the_origins_carry_the_load_balancers_secret_so_the_plan_shows_none_of_them(plan: Plan) -> None:
    # The X-Origin-Verify value is a secret Output: the SDK marks the whole origins list secret, so it is
    # never in the plan or state in plain text. The origins are checked on the component below.
    assert _distribution(plan).inputs["origins"] == SECRET_PLACEHOLDER
    [oac] = plan.of_type("aws:cloudfront/originAccessControl:OriginAccessControl")
    assert (oac.inputs["originAccessControlOriginType"], oac.inputs["signingBehavior"], oac.inputs["signingProtocol"]) == ("s3", "always", "sigv4")


def _component_plan(header: str = "test-only-value") -> dict[str, Any]:
    resources, _ = run_function(lambda: SiteDistribution("site", _args(origin_header_value=header)))
    return {"project": "betterprompts", "stack": "production", "resources": [r.to_json() for r in resources], "outputs": {}}


def test_assets_through_oac_and_the_api_over_https_with_the_origin_header() -> None:
    document = _component_plan()
    [distribution] = [r for r in document["resources"] if r["type"] == DISTRIBUTION]
    [oac] = [r for r in document["resources"] if r["type"] == "aws:cloudfront/originAccessControl:OriginAccessControl"]
    origins = {o["originId"]: o for o in distribution["inputs"]["origins"]}
    assets, api = origins["assets"], origins["api"]
    assert assets["domainName"] == "b.s3.us-east-1.amazonaws.com"
    assert assets["originAccessControlId"] == oac["id"]
    assert api["domainName"] == "origin.betterprompts.io"
    custom = api["customOriginConfig"]
    assert (custom["originProtocolPolicy"], custom["originSslProtocols"], custom["httpsPort"]) == ("https-only", ["TLSv1.2"], 443)
    assert api["customHeaders"] == [{"name": "X-Origin-Verify", "value": "test-only-value"}]
    # The pack's CloudFront policies pass on the origins the stack plan cannot show.
    names = ("cloudfront-origins-private-and-logged", "cloudfront-https-tls12")
    found = evaluate(document, policies=[p for p in ALL_POLICIES if p.name in names], config={n: "mandatory" for n in names})
    assert found == []


def test_the_static_app_is_cached_and_every_load_balancer_route_is_not(plan: Plan) -> None:
    inputs = _distribution(plan).inputs
    default = inputs["defaultCacheBehavior"]
    # Cached like Managed-CachingOptimized, plus the crawler mark in the key (the SEO router, below).
    [static] = plan.of_type("aws:cloudfront/cachePolicy:CachePolicy")
    # Production replicates the assets into us-west-2: the static app is served by the origin group (below).
    target = {"production": "assets-failover", "staging": "assets"}[plan.stack]
    assert (default["targetOriginId"], default["cachePolicyId"], default["viewerProtocolPolicy"]) == (target, static.id, "redirect-to-https")
    assert default["compress"] is True and default["allowedMethods"] == ["GET", "HEAD", "OPTIONS"]
    routes = _settings(plan).routes
    behaviours = inputs["orderedCacheBehaviors"]
    assert [b["pathPattern"] for b in behaviours] == api_behaviour_paths(routes) == sorted(p for ps in routes.values() for p in ps)
    for behaviour in behaviours:
        assert behaviour["targetOriginId"] == "api"
        assert (behaviour["cachePolicyId"], behaviour["originRequestPolicyId"]) == (CACHING_DISABLED, ALL_VIEWER_EXCEPT_HOST)
        assert behaviour["viewerProtocolPolicy"] == "https-only" and behaviour["compress"] is True
        assert "POST" in behaviour["allowedMethods"]
    [headers] = plan.of_type("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    assert {b["responseHeadersPolicyId"] for b in [default, *behaviours]} == {headers.id}
    security = headers.inputs["securityHeadersConfig"]
    assert security["strictTransportSecurity"]["accessControlMaxAgeSec"] >= 31_536_000
    assert security["frameOptions"]["frameOption"] == "DENY"
    assert security["contentTypeOptions"]["override"] is True


def test_viewers_get_http2_and_3_tls12_2021_the_site_and_api_names_and_the_cloudfront_acl(plan: Plan) -> None:
    edge = _settings(plan)
    inputs = _distribution(plan).inputs
    assert (inputs["httpVersion"], inputs["isIpv6Enabled"]) == ("http2and3", True)
    assert inputs["aliases"] == [edge.domain.site_name, edge.domain.api_name]
    assert inputs["priceClass"] == {"production": "PriceClass_All", "staging": "PriceClass_100"}[plan.stack]
    certificate = inputs["viewerCertificate"]
    assert (certificate["minimumProtocolVersion"], certificate["sslSupportMethod"]) == ("TLSv1.2_2021", "sni-only")
    assert certificate["acmCertificateArn"].startswith("arn:aws:acm:us-east-1:")
    assert inputs["webAclId"] == plan.outputs["cloudFrontWebAclArn"]
    [acm] = [r for r in _component(plan) if r.type == "aws:acm/certificate:Certificate"]
    assert (acm.inputs["domainName"], acm.inputs["subjectAlternativeNames"]) == (edge.domain.site_name, [edge.domain.api_name])
    records = [r for r in _component(plan) if r.type == "aws:route53/record:Record" and r.inputs.get("type") == "CNAME"]
    assert len(records) == 2  # one DNS validation record per name


def test_everything_goes_through_the_us_east_1_provider(plan: Plan) -> None:
    east = plan.named(f"betterprompts-{plan.stack}-aws-us-east-1")
    for resource in _component(plan):
        if resource.type.startswith("aws:"):
            assert resource.provider.startswith(east.urn + "::"), resource.name


def test_access_logs_v2_into_a_kms_encrypted_log_group(plan: Plan) -> None:
    distribution = _distribution(plan)
    resources = _component(plan)
    [group] = [r for r in resources if r.type == "aws:cloudwatch/logGroup:LogGroup"]
    assert group.inputs["kmsKeyId"] == plan.outputs["kmsKeyArns"]["logs"]
    assert group.inputs["retentionInDays"] == _settings(plan).cdn.log_retention_days
    [source] = [r for r in resources if r.type == "aws:cloudwatch/logDeliverySource:LogDeliverySource"]
    assert source.inputs["logType"] == "ACCESS_LOGS"
    assert source.property_dependencies["resourceArn"] == [distribution.urn]
    [destination] = [r for r in resources if r.type == "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination"]
    assert destination.property_dependencies["deliveryDestinationConfiguration"] == [group.urn]
    [delivery] = [r for r in resources if r.type == "aws:cloudwatch/logDelivery:LogDelivery"]
    assert delivery.property_dependencies["deliverySourceName"] == [source.urn]
    [policy] = [r for r in resources if r.type == "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"]
    assert policy.urn in delivery.dependencies
    [statement] = json.loads(policy.inputs["policyDocument"])["Statement"]
    assert statement["Resource"] == f"arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudfront/betterprompts-{plan.stack}:log-stream:*"


def test_kpi_alarms_on_cloudfronts_metrics(plan: Plan) -> None:
    alarms = {r.name.rsplit("-", 1)[-1]: r for r in _component(plan) if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"}
    distribution = _distribution(plan)
    topic = plan.outputs["alarmTopicArn"]
    rate = alarms["rate"]
    assert (rate.inputs["namespace"], rate.inputs["metricName"]) == ("AWS/CloudFront", "5xxErrorRate")
    assert rate.inputs["dimensions"] == {"DistributionId": distribution.id, "Region": "Global"}
    assert rate.inputs["threshold"] == _settings(plan).alarms.cloudfront_5xx_rate_percent
    availability = alarms["availability"]
    assert (availability.inputs["comparisonOperator"], availability.inputs["threshold"]) == ("LessThanThreshold", 99.9)
    queries = {q["id"]: q for q in availability.inputs["metricQueries"]}
    assert queries["availability"]["expression"] == "IF(requests > 0, 100 - FILL(errors, 0), 100)"
    assert queries["availability"]["returnData"] is True
    assert queries["requests"]["metric"]["metricName"] == "Requests" and queries["requests"]["metric"]["period"] == 3600
    for alarm in alarms.values():
        assert alarm.inputs["alarmActions"] == [topic] and alarm.inputs["okActions"] == [topic]


def test_site_and_api_names_alias_the_distribution(plan: Plan) -> None:
    edge = _settings(plan)
    distribution = _distribution(plan)
    aliases = [r for r in _component(plan) if r.type == "aws:route53/record:Record" and r.inputs.get("aliases")]
    assert sorted((r.inputs["name"], r.inputs["type"]) for r in aliases) == sorted(
        (n, t) for n in (edge.domain.site_name, edge.domain.api_name) for t in ("A", "AAAA")
    )
    for record in aliases:
        [alias] = record.inputs["aliases"]
        assert alias["zoneId"] == "Z2FDTNDATAQYW2"
        assert record.property_dependencies["aliases"] == [distribution.urn]


def test_exports(plan: Plan) -> None:
    edge = _settings(plan)
    outputs = plan.outputs
    assert (outputs["siteUrl"], outputs["apiUrl"]) == (f"https://{edge.domain.site_name}", f"https://{edge.domain.api_name}")
    assert outputs["distributionId"] == _distribution(plan).id
    assert outputs["distributionDomainName"].endswith(".cloudfront.net")
    assert outputs["apiLoadBalancerDnsName"].endswith(".elb.amazonaws.com")


def test_the_storage_key_and_the_assets_bucket_admit_exactly_this_distribution(plan: Plan) -> None:
    arn = f"arn:aws:cloudfront::123456789012:distribution/{_distribution(plan).id}"
    [key] = [r for r in plan.of_type("aws:kms/key:Key") if r.name == f"betterprompts-{plan.stack}-storage"]
    [decrypt] = [s for s in json.loads(key.inputs["policy"])["Statement"] if s["Principal"] == {"Service": "cloudfront.amazonaws.com"}]
    assert (decrypt["Action"], decrypt["Condition"]) == ("kms:Decrypt", {"StringEquals": {"AWS:SourceArn": [arn]}})
    policy = plan.named(f"betterprompts-{plan.stack}-storage-assets-policy")
    [read] = [s for s in json.loads(policy.inputs["policy"])["Statement"] if s.get("Sid") == "CloudFrontReadsThroughOac"]
    bucket = plan.outputs["bucketNames"]["assets"]
    assert read["Resource"] == f"arn:aws:s3:::{bucket}/*" and read["Action"] == "s3:GetObject"
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": [arn]}}
    readers = {policy.urn, key.urn}
    if plan.stack == "production":
        # The secondary origin: the assets replica in us-west-2 and the DR storage key encrypting it admit the
        # same distribution the same way (read-only), and nothing else of the DR Region names CloudFront.
        replica_policy = plan.named("betterprompts-production-dr-buckets-assets-policy")
        [replica_read] = [s for s in json.loads(replica_policy.inputs["policy"])["Statement"] if s.get("Sid") == "CloudFrontReadsThroughOac"]
        replica = plan.outputs["replicaBucketNames"]["assets"]
        assert replica.endswith("-us-west-2")
        assert (replica_read["Resource"], replica_read["Action"]) == (f"arn:aws:s3:::{replica}/*", "s3:GetObject")
        assert replica_read["Condition"] == {"StringEquals": {"AWS:SourceArn": [arn]}}
        [dr_key] = [k for k in plan.of_type("aws:kms/key:Key") if k.name == "betterprompts-production-dr-storage-key"]
        [dr_decrypt] = [s for s in json.loads(dr_key.inputs["policy"])["Statement"] if s["Principal"] == {"Service": "cloudfront.amazonaws.com"}]
        assert (dr_decrypt["Action"], dr_decrypt["Condition"]) == ("kms:Decrypt", {"StringEquals": {"AWS:SourceArn": [arn]}})
        encryption = plan.named("betterprompts-production-dr-buckets-assets-encryption")
        rule = encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        assert rule["kmsMasterKeyId"] == plan.outputs["drKeyArns"]["storage"]
        readers |= {replica_policy.urn, dr_key.urn}
    # No other bucket and no other key names CloudFront.
    for other in plan.of_type("aws:s3/bucketPolicy:BucketPolicy"):
        if other.urn not in readers:
            assert "cloudfront.amazonaws.com" not in other.inputs["policy"], other.name
    for other in plan.of_type("aws:kms/key:Key"):
        if other.urn not in readers:
            assert "cloudfront.amazonaws.com" not in other.inputs["policy"], other.name


def test_with_the_assets_replica_the_static_app_fails_over_to_it_on_server_errors_only() -> None:
    replica = "b-replica.s3.us-west-2.amazonaws.com"
    resources, _ = run_function(lambda: SiteDistribution("site", _args(origin_header_value="test-only-value", assets_replica_domain_name=replica)))
    document = {"project": "betterprompts", "stack": "production", "resources": [r.to_json() for r in resources], "outputs": {}}
    [distribution] = [r for r in document["resources"] if r["type"] == DISTRIBUTION]
    [oac] = [r for r in document["resources"] if r["type"] == "aws:cloudfront/originAccessControl:OriginAccessControl"]
    inputs = distribution["inputs"]
    origins = {o["originId"]: o for o in inputs["origins"]}
    primary, secondary = origins["assets"], origins["assets-replica"]
    assert primary["domainName"] == "b.s3.us-east-1.amazonaws.com"
    # The replica through the same OAC, with the router's headers: on a failover CloudFront runs the
    # origin-request function again with the secondary as the origin.
    assert (secondary["domainName"], secondary["originAccessControlId"]) == (replica, oac["id"])
    assert secondary["customHeaders"] == primary["customHeaders"]
    [group] = inputs["originGroups"]
    assert group["originId"] == inputs["defaultCacheBehavior"]["targetOriginId"] == "assets-failover"
    assert [m["originId"] for m in group["members"]] == ["assets", "assets-replica"]
    # S3's answers when its Region fails; never 403/404 (a missing object or a broken grant on the primary).
    assert group["failoverCriteria"]["statusCodes"] == [500, 502, 503, 504]
    assert inputs["defaultCacheBehavior"]["allowedMethods"] == ["GET", "HEAD", "OPTIONS"]
    assert {b["targetOriginId"] for b in inputs["orderedCacheBehaviors"]} == {"api"}
    names = ("cloudfront-origins-private-and-logged", "cloudfront-https-tls12", "cloudfront-hardened")
    found = evaluate(document, policies=[p for p in ALL_POLICIES if p.name in names], config={n: "mandatory" for n in names})
    assert found == []


def test_without_the_replica_there_is_no_origin_group() -> None:
    resources, _ = run_function(lambda: SiteDistribution("site", _args()))
    [distribution] = [r for r in resources if r.type == DISTRIBUTION]
    assert "originGroups" not in distribution.inputs
    assert distribution.inputs["defaultCacheBehavior"]["targetOriginId"] == "assets"
    assert [o["originId"] for o in distribution.inputs["origins"]] == ["assets", "api"]


def _args(**change: Any) -> SiteDistributionArgs:
    edge = load_settings(read_stack_config("production")[0], project="betterprompts", stack="production").edge
    args: dict[str, Any] = dict(
        prefix="betterprompts-test",
        settings=edge,
        hosted_zone_id="Z1",
        assets_bucket_domain_name="b.s3.us-east-1.amazonaws.com",
        api_paths=["/api/intent", "/api/intent/*"],
        origin_header_value="x",
        web_acl_arn="arn",
        account_id="123456789012",
        logs_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/x",
        logs_kms_key_region="us-east-1",
        alarm_topic_arn="arn:aws:sns:us-east-1:123456789012:t",
        alarm_topic_region="us-east-1",
    )
    args.update(change)
    return SiteDistributionArgs(**args)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"logs_kms_key_region": "us-west-2"}, "needs a logs key there"),
        ({"alarm_topic_region": "us-west-2"}, "can notify only a topic there"),
        ({"api_paths": []}, "no API paths"),
        ({"hosted_zone_id": None}, "the hosted zone and the load balancer's origin header are required"),
    ],
)
def test_conflicting_inputs_are_refused_before_any_child_exists(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SiteDistribution("site", _args(**change))


def test_the_seo_router_is_a_published_us_east_1_function_lambda_edge_accepts(plan: Plan) -> None:
    [function] = [r for r in _component(plan) if r.type == "aws:lambda/function:Function"]
    inputs = function.inputs
    assert inputs["name"] == f"betterprompts-{plan.stack}-seo-routing"
    assert (inputs["runtime"], inputs["handler"], inputs["architectures"]) == ("python3.12", "seo_routing.handler", ["x86_64"])
    assert (inputs["memorySize"], inputs["timeout"], inputs["publish"]) == (128, 5, True)
    # Lambda@Edge refuses environment variables, VPC access and layers.
    assert not any(key in inputs for key in ("environment", "vpcConfig", "layers"))
    east = plan.named(f"betterprompts-{plan.stack}-aws-us-east-1")
    assert function.provider.startswith(east.urn + "::")
    [role] = [r for r in _component(plan) if r.type == "aws:iam/role:Role"]
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]}
    [policy] = [r for r in _component(plan) if r.type == "aws:iam/rolePolicy:RolePolicy"]
    resources = {res for s in json.loads(policy.inputs["policy"])["Statement"] for res in s["Resource"]}
    assert all(f":log-group:/aws/lambda/" in res and "seo-routing" in res for res in resources)


def test_the_static_app_runs_it_on_viewer_and_origin_requests_and_caches_crawlers_apart(plan: Plan) -> None:
    default = _distribution(plan).inputs["defaultCacheBehavior"]
    [function] = [r for r in _component(plan) if r.type == "aws:lambda/function:Function"]
    associations = default["lambdaFunctionAssociations"]
    assert [a["eventType"] for a in associations] == ["viewer-request", "origin-request"]
    # A numbered version, never $LATEST.
    assert {a["lambdaArn"] for a in associations} == {f"arn:aws:lambda:us-east-1:123456789012:function:{function.inputs['name']}:1"}
    [policy] = plan.of_type("aws:cloudfront/cachePolicy:CachePolicy")
    assert default["cachePolicyId"] == policy.id
    key = policy.inputs["parametersInCacheKeyAndForwardedToOrigin"]
    assert key["headersConfig"] == {"headerBehavior": "whitelist", "headers": {"items": ["x-betterprompts-render"]}}
    assert (key["cookiesConfig"]["cookieBehavior"], key["queryStringsConfig"]["queryStringBehavior"]) == ("none", "none")
    assert (policy.inputs["minTtl"], policy.inputs["defaultTtl"], policy.inputs["maxTtl"]) == (1, 86_400, 31_536_000)


def test_the_assets_origin_hands_the_router_the_load_balancers_name_and_secret() -> None:
    document = _component_plan()
    [distribution] = [r for r in document["resources"] if r["type"] == DISTRIBUTION]
    [assets] = [o for o in distribution["inputs"]["origins"] if o["originId"] == "assets"]
    assert assets["customHeaders"] == [
        {"name": "x-betterprompts-render-origin", "value": "origin.betterprompts.io"},
        {"name": "X-Origin-Verify", "value": "test-only-value"},
    ]


def test_without_seo_routing_the_static_app_uses_the_managed_policy_and_no_function() -> None:
    from dataclasses import replace

    edge = _args().settings
    args = _args(settings=replace(edge, cdn=replace(edge.cdn, seo_routing=False)))
    resources, _ = run_function(lambda: SiteDistribution("site", args))
    types = {r.type for r in resources}
    assert "aws:lambda/function:Function" not in types and "aws:cloudfront/cachePolicy:CachePolicy" not in types
    [distribution] = [r for r in resources if r.type == DISTRIBUTION]
    default = distribution.inputs["defaultCacheBehavior"]
    assert default["cachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"
    assert "lambdaFunctionAssociations" not in default
    [assets] = [o for o in distribution.inputs["origins"] if o["originId"] == "assets"]
    assert "customHeaders" not in assets


def test_a_certificate_names_each_name_once() -> None:
    from components.edge import validated_certificate
    from components.platform import ComponentTags

    with pytest.raises(ValueError, match="every name once"):
        validated_certificate("c", domain_name="betterprompts.io", alternative_names=["betterprompts.io"], zone_id="Z1", tags=ComponentTags("edge"), parent=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["hosted_zone_id", "api_paths", "origin_header_value"])
def test_without_a_domain_a_zone_routes_or_origin_header_are_refused(given: str) -> None:
    edge = _args().settings
    no_domain = dataclasses.replace(edge, domain=None, routes={}, cdn=dataclasses.replace(edge.cdn, seo_routing=False))
    bare: dict[str, Any] = {"settings": no_domain, "hosted_zone_id": None, "api_paths": [], "origin_header_value": None}
    value = _args().__dict__[given]
    with pytest.raises(ValueError, match=f"without a domain there is no load balancer or zone: {given} given"):
        SiteDistribution("site", _args(**{**bare, given: value}))
