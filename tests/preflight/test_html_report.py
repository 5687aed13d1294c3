"""The ``--html`` report, loaded in a real headless Chromium (Debian's; .ci/run installs it) and read as a person would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from preflight import diagram, html_report
from preflight.harness import Plan
from tests.preflight.review_support import document


@pytest.fixture(scope="module")
def production_document(production: Plan) -> dict[str, Any]:
    return document(production)


def _open(browser: Any, doc: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "report.html"
    path.write_text(html_report.render(doc))
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(path.as_uri())
    return page


def test_the_report_renders_the_plan(browser: Any, production_document: dict[str, Any], tmp_path: Path) -> None:
    doc = production_document
    page = _open(browser, doc, tmp_path)
    assert page.title() == "Preflight report: betterprompts/production"
    summary = page.locator("#summary").inner_text()
    assert f"{len(doc['resources'])} resources" in summary
    assert f"baseline {doc['cost']['baseline_monthly']:,.2f} USD/month" in summary
    assert "0 policy violations (0 mandatory)" in summary
    # The diagram: Graphviz's SVG inline, one drawn node per diagram node, visible on the page.
    drawing = diagram.build(doc)
    assert page.locator("#diagram svg g.node").count() == len(drawing.nodes)
    assert page.locator("#diagram svg").is_visible()
    assert page.locator("#diagram svg g.node", has_text="load balancer: edge-alb").count() == 1
    assert page.locator("#violations").inner_text() == "No policy violations."
    # Nothing is fetched: the page is one self-contained file.
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0


def test_resource_filters(browser: Any, production_document: dict[str, Any], tmp_path: Path) -> None:
    doc = production_document
    total = len(doc["resources"])
    page = _open(browser, doc, tmp_path)
    rows = page.locator("#resources tbody tr")
    assert rows.count() == total
    assert page.locator("#resource-count").inner_text() == f"{total} of {total} resources shown"

    page.select_option("#filter-type", "aws:ec2/subnet:Subnet")
    assert page.locator("#resource-count").inner_text() == f"12 of {total} resources shown"
    visible = page.locator("#resources tbody tr:visible")
    assert visible.count() == 12
    assert all("aws:ec2/subnet:Subnet" in text for text in visible.all_inner_texts())

    page.select_option("#filter-type", "")
    page.fill("#filter-text", "eks-application")
    texts = page.locator("#resources tbody tr:visible").all_inner_texts()
    assert texts and all("eks-application" in t for t in texts)

    page.fill("#filter-text", "")
    component = "betterprompts:data:PgvectorDatabase betterprompts-production-database"
    page.select_option("#filter-component", component)
    expected = sum(1 for t in page.locator("#resources tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.component)") if t == component)
    assert expected > 0 and page.locator("#resources tbody tr:visible").count() == expected


def test_cost_table_grouped_and_every_item(browser: Any, production_document: dict[str, Any], tmp_path: Path) -> None:
    doc = production_document
    page = _open(browser, doc, tmp_path)
    grouped = page.locator("#cost-grouped tbody tr")
    assert page.locator("#cost-details").is_hidden()
    alarms = sum(1 for i in doc["cost"]["items"] if i["type"] == "aws:cloudwatch/metricAlarm:MetricAlarm")
    assert page.locator("#cost-grouped tbody tr", has_text=f"CloudWatch alarm ({alarms} x $0.10)").count() == 1
    first = grouped.first.inner_text()
    assert "SageMaker endpoint" in first  # the dearest item first
    page.check("#cost-details-toggle")
    assert page.locator("#cost-grouped").is_hidden()
    assert page.locator("#cost-details tbody tr:visible").count() == len(doc["cost"]["items"])


def test_violations_are_listed(browser: Any, production_document: dict[str, Any], tmp_path: Path) -> None:
    doc = dict(production_document)
    doc["violations"] = [{"policy": "rds-encrypted", "enforcement": "mandatory", "urn": doc["resources"][1]["urn"],
                          "message": "The database must be encrypted."}]
    page = _open(browser, doc, tmp_path)
    assert "1 policy violations (1 mandatory)" in page.locator("#summary").inner_text()
    row = page.locator("#violations tbody tr")
    assert row.count() == 1 and "The database must be encrypted." in row.inner_text()
    assert page.locator("#violations td.mandatory").count() == 1
