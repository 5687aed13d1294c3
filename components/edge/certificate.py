"""An ACM certificate validated by DNS in a Route 53 zone: the load balancer's (regional) and the
distribution's (us-east-1, through that region's provider, for the site and API names)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags


def validated_certificate(
    name: str,
    *,
    domain_name: str,
    zone_id: Optional[pulumi.Input[str]],
    tags: ComponentTags,
    parent: pulumi.Resource,
    alternative_names: Sequence[str] = (),
    provider: Optional[aws.Provider] = None,
) -> aws.acm.CertificateValidation:
    """A DNS-validated certificate for ``domain_name`` (and ``alternative_names``); its ``certificate_arn``
    resolves once ACM has issued it.

    The names are known in advance, so there is one validation record per name, each named by it and
    filled from ACM's answer for that name (no resource is created in an ``apply``). ACM answers with
    the same CNAME for a name in every certificate of the account, so a record may overwrite one an
    earlier certificate created. ``zone_id`` None: no records; the validation waits for ACM to find the CNAME
    another stack owns (a pilot light's certificate for the primary's name, in another Region).
    """
    if domain_name in alternative_names or len(set(alternative_names)) != len(alternative_names):
        raise ValueError(f"certificate {name}: every name once ({domain_name}, {', '.join(alternative_names)})")
    opts = pulumi.ResourceOptions(parent=parent, provider=provider)
    certificate = aws.acm.Certificate(
        name,
        domain_name=domain_name,
        subject_alternative_names=list(alternative_names) or None,
        validation_method="DNS",
        tags=tags(name),
        opts=opts,
    )
    fqdns = []
    names = [("", domain_name), *((f"-{n}", n) for n in alternative_names)] if zone_id is not None else []
    for record_key, record_domain in names:
        option = certificate.domain_validation_options.apply(partial(validation_record, domain_name=record_domain))
        record = aws.route53.Record(
            f"{name}-validation-record{record_key}",
            zone_id=zone_id,
            name=option["name"],
            type=option["type"],
            records=[option["value"]],
            ttl=300,
            allow_overwrite=True,
            opts=pulumi.ResourceOptions(parent=certificate),
        )
        fqdns.append(record.fqdn)
    return aws.acm.CertificateValidation(
        f"{name}-validation",
        certificate_arn=certificate.arn,
        validation_record_fqdns=fqdns or None,
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
