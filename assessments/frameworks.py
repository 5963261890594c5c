"""Indicator frameworks as data: validate a tree, store it, export it, read its leaves.

The file format is the API's tree: {"name", "name_en", "version", "description",
"indicators": [{"code", "name", "name_en", "weight", "max_score", "veto",
"guidance", "binding", "children": [...]}]}. Leaves are scored; a node's weight is the sum of
its children's; the top-level weights of the non-veto groups add up to 100; veto
nodes carry no weight and their leaves are scored 0 or 1. A leaf may be bound to a named metric with a
scoring rule (assessments/bindings.py), so a self-assessment arrives with its score filled in.
"""

import json
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from assessments.bindings import validate_binding
from assessments.models import Framework, Indicator
from assessments.scoring import Leaf
from kernel.errors import DomainError

TOTAL_WEIGHT = Decimal(100)
MAX_DEPTH = 4
MAX_NODES = 2000
FILE_MAX_BYTES = 1024 * 1024


def parse_file(uploaded) -> dict:
    if uploaded.size > FILE_MAX_BYTES:
        raise DomainError(_("The framework file is larger than 1 MB."))
    try:
        data = json.loads(uploaded.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainError(_("The framework file is not valid JSON: %(error)s") % {"error": exc}) from None
    return data


def _decimal(value, code: str, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Indicator %(code)s: %(name)s “%(value)s” is not a number.")
                          % {"code": code, "name": name, "value": value}) from None
    if not number.is_finite() or not 0 <= number < 100000 or number != number.quantize(Decimal("0.01")):
        raise DomainError(_("Indicator %(code)s: %(name)s must be a number from 0 with at most two decimals.")
                          % {"code": code, "name": name})
    return number


def validate(data) -> list[dict]:
    """Check a framework tree; return its nodes flattened in order. Raise DomainError saying what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), list) or not data["indicators"]:
        raise DomainError(_("A framework needs a name and a non-empty list of indicators."))
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise DomainError(_("A framework needs a name."))
    flat, codes = [], set()

    def walk(nodes, parent_code, depth, inherited_veto):
        if depth > MAX_DEPTH:
            raise DomainError(_("Indicators are nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH})
        total = Decimal(0)
        for node in nodes:
            if not isinstance(node, dict):
                raise DomainError(_("Every indicator must be an object with a code and a name."))
            code = str(node.get("code") or "").strip()
            name = str(node.get("name") or "").strip()
            if not code or not name or len(code) > 30 or len(name) > 300:
                raise DomainError(_("Every indicator needs a code (at most 30 characters) and a name."))
            if code in codes:
                raise DomainError(_("The code %(code)s appears twice.") % {"code": code})
            codes.add(code)
            if len(codes) > MAX_NODES:
                raise DomainError(_("A framework has at most %(max)d indicators.") % {"max": MAX_NODES})
            veto = bool(node.get("veto", False)) or inherited_veto
            weight = _decimal(node.get("weight", 0), code, _("the weight"))
            max_score = _decimal(node.get("max_score", 0), code, _("the maximum score"))
            children = node.get("children") or []
            if not isinstance(children, list):
                raise DomainError(_("Indicator %(code)s: children must be a list.") % {"code": code})
            flat.append({
                "code": code, "name": name, "name_en": str(node.get("name_en") or "")[:300],
                "weight": weight, "max_score": max_score, "veto": veto, "parent": parent_code,
                "guidance": str(node.get("guidance") or ""), "guidance_en": str(node.get("guidance_en") or ""),
                "leaf": not children,
                "binding": validate_binding(node.get("binding"), code=code, leaf=not children, max_score=max_score,
                                            veto=veto),
            })
            if veto and weight != 0:
                raise DomainError(_("Veto indicator %(code)s must carry no weight.") % {"code": code})
            if children:
                child_total = walk(children, code, depth + 1, veto)
                if child_total != weight:
                    raise DomainError(
                        _("The weights under %(code)s add up to %(sum)s, not to its weight %(weight)s.")
                        % {"code": code, "sum": child_total, "weight": weight}
                    )
            elif veto and max_score != 1:
                raise DomainError(_("Veto indicator %(code)s is scored 0 or 1: its maximum score must be 1.")
                                  % {"code": code})
            elif not veto and (max_score <= 0 or weight <= 0):
                raise DomainError(_("Indicator %(code)s is scored: it needs a weight and a maximum score above 0.")
                                  % {"code": code})
            total += weight
        return total

    top_total = walk(data["indicators"], None, 1, False)
    if top_total != TOTAL_WEIGHT:
        raise DomainError(_("The weights add up to %(sum)s, not to 100.") % {"sum": top_total})
    return flat


def create_from_data(data, *, actor, city=None, version=None) -> Framework:
    """Store a validated tree as a draft framework (the caller holds the transaction)."""
    flat = validate(data)
    framework = Framework.objects.create(
        name=data["name"].strip()[:200], name_en=str(data.get("name_en") or "")[:300],
        description=str(data.get("description") or ""), description_en=str(data.get("description_en") or ""),
        version=version or 1, city=city, created_by=actor,
    )
    store_tree(framework, flat)
    return framework


def store_tree(framework: Framework, flat: list[dict]) -> None:
    by_code = {}
    for position, node in enumerate(flat):
        by_code[node["code"]] = Indicator.objects.create(
            framework=framework, parent=by_code.get(node["parent"]), code=node["code"], name=node["name"],
            name_en=node["name_en"], weight=node["weight"], max_score=node["max_score"], veto=node["veto"],
            guidance=node["guidance"], guidance_en=node["guidance_en"], position=position,
            binding=node["binding"],
        )


def nest(indicators) -> list[dict]:
    """Indicators in position order (parents before children) as nested nodes, without a query."""
    nodes, roots = {}, []
    for indicator in indicators:
        node = {
            "code": indicator.code, "name": indicator.name, "name_en": indicator.name_en,
            "weight": str(indicator.weight), "max_score": str(indicator.max_score), "veto": indicator.veto,
            "guidance": indicator.guidance, "guidance_en": indicator.guidance_en, "binding": indicator.binding,
            "children": [],
        }
        nodes[indicator.id] = node
        (nodes[indicator.parent_id]["children"] if indicator.parent_id else roots).append(node)
    return roots


def tree(framework: Framework) -> list[dict]:
    """The framework as nested nodes (one query)."""
    return nest(framework.indicators.order_by("position"))


def export(framework: Framework) -> dict:
    return {
        "name": framework.name, "name_en": framework.name_en, "version": framework.version,
        "description": framework.description, "description_en": framework.description_en,
        "indicators": tree(framework),
    }


def bindings(framework: Framework) -> dict[str, tuple[dict, Decimal]]:
    """{leaf code: (its binding, its maximum score)} for the bound leaves (one query)."""
    return {code: (binding, max_score) for code, binding, max_score in
            framework.indicators.filter(binding__isnull=False).values_list("code", "binding", "max_score")}


def leaves(framework: Framework) -> list[Leaf]:
    indicators = list(framework.indicators.order_by("position"))
    parents = {i.parent_id for i in indicators if i.parent_id}
    return [
        Leaf(code=i.code, weight=i.weight, max_score=i.max_score, veto=i.veto)
        for i in indicators
        if i.id not in parents
    ]
