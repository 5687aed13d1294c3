"""The resource monitor preflight runs the program against.

It extends Pulumi's ``MockMonitor`` (so the SDK talks to it exactly as in
``pulumi.runtime.set_mocks`` tests) and keeps what the stock mock throws away: the
parent, provider, dependencies, property dependencies and ``protect`` flag of each
registration, which is what a policy needs to follow a resource to its provider's
default tags or a bucket to its encryption configuration.
"""

from __future__ import annotations

import os
import runpy
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import rpc, settings as runtime_settings
from pulumi.runtime.mocks import MockMonitor
from google.protobuf import struct_pb2
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from .records import SECRET_PLACEHOLDER, Resource
from .mocks import NameLimitError, PreflightMocks


REGISTRATION_LISTENERS: list[Callable[[Resource], None]] = []
"""Called with each registration as it is recorded: a stage that works in another process (the
spec stage's linter) starts on the resources while the program is still registering the rest."""


class PlanMonitor(MockMonitor):
    """A mock monitor that records every registration request whole."""

    def __init__(self, mocks: PreflightMocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Resource] = []

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        resource_args = pulumi.runtime.MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=inputs,
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        new_id, state = self.mocks.new_resource(resource_args)
        resource_id = new_id or ""
        # The state is the inputs plus what the mocks answered. The inputs are already a Struct
        # (request.object), so only the answers are encoded: this skips the stock mock's
        # re-serialization of every input through the SDK's async serializer.
        state_proto = struct_pb2.Struct()
        state_proto.CopyFrom(request.object)
        state_proto.update({k: v for k, v in state.items() if k not in inputs or inputs[k] is not v})
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, state)
        self.registrations.append(
            Resource(
                urn=urn,
                id=resource_id,
                type=request.type,
                name=request.name,
                parent=request.parent,
                provider=request.provider,
                dependencies=list(request.dependencies),
                property_dependencies={
                    key: list(value.urns) for key, value in request.propertyDependencies.items()
                },
                protect=bool(request.protect),
                custom=bool(request.custom),
                inputs=plain(inputs),
                aliases=self._alias_urns(request),
                ignore_changes=list(request.ignoreChanges),
            )
        )
        for listener in REGISTRATION_LISTENERS:
            listener(self.registrations[-1])
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=state_proto)


    def _alias_urns(self, request: Any) -> list[str]:
        """The URNs the engine would look up for the request's aliases (specs resolved as it does)."""
        urns = list(request.aliasURNs)
        for alias in request.aliases:
            if alias.urn:
                urns.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else (spec.parentUrn or request.parent)
            urns.append(self.make_urn(parent, spec.type or request.type, spec.name or request.name))
        return urns


def plain(value: Any) -> Any:
    """A JSON-ready copy of deserialized properties: secrets masked, unknowns as null."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET_PLACEHOLDER
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, pulumi.Resource):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return None


def run_program(
    main: Path,
    *,
    project: str,
    stack: str,
    config: dict[str, str],
    region: str,
    stack_outputs: Callable[[str], Mapping[str, Any]] | None = None,
) -> tuple[list[Resource], dict[str, Any]]:
    """Run the program at ``main`` once under mocks; return its registrations and outputs."""
    program_dir = str(main.parent)
    if program_dir not in sys.path:
        # The Pulumi language host runs the program with its own directory importable.
        sys.path.insert(0, program_dir)
    cwd = os.getcwd()
    os.chdir(program_dir)
    try:
        return run_function(
            lambda: _run_main(main),
            project=project,
            stack=stack,
            config=config,
            region=region,
            stack_outputs=stack_outputs,
        )
    finally:
        os.chdir(cwd)


def run_function(
    program: Callable[[], None],
    *,
    project: str = "betterprompts",
    stack: str = "test",
    config: dict[str, str] | None = None,
    region: str = "us-east-1",
    stack_outputs: Callable[[str], Mapping[str, Any]] | None = None,
) -> tuple[list[Resource], dict[str, Any]]:
    """Run ``program`` (any callable that registers resources) under the mock runtime.

    Component tests use this directly to build one component in isolation. ``stack_outputs``: what a
    ``pulumi.StackReference`` to another stack reads (by its ``<org>/<project>/<stack>`` name).
    """
    mocks = PreflightMocks(region, stack_outputs=stack_outputs)
    monitor = PlanMonitor(mocks)
    pulumi.runtime.set_all_config(config or {}, [])
    # A fresh root stack for every run: set_mocks only makes one when none exists.
    runtime_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    root = runtime_settings.get_root_resource()
    try:
        _sync_await(run_pulumi_func(program))
    except Exception as exc:
        # Whatever had been registered when the program failed: a config error must leave none.
        exc.registered = list(monitor.registrations)  # type: ignore[attr-defined]
        raise
    outputs = _sync_await(_resolve(getattr(root, "outputs", {})))
    if mocks.name_problems:
        # The real preview (or the create) fails on each: report them all at once.
        error = NameLimitError(mocks.name_problems)
        error.registered = list(monitor.registrations)  # type: ignore[attr-defined]
        raise error
    return monitor.registrations, outputs


def _run_main(main: Path) -> None:
    runpy.run_path(str(main), run_name="__main__")


async def _resolve(outputs: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for name, value in outputs.items():
        output = pulumi.Output.from_input(value)
        resolved[name] = SECRET_PLACEHOLDER if await output.is_secret() else plain(await output.future())
    return resolved
