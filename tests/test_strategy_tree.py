"""Every path of the seeds/002 decision tree, the R&D-endowment branch and the
reconciliation when they disagree.  Expected values are read off the seed's tree:

    barrier high → closed; low → stage early → open;
    mature (growth treated alike) → policy high → hybrid, low → closed;
    endowment strong R&D → closed-led, weak R&D → open leverage.
"""

import pytest

from tests._strategy_helpers import assess


def _profile(barrier=None, stage=None, policy=None, rd=None, goal=None) -> dict:
    market = {k: v for k, v in (("technical_barrier", barrier), ("stage", stage), ("policy_risk", policy)) if v}
    doc = {"name": "t", "market": market}
    if rd:
        doc["org"] = {"rd_strength": rd}
    if goal:
        doc["goals"] = {"primary": goal}
    return doc


TREE = [
    # barrier, stage, policy -> tree value, path
    ("high", "early", "low", "closed", ["market.technical_barrier=high -> closed"]),
    ("high", "mature", "high", "closed", ["market.technical_barrier=high -> closed"]),
    (
        "low",
        "early",
        "high",
        "open",
        ["market.technical_barrier=low", "market.stage=early -> open"],
    ),
    (
        "low",
        "mature",
        "high",
        "hybrid",
        [
            "market.technical_barrier=low",
            "market.stage=mature",
            "market.policy_risk=high -> hybrid",
        ],
    ),
    (
        "low",
        "mature",
        "low",
        "closed",
        ["market.technical_barrier=low", "market.stage=mature", "market.policy_risk=low -> closed"],
    ),
    (
        "low",
        "growth",
        "high",
        "hybrid",
        [
            "market.technical_barrier=low",
            "market.stage=growth",
            "market.policy_risk=high -> hybrid",
        ],
    ),
    (
        "low",
        "growth",
        "low",
        "closed",
        ["market.technical_barrier=low", "market.stage=growth", "market.policy_risk=low -> closed"],
    ),
]


@pytest.mark.parametrize("barrier,stage,policy,value,path", TREE)
def test_tree_paths(barrier, stage, policy, value, path):
    stance = assess(_profile(barrier, stage, policy))["stance"]
    assert stance["tree"] == value
    assert stance["path"][: len(path)] == path
    # endowment unknown → the tree alone decides
    assert stance["endowment"] == "unknown"
    assert stance["value"] == value
    assert stance["agreement"] is None


@pytest.mark.parametrize("rd,endowment", [("strong", "closed_led"), ("weak", "open_leverage")])
def test_endowment_branch(rd, endowment):
    stance = assess(_profile(rd=rd))["stance"]
    assert stance["endowment"] == endowment
    assert stance["tree"] is None
    # tree undetermined → the endowment branch decides
    assert stance["value"] == {"closed_led": "closed", "open_leverage": "open"}[endowment]
    assert any(p.startswith("endowment: org.rd_strength=") for p in stance["path"])


RECONCILE = [
    # tree inputs, rd, goal -> final, agreement, reconcile rule
    (("low", "early", "low"), "weak", None, "open", True, "stance.reconcile.agree_open"),
    (("high", "early", "low"), "strong", None, "closed", True, "stance.reconcile.agree_closed"),
    (("low", "mature", "high"), "strong", None, "hybrid", False, "stance.reconcile.tree_hybrid"),
    (("low", "mature", "high"), "weak", None, "hybrid", False, "stance.reconcile.tree_hybrid"),
    (
        ("low", "early", "low"),
        "strong",
        "standard",
        "open",
        False,
        "stance.reconcile.open_market_strong_rd_standard",
    ),
    (
        ("low", "early", "low"),
        "strong",
        "revenue",
        "hybrid",
        False,
        "stance.reconcile.open_market_strong_rd_revenue",
    ),
    (
        ("low", "early", "low"),
        "strong",
        None,
        "hybrid",
        False,
        "stance.reconcile.open_market_strong_rd_no_goal",
    ),
    (
        ("high", "early", "low"),
        "weak",
        "revenue",
        "hybrid",
        False,
        "stance.reconcile.closed_market_weak_rd",
    ),
]


@pytest.mark.parametrize("tree,rd,goal,final,agree,rule", RECONCILE)
def test_reconciliation(tree, rd, goal, final, agree, rule):
    stance = assess(_profile(*tree, rd=rd, goal=goal))["stance"]
    assert stance["value"] == final
    assert stance["agreement"] is agree
    assert stance["reconciliation"]["rule"] == rule
    assert stance["path"][-1] == f"reconcile: {rule} -> {final}"
    # disagreement is explained in words, in both languages
    assert stance["reconciliation"]["text"]
    zh = assess(_profile(*tree, rd=rd, goal=goal), lang="zh")["stance"]
    assert zh["reconciliation"]["text"] != stance["reconciliation"]["text"]


def test_no_inputs_falls_back_and_lists_unknowns():
    doc = assess({"name": "nothing"})
    assert doc["stance"]["value"] == "open"
    assert doc["stance"]["reconciliation"]["rule"] == "stance.reconcile.no_inputs"
    for field in ("market.technical_barrier", "market.stage", "org.rd_strength"):
        assert field in doc["unknowns"]


def test_partial_tree_input_keeps_alternatives():
    # barrier low, stage unknown: the tree cannot decide; its candidate leaves are listed
    stance = assess(_profile(barrier="low"))["stance"]
    assert stance["tree"] is None
    alternatives = {(a["decision"], a["value"]) for a in stance["alternatives"]}
    assert {
        ("stance.tree", "open"),
        ("stance.tree", "hybrid"),
        ("stance.tree", "closed"),
    } <= alternatives
