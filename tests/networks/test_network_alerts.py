"""Transaction-network hits as desk alerts: the title says the shape, the subgraph is the evidence
(the store-backed run, once each and verified by a person, is in test_service.py)."""

from __future__ import annotations

from tahqiq.alerts import hit_detections, hit_title
from tahqiq.networks import Hit


def test_title_and_severity_say_the_shape():
    hit = Hit("fan_in", ("PK00TEST0000000000001234", "PK00TEST0000000000000001", "PK00TEST0000000000000002"),
              ("TX1", "TX2"), 0, 3600, 341000.0, 1.0, {"counterparties": 2.0}, "2 accounts paid ...", "rules")
    assert hit_title(hit) == "Fan-in: 2 accounts paid into PK..1234"
    (d,) = hit_detections([hit], {"TX1": {"ts": 0, "payer": "a", "payee": "b", "amount": 1.0, "channel": "ibft"}})
    assert d.rule.id == "networks.fan_in" and d.dedupe_key == hit.key
    assert d.evidence["network"]["transactions"][0]["amount"] == 1.0
    assert d.evidence["network"]["transactions"][1] == {"tx_id": "TX2"}
