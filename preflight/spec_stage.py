"""The ``spec`` stage: the plan checked against AWS's own published resource specifications.

A misspelt IAM action (IAM accepts it and the permission never works), an instance class
that does not exist, an RDS engine version that can no longer be created, a deprecated Lambda
runtime: Pulumi's providers pass all of them to AWS, and only a real deploy finds out.
``cfn-lint`` ships AWS's published data (per-region CloudFormation resource schemas, RDS
engine versions and instance classes, the IAM action catalogue, Lambda runtime lifecycles,
the Step Functions language). The stage translates every planned resource of the types in
``spec_translate.MAPPINGS`` into its CloudFormation counterpart, lints the whole template in
one call, and reports each finding against the resource's URN and the Pulumi input it came
from. Errors fail ``preflight``; findings that are wrong for this design are suppressed, by
rule and resource with a reason, in ``spec_suppressions.yaml``.

cfn-lint runs in a worker process (``spec_worker``) started when ``preflight`` starts: it loads
while the SDKs import, receives each covered resource as the program registers it and lints
them in batches while the program runs, and lints the rest while the policy pack runs. A plan
handed over whole (``--check-plan``) is linted in one call.
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

import yaml

from .monitor import REGISTRATION_LISTENERS
from .records import Resource
from .spec_translate import INLINE_POLICIES, MAPPINGS, TemplateResource, translate_resource
from .stage import Document, Stage, StageResult

SUPPRESSIONS_PATH = Path(__file__).resolve().parent / "spec_suppressions.yaml"
PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_REGION = "us-east-1"
WORKER_TIMEOUT_SECONDS = 300

# Warnings cfn-lint reports that are failures for a deploy: AWS accepts the request and it
# then silently does nothing, or AWS refuses the create. They fail preflight like errors.
FAILING_WARNINGS = {
    "W3037": "IAM accepts an action that does not exist, and the permission never works",
    "W3691": "RDS refuses to create an instance at a deprecated engine version",
}


@dataclass(frozen=True)
class Finding:
    urn: str
    input: str
    """The Pulumi input the finding is about (``policy.Statement[0].Action``); empty for the whole resource."""
    rule: str
    message: str
    level: str
    """``error`` (fails preflight), ``warning`` or ``informational``."""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Suppression:
    rule: str
    resource: str
    """A glob over ``<type>::<name>`` (``aws:rds/instance:Instance::*-replica-*``)."""
    reason: str
    match: str = ""
    """A regular expression the message must contain, when one rule says several things."""

    def covers(self, finding: Finding) -> bool:
        # The URN's type part carries its parents' types ("parent$child"): the resource's own is last.
        parts = finding.urn.split("::")
        subject = f"{parts[-2].split('$')[-1]}::{parts[-1]}" if len(parts) >= 2 else finding.urn
        return (
            finding.rule == self.rule
            and fnmatch.fnmatchcase(subject, self.resource)
            and (not self.match or re.search(self.match, finding.message) is not None)
        )


def load_suppressions(path: Path = SUPPRESSIONS_PATH) -> list[Suppression]:
    """The reviewed suppressions; each needs a rule, a resource glob and a reason."""
    entries = yaml.safe_load(path.read_text()) or []
    suppressions = []
    for index, entry in enumerate(entries):
        missing = [key for key in ("rule", "resource", "reason") if not str(entry.get(key) or "").strip()]
        if missing:
            raise ValueError(f"{path.name} entry {index}: missing {', '.join(missing)} (every suppression says why)")
        suppressions.append(
            Suppression(rule=str(entry["rule"]), resource=str(entry["resource"]), reason=str(entry["reason"]).strip(), match=str(entry.get("match") or ""))
        )
    return suppressions


class Linter:
    """One cfn-lint worker process: started early, fed CloudFormation resources, asked for findings once."""

    def __init__(self) -> None:
        self._process: Optional[subprocess.Popen[str]] = None
        self._sent: dict[str, TemplateResource] = {}
        """URN -> the resource as sent (its logical id), in the order sent."""
        self._region = ""
        self._ended = 0.0
        self._in_plan: set[str] = set()

    @property
    def open(self) -> bool:
        return self._process is not None and self._process.stdin is not None

    def start(self) -> None:
        if self._process is None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "preflight.spec_worker"],
                cwd=PROJECT_DIR,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )

    def _send(self, message: dict[str, Any]) -> None:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(json.dumps(message) + "\n")
        self._process.stdin.flush()

    def region(self, region: str) -> None:
        if region and region != self._region:
            self._region = region
            self._send({"regions": [region]})

    def add(self, resources: list[Mapping[str, Any]]) -> None:
        """Translate and send the covered ones among ``resources`` (plan-shaped) not sent yet."""
        batch: dict[str, Any] = {}
        for resource in resources:
            urn = str(resource.get("urn") or "")
            if urn in self._sent:
                continue
            translated = translate_resource(resource, f"R{len(self._sent) + 1:04d}")
            if translated is not None:
                self._sent[urn] = translated
                batch[translated.logical_id] = {"Type": translated.cfn_type, "Properties": translated.properties}
        if batch:
            self._send({"resources": batch})

    def end(self, document: Document) -> None:
        """Send whatever of ``document`` is missing and end the input; the worker lints the rest."""
        self.start()
        self.region(_region(document))
        resources = document.get("resources") or []
        self.add(resources)
        self._send({"end": True})
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.close()
        self._process.stdin = None  # sent and closed: communicate() must not touch it again
        self._ended = time.perf_counter()
        self._in_plan = {str(r.get("urn") or "") for r in resources}

    def collect(self) -> tuple[list[TemplateResource], dict[str, Any]]:
        """Wait for the findings (the worker lints while the other stages run)."""
        process, self._process = self._process, None
        assert process is not None
        out, err = process.communicate(timeout=WORKER_TIMEOUT_SECONDS)
        try:
            answer: dict[str, Any] = json.loads(out)
        except ValueError:
            answer = {"error": f"the cfn-lint worker failed: {err.strip()[-2000:] or out[-2000:]}"}
        answer["waitSeconds"] = round(time.perf_counter() - self._ended, 3)
        return [t for urn, t in self._sent.items() if urn in self._in_plan], answer

    def discard(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.communicate()
            self._process = None


_linter: Optional[Linter] = None
_pending: dict[int, Linter] = {}


def _on_register(resource: Resource) -> None:
    """Resources go to the worker as the program registers them (it lints while the program runs)."""
    if _linter is None or not _linter.open:
        return
    if resource.type.startswith("pulumi:providers:aws"):
        region = resource.inputs.get("region")
        _linter.region(region if isinstance(region, str) else "")
    elif resource.type in MAPPINGS or resource.type in INLINE_POLICIES:
        _linter.add([resource.to_json()])


def warm() -> None:
    """Start the worker now, so cfn-lint loads, and then lints, while the program runs."""
    global _linter
    if _linter is not None:
        _linter.discard()  # an earlier run that never reached its stages (a config error)
    _linter = Linter()
    _linter.start()
    if _on_register not in REGISTRATION_LISTENERS:
        REGISTRATION_LISTENERS.append(_on_register)


def prepare(document: Document) -> None:
    """Hand the worker the rest of the plan and end its input; :func:`run` collects the answer."""
    global _linter
    linter = _linter if _linter is not None else Linter()
    _linter = None  # the next plan (another run in this process) gets a worker of its own
    linter.end(document)
    _pending[id(document)] = linter


def _region(document: Document) -> str:
    for resource in document.get("resources") or []:
        if str(resource.get("type", "")).startswith("pulumi:providers:aws"):
            region = (resource.get("inputs") or {}).get("region")
            if isinstance(region, str) and region:
                return region
    region = (document.get("outputs") or {}).get("region")
    return region if isinstance(region, str) and region else DEFAULT_REGION


def level(rule: str) -> str:
    if rule.startswith("E") or rule in FAILING_WARNINGS:
        return "error"
    if rule.startswith("W"):
        return "warning"
    return "informational"


# Rules that report at the resource (``Properties``) about one property.
RULE_PROPERTIES = {"W3691": "EngineVersion", "E3691": "EngineVersion"}


def findings_of(resources: list[TemplateResource], raw: list[dict[str, Any]]) -> list[Finding]:
    by_id = {r.logical_id: r for r in resources}
    found = []
    for item in raw:
        path = list(item.get("path") or [])
        resource = by_id.get(path[1]) if len(path) > 1 and path[0] == "Resources" else None
        below = path[3:] if len(path) > 3 and path[2] == "Properties" else []
        if not below and str(item["rule"]) in RULE_PROPERTIES:
            below = [RULE_PROPERTIES[str(item["rule"])]]
        found.append(
            Finding(
                urn=resource.urn if resource else "",
                input=resource.input_path(below) if resource else "",
                rule=str(item["rule"]),
                message=str(item["message"]),
                level=level(str(item["rule"])),
            )
        )
    return found


def run(document: Document) -> StageResult:
    if id(document) not in _pending:
        prepare(document)
    resources, answer = _pending.pop(id(document)).collect()
    if "error" in answer:
        return StageResult(data=[], lines=[f"FAILED: {answer['error']}"], failed=True)
    try:
        suppressions = load_suppressions()
    except (OSError, ValueError) as exc:
        return StageResult(data=[], lines=[f"FAILED: {exc}"], failed=True)
    reported: list[Finding] = []
    suppressed = 0
    for finding in findings_of(resources, answer["findings"]):
        if any(s.covers(finding) for s in suppressions):
            suppressed += 1
        else:
            reported.append(finding)
    errors = [f for f in reported if f.level == "error"]
    lines = []
    for finding in sorted(reported, key=lambda f: (f.level != "error", f.urn, f.input)):
        lines.append(f"{finding.level} {finding.rule} {finding.urn or '(template)'}")
        lines.append(f"  {finding.input or '(resource)'}: {_short(finding.message)}")
    lines.append(
        f"{len(errors)} error(s), {len(reported) - len(errors)} other finding(s), {suppressed} suppressed "
        f"({SUPPRESSIONS_PATH.name}): {len(resources)} resources checked by cfn-lint {answer.get('version', '')} "
        f"in {answer.get('calls', 0)} call(s), {answer.get('cached', 0)} answered from the findings cache "
        f"(lint {answer.get('lintSeconds', 0):.2f} s; "
        f"{answer.get('waitSeconds', 0):.2f} s from the plan's end to the findings, the other stages running meanwhile)"
    )
    global LAST_TIMING
    LAST_TIMING = {k: answer.get(k, 0.0) for k in ("setupSeconds", "lintSeconds", "waitSeconds", "calls", "cached")}
    return StageResult(data=[f.to_json() for f in reported], lines=lines, failed=bool(errors))


LAST_TIMING: dict[str, float] = {}
"""The last run's worker timings (``setupSeconds``, ``lintSeconds``, ``waitSeconds``), for the benchmark."""


def _short(message: str, limit: int = 300) -> str:
    """cfn-lint lists every allowed value in some messages (thousands of IAM actions): keep the head."""
    return message if len(message) <= limit else message[:limit] + " ..."


STAGE = Stage(key="spec", title="AWS specifications (cfn-lint)", run=run, prepare=prepare, warm=warm)
