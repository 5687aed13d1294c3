"""A plan as one self-contained HTML page for a reviewer: diagram, resources (with filters), cost, violations.

No external file, font or script: the SVG is inlined, the filters are a few lines of plain
JavaScript, so the page opens from a CI artifact as it is. Every table is in the HTML itself; the
script only hides rows, so the page reads the same without it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from html import escape
from typing import Any

from . import cost_table, diagram

Document = Mapping[str, Any]

STYLE = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.summary span{display:inline-block;margin-right:1.5em}.mandatory{color:#b00020;font-weight:bold}
.diagram{overflow:auto;border:1px solid #ddd}.diagram svg{width:100%;height:auto}
.filters{margin:.5em 0}.filters input,.filters select{margin-right:1em}
code{font-size:.95em}
"""

SCRIPT = """
(function(){
  var rows=[].slice.call(document.querySelectorAll('#resources tbody tr'));
  var text=document.getElementById('filter-text'),type=document.getElementById('filter-type'),
      comp=document.getElementById('filter-component'),count=document.getElementById('resource-count');
  function apply(){
    var t=text.value.toLowerCase(),ty=type.value,c=comp.value,shown=0;
    rows.forEach(function(r){
      var ok=(!t||r.textContent.toLowerCase().indexOf(t)>=0)&&(!ty||r.dataset.type===ty)&&(!c||r.dataset.component===c);
      r.style.display=ok?'':'none'; if(ok){shown++;}
    });
    count.textContent=shown+' of '+rows.length+' resources shown';
  }
  [text,type,comp].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});
  var details=document.getElementById('cost-details-toggle');
  details.addEventListener('change',function(){
    document.getElementById('cost-grouped').style.display=details.checked?'none':'';
    document.getElementById('cost-details').style.display=details.checked?'':'none';
  });
  apply();
})();
"""


def _component(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]]) -> str:
    parent = by_urn.get(resource.get("parent") or "")
    while parent is not None:
        if str(parent["type"]).startswith("betterprompts:"):
            return f"{parent['type']} {parent['name']}"
        parent = by_urn.get(parent.get("parent") or "")
    return "(stack)"


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _cost_rows(cost: Mapping[str, Any], details: bool) -> str:
    rows = []
    for row in cost_table.rows(cost, details=details):
        rows.append(
            f"<tr><td>{escape(cost_table.label(row))}</td><td class=num>{row.count}</td><td class=num>{_money(row.baseline)}</td>"
            f"<td class=num>{_money(row.peak)}</td><td class=num>{_money(row.committed)}</td></tr>"
        )
    return "".join(rows)


def render(document: Document) -> str:
    resources = list(document.get("resources") or [])
    by_urn = {str(r["urn"]): r for r in resources}
    cost = document.get("cost") or {}
    violations = list(document.get("violations") or [])
    mandatory = sum(1 for v in violations if v.get("enforcement") == "mandatory")
    drawing = diagram.build(document)
    try:
        svg = diagram.svg(drawing)
        svg = svg[svg.index("<svg") :]
    except diagram.GraphvizMissing as exc:
        svg = f"<p>{escape(str(exc))}</p>"
    title = f"{document.get('project')}/{document.get('stack')}"

    components = {r["urn"]: _component(r, by_urn) for r in resources}
    types = sorted(Counter(str(r["type"]) for r in resources).items())
    resource_rows = "".join(
        f"<tr data-type=\"{escape(str(r['type']))}\" data-component=\"{escape(components[r['urn']])}\">"
        f"<td><code>{escape(str(r['type']))}</code></td><td>{escape(str(r['name']))}</td>"
        f"<td>{escape(components[r['urn']])}</td><td>{'yes' if r.get('protect') else ''}</td></tr>"
        for r in sorted(resources, key=lambda r: (str(r["type"]), str(r["name"])))
    )
    type_options = "".join(f'<option value="{escape(t)}">{escape(t)} ({n})</option>' for t, n in types)
    component_options = "".join(
        f'<option value="{escape(c)}">{escape(c)} ({n})</option>' for c, n in sorted(Counter(components.values()).items())
    )
    violation_rows = "".join(
        f"<tr><td>{escape(str(v.get('policy')))}</td><td class=\"{'mandatory' if v.get('enforcement') == 'mandatory' else ''}\">"
        f"{escape(str(v.get('enforcement')))}</td><td><code>{escape(str(v.get('urn') or '(stack)'))}</code></td>"
        f"<td>{escape(str(v.get('message')))}</td></tr>"
        for v in violations
    )
    violations_html = (
        f"<table id=violations><thead><tr><th>policy</th><th>level</th><th>resource</th><th>message</th></tr></thead><tbody>{violation_rows}</tbody></table>"
        if violations
        else "<p id=violations>No policy violations.</p>"
    )
    currency = escape(str(cost.get("currency", "USD")))
    cost_head = f"<thead><tr><th>item</th><th>count</th><th>baseline</th><th>peak</th><th>committed</th></tr></thead>"
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Preflight report: {escape(title)}</title><style>{STYLE}</style></head>
<body>
<h1>Preflight report: {escape(title)}</h1>
<p class=summary id=summary><span>{len(resources)} resources</span>
<span>baseline {_money(float(cost.get('baseline_monthly') or 0))} {currency}/month</span>
<span>peak {_money(float(cost.get('peak_monthly') or 0))}</span>
<span>with commitments {_money(float(cost.get('committed_monthly') or 0))}</span>
<span class="{'mandatory' if mandatory else ''}">{len(violations)} policy violations ({mandatory} mandatory)</span>
<span>diagram plan-hash {drawing.digest}</span></p>
<h2>Architecture</h2>
<div class=diagram id=diagram>{svg}</div>
<h2>Policy violations</h2>
{violations_html}
<h2>Estimated monthly cost ({currency}, {escape(str(cost.get('region', '')))})</h2>
<label><input type=checkbox id=cost-details-toggle> every line item</label>
<table id=cost-grouped>{cost_head}<tbody>{_cost_rows(cost, False)}</tbody></table>
<table id=cost-details style="display:none">{cost_head}<tbody>{_cost_rows(cost, True)}</tbody></table>
<h2>Resources</h2>
<div class=filters><input id=filter-text type=search placeholder="filter by text">
<select id=filter-type><option value="">every type</option>{type_options}</select>
<select id=filter-component><option value="">every component</option>{component_options}</select>
<span id=resource-count>{len(resources)} of {len(resources)} resources shown</span></div>
<table id=resources><thead><tr><th>type</th><th>name</th><th>component</th><th>protected</th></tr></thead><tbody>{resource_rows}</tbody></table>
<script>{SCRIPT}</script>
</body></html>
"""
    return body
