"""Test data and settings shared by several test modules."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def small_framework(name: str) -> dict:
    """A four-leaf framework (weights 40 + 35 + 25 and one veto), named so versions do not collide."""
    return {
        "name": name,
        "indicators": [
            {"code": "A", "name": "基础", "weight": "40", "children": [
                {"code": "A1", "name": "组织", "weight": "40", "max_score": "10"}]},
            {"code": "B", "name": "实质", "weight": "60", "children": [
                {"code": "B1", "name": "科研", "weight": "35", "max_score": "10"},
                {"code": "B2", "name": "培训", "weight": "25", "max_score": "5"}]},
            {"code": "C", "name": "否定", "weight": "0", "veto": True, "children": [
                {"code": "C1", "name": "已建立理事会", "weight": "0", "max_score": "1"}]},
        ],
    }
