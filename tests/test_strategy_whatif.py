"""What would change the answer: smallest changes of declared inputs."""

from tests._strategy_helpers import assess


def test_single_change_flips_stance():
    # barrier low, early market, weak R&D → open (agree).  Hand-walked tree: moving the
    # market to growth or mature with low policy risk gives a closed tree; with weak R&D the
    # branches disagree → hybrid.  Strong R&D with no goal → hybrid as well.
    profile = {
        "name": "w",
        "org": {"rd_strength": "weak"},
        "market": {"technical_barrier": "low", "stage": "early", "policy_risk": "low"},
    }
    doc = assess(profile, search=True)
    assert doc["stance"]["value"] == "open"
    stance_changes = {
        (w["field"], str(w["to"])): w["effect"] for w in doc["what_would_change"] if w["effect"].startswith("stance")
    }
    for change in (
        ("market.stage", "mature"),
        ("market.stage", "growth"),
        ("market.technical_barrier", "high"),
        ("org.rd_strength", "strong"),
    ):
        assert stance_changes[change].startswith("stance open -> hybrid"), change
    first = doc["what_would_change"][0]
    assert len(first["changes"]) == 1 and first["effect"].startswith("stance")


def test_measured_values_are_never_varied():
    profile = {
        "name": "w",
        "org": {"rd_strength": "weak"},
        "market": {"technical_barrier": "low", "stage": "early", "policy_risk": "low"},
    }
    evidence = {"market.stage": {"value": "early", "source": "test"}}
    doc = assess(profile, evidence=evidence, search=True)
    assert all("market.stage" not in w["field"] for w in doc["what_would_change"])


def test_pairs_when_no_single_change_flips():
    # Only the tree decides (R&D unknown is a single change too), so make stance robust:
    # barrier high + strong R&D → closed; one change to barrier gives tree open/closed etc.
    doc = assess(
        {
            "name": "p",
            "org": {"rd_strength": "strong"},
            "market": {"technical_barrier": "high", "stage": "mature", "policy_risk": "low"},
        },
        search=True,
    )
    # barrier high→low alone: tree closed (mature, low policy) & strong → still closed;
    # rd strong→weak alone: tree closed & weak → hybrid (a single change) — so singles exist
    singles = [w for w in doc["what_would_change"] if len(w["changes"]) == 1]
    assert any(w["field"] == "org.rd_strength" and w["effect"] == "stance closed -> hybrid" for w in singles)
    assert not any(w["field"] == "market.technical_barrier" and w["effect"].startswith("stance") for w in singles)
    for w in doc["what_would_change"]:
        assert w["text"] and w["effect"]
