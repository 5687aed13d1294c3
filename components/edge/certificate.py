"""An ACM certificate validated by DNS in a Route 53 zone: the load balancer's (regional) and, with
CloudFront, the distribution's (us-east-1, through that region's provider)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags


def validated_certificate(
    name: str,
    *,
    domain_name: str,
    zone_id: pulumi.Input[str],
    tags: ComponentTags,
    parent: pulumi.Resource,
    provider: Optional[aws.Provider] = None,
) -> aws.acm.CertificateValidation:
    """A DNS-validated certificate for one name; its ``certificate_arn`` resolves once ACM has issued it.

    One name per certificate, so each validation record is known without looking inside an Output
    (no resource is created in an ``apply``). ACM answers with the same CNAME for a name in every
    certificate of the account, so the record may overwrite one an earlier certificate created.
    """
    opts = pulumi.ResourceOptions(parent=parent, provider=provider)
    certificate = aws.acm.Certificate(
        name,
        domain_name=domain_name,
        validation_method="DNS",
        tags=tags(name),
        opts=opts,
    )
    option = certificate.domain_validation_options.apply(lambda options: validation_record(options, domain_name))
    record = aws.route53.Record(
        f"{name}-validation-record",
        zone_id=zone_id,
        name=option["name"],
        type=option["type"],
        records=[option["value"]],
        ttl=300,
        allow_overwrite=True,
        opts=pulumi.ResourceOptions(parent=certificate),
    )
    return aws.acm.CertificateValidation(
        f"{name}-validation",
        certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn],
        opts=pulumi.ResourceOptions(parent=certificate, provider=provider),
    )


def validation_record(
    options: Sequence[aws.acm.outputs.CertificateDomainValidationOption], domain_name: str
) -> dict[str, str]:
    """The CNAME ACM asks for to validate ``domain_name`` (name, type and value)."""
    for option in options:
        if option.domain_name == domain_name and option.resource_record_name and option.resource_record_value:
            return {
                "name": option.resource_record_name,
                "type": option.resource_record_type or "CNAME",
                "value": option.resource_record_value,
            }
    raise ValueError(f"ACM returned no DNS validation record for {domain_name}")
