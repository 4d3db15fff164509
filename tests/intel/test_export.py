"""Export: STIX 2.1 bundles and MISP events out, read back by the project's own importers and by the
formats' libraries, markings kept, TLP:RED refused unless asked for."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import stix2
from pymisp import MISPEvent
from stix2patterns.validator import run_validator

from tahqiq.intel.export import (
    MISP_TLP_DISTRIBUTION,
    TLP2_MARKING_IDS,
    ExportRefused,
    misp_confidence,
    misp_type,
    stix_pattern,
    to_misp_event,
    to_stix_bundle,
)
from tahqiq.intel.model import INDICATOR_KINDS, MISP_DISTRIBUTION_TLP, TLP_LEVELS, Indicator, IntelObject
from tahqiq.intel.observables import normalise
from tahqiq.intel.parse_misp import parse_misp
from tahqiq.intel.parse_stix import parse_stix

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FROM = datetime(2026, 1, 10, 8, 30, 15, 250000, tzinfo=UTC)
UNTIL = datetime(2026, 9, 1, tzinfo=UTC)
# One normalised value per kind (as the importers normalise them)
VALUES = {
    "ipv4": "203.0.113.7", "ipv6": "2001:db8::7", "cidr": "198.51.100.0/24", "domain": "login-bank.example",
    "url": "https://login-bank.example/verify?id=1", "md5": "d41d8cd98f00b204e9800998ecf8427e",
    "sha1": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha512": "cf83e135" + "7e" * 60,
    "email": "payments@login-bank.example", "phone": "+923001234567", "iban": "PK36SCBL0000001123456702",
    "wallet": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
}
PATTERN = "[ipv4-addr:value = '203.0.113.9'] AND [domain-name:value = 'c2.example']"


def _uuid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def _indicators(tlp: str, *, revoked_every: int = 0) -> list[Indicator]:
    out = []
    for n, kind in enumerate(INDICATOR_KINDS, start=1):
        out.append(Indicator(
            id=f"indicator--{_uuid(n)}", kind=kind, value="" if kind == "pattern" else VALUES[kind],
            pattern=PATTERN if kind == "pattern" else "", name=f"{kind} seen in the case",
            description=f"the {kind} of the fraud site", valid_from=FROM, valid_until=UNTIL,
            revoked=bool(revoked_every) and n % revoked_every == 0, confidence=(0, 25, 50, 75, 100)[n % 5], tlp=tlp,
            labels=("malicious-activity", "phishing"), created=FROM, modified=FROM + timedelta(days=1)))
    return out


def _same(a: Indicator, b: Indicator, *, name: bool = True) -> None:
    assert (b.kind, b.value, b.pattern) == (a.kind, a.value, a.pattern)
    assert (b.valid_from, b.valid_until, b.revoked, b.confidence, b.tlp) == \
        (a.valid_from, a.valid_until, a.revoked, a.confidence, a.tlp)
    assert b.description == a.description
    if name:
        assert b.name == a.name


# --- STIX ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tlp", TLP_LEVELS)
def test_stix_round_trip_every_kind_and_level(tlp):
    sent = _indicators(tlp, revoked_every=3)
    bundle = to_stix_bundle(sent, identity_name="FIA Cyber Crime Wing", created_by_agency="FIA", allow_red=True,
                            now=NOW)
    back = parse_stix(json.dumps(bundle), source="round trip")
    assert not back.rejected
    got = {i.id: i for i in back.indicators}
    assert set(got) == {i.id for i in sent}
    for ind in sent:
        _same(ind, got[ind.id])
        assert got[ind.id].labels == ind.labels
        assert (got[ind.id].created, got[ind.id].modified) == (ind.created, ind.modified)
    assert {o.type for o in back.objects} == {"identity"}


def test_stix_bundle_passes_the_library_and_the_pattern_validator():
    sent = _indicators("amber")
    bundle = to_stix_bundle(sent, identity_name="FIA Cyber Crime Wing", created_by_agency="FIA", now=NOW)
    parsed = stix2.parse(json.dumps(bundle), allow_custom=False)  # strict: no custom property anywhere
    assert isinstance(parsed, stix2.v21.Bundle)
    indicators = [o for o in parsed.objects if o.type == "indicator"]
    assert len(indicators) == len(INDICATOR_KINDS)
    for obj in indicators:
        assert run_validator(obj.pattern, stix_version="2.1") == [], obj.pattern
    identity = next(o for o in parsed.objects if o.type == "identity")
    assert all(o.created_by_ref == identity.id for o in indicators)
    assert identity.name == "FIA Cyber Crime Wing" and identity.identity_class == "organization"


def test_markings_are_the_oasis_tlp2_definitions():
    sent = [*_indicators("green")[:2], *_indicators("amber+strict")[2:4]]
    bundle = to_stix_bundle(sent, identity_name="FIA", created_by_agency="FIA", now=NOW)
    markings = {o["id"]: o for o in bundle["objects"] if o["type"] == "marking-definition"}
    # the identity is TLP:CLEAR; each level used appears once, with its published id and extension
    assert set(markings) == {TLP2_MARKING_IDS[lv] for lv in ("clear", "green", "amber+strict")}
    strict = markings[TLP2_MARKING_IDS["amber+strict"]]
    assert strict["name"] == "TLP:AMBER+STRICT" and strict["created"] == "2022-10-01T00:00:00.000Z"
    assert strict["extensions"]["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"]["tlp_2_0"] == \
        "amber+strict"
    refs = {o["id"]: o["object_marking_refs"] for o in bundle["objects"] if o["type"] == "indicator"}
    assert refs[sent[0].id] == [TLP2_MARKING_IDS["green"]] and refs[sent[3].id] == [TLP2_MARKING_IDS["amber+strict"]]


def test_objects_keep_their_own_markings():
    malware = stix2.Malware(name="FakeBank stealer", is_family=True, object_marking_refs=[stix2.TLP_GREEN])
    actor = stix2.ThreatActor(name="Fraud crew 7", threat_actor_types=["criminal"])
    ind = _indicators("amber")[0]
    rel = stix2.Relationship(ind.id, "indicates", malware.id)
    sighting = stix2.Sighting(sighting_of_ref=ind.id, count=3)
    objects = [IntelObject(malware.id, "malware", malware.name, json.loads(malware.serialize()), tlp="green"),
               IntelObject(actor.id, "threat-actor", actor.name, json.loads(actor.serialize()), tlp="amber+strict"),
               IntelObject(rel.id, "relationship", "indicates", json.loads(rel.serialize()), tlp="amber",
                           source_ref=ind.id, target_ref=malware.id),
               IntelObject(sighting.id, "sighting", "sighting", json.loads(sighting.serialize()), tlp="clear"),
               # a MISP event kept whole is no STIX object: left out of the bundle
               IntelObject("misp-event--1", "report", "event", {"info": "x"}, tlp="green")]
    bundle = to_stix_bundle([ind], objects, identity_name="FIA", created_by_agency="FIA", now=NOW)
    body = {o["id"]: o for o in bundle["objects"]}
    assert body[malware.id]["object_marking_refs"] == [TLP2_MARKING_IDS["green"]]  # TLP 1.0 id replaced
    assert "misp-event--1" not in body
    stix2.parse(json.dumps(bundle), allow_custom=False)
    back = parse_stix(bundle, source="round trip")
    tlp = {o.id: o.tlp for o in back.objects}
    assert {k: tlp[k] for k in (malware.id, actor.id, rel.id, sighting.id)} == \
        {malware.id: "green", actor.id: "amber+strict", rel.id: "amber", sighting.id: "clear"}


@pytest.mark.parametrize("value", ["https://x.example/it's", "https://x.example/a\\b", "https://x.example/\\'\\\\'"])
def test_quotes_and_backslashes_are_escaped(value):
    ind = Indicator(id=f"indicator--{_uuid(99)}", kind="url", value=value, valid_from=FROM)
    pattern = stix_pattern(ind)
    assert pattern == "[url:value = '" + value.replace("\\", "\\\\").replace("'", "\\'") + "']"
    assert run_validator(pattern, stix_version="2.1") == []
    back = parse_stix(to_stix_bundle([ind], identity_name="FIA", created_by_agency="FIA", now=NOW), source="t")
    # the value comes back in the importer's RFC 3986 form (a backslash is not a URL character: %5C)
    assert [i.value for i in back.indicators] == [normalise("url", value)]


def test_patterns_of_each_observable():
    by_kind = {i.kind: stix_pattern(i) for i in _indicators("clear")}
    assert by_kind["ipv4"] == "[ipv4-addr:value = '203.0.113.7']"
    assert by_kind["cidr"] == "[ipv4-addr:value = '198.51.100.0/24']"
    assert by_kind["sha256"].startswith("[file:hashes.'SHA-256' = '")
    assert by_kind["phone"] == "[phone-number:value = '+923001234567']"
    assert by_kind["pattern"] == PATTERN
    six = Indicator(id="x", kind="cidr", value="2001:db8::/32")
    assert stix_pattern(six) == "[ipv6-addr:value = '2001:db8::/32']"


def test_missing_or_empty_validity_still_makes_a_valid_bundle():
    odd = [Indicator(id="misp-attribute--" + _uuid(5), kind="domain", value="a.example"),
           Indicator(id="local-7", kind="domain", value="b.example", valid_from=UNTIL, valid_until=FROM)]
    bundle = to_stix_bundle(odd, identity_name="FIA", created_by_agency="FIA", now=NOW)
    stix2.parse(json.dumps(bundle), allow_custom=False)
    ids = [o["id"] for o in bundle["objects"] if o["type"] == "indicator"]
    assert ids[0] == f"indicator--{_uuid(5)}"  # a MISP attribute keeps its uuid
    again = to_stix_bundle(odd, identity_name="FIA", created_by_agency="FIA", now=NOW)
    assert ids == [o["id"] for o in again["objects"] if o["type"] == "indicator"]  # name-based, stable
    back = {i.id: i for i in parse_stix(bundle, source="t").indicators}
    assert back[ids[0]].valid_from == NOW
    assert back[ids[1]].valid_until == UNTIL + timedelta(milliseconds=1)  # empty window: the shortest one


# --- MISP ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tlp", TLP_LEVELS)
def test_misp_round_trip_every_kind_and_level(tlp):
    sent = [i for i in _indicators(tlp) if i.kind != "pattern"]
    event = to_misp_event(sent, info="CASE-2026-0001 indicators", org_name="FIA", allow_red=True, now=NOW)
    loaded = MISPEvent()
    loaded.load(json.dumps(event))  # pymisp reads it back
    assert len(loaded.attributes) == len(sent)
    assert loaded.Orgc.name == "FIA" and loaded.info == "CASE-2026-0001 indicators"
    # RED without a sharing group of the receiver's: this organisation only, the tag says RED
    assert int(loaded.distribution) == (0 if tlp == "red" else MISP_TLP_DISTRIBUTION[tlp])
    back = parse_misp(json.dumps(event), source="round trip", recipients=("ayesha",))
    assert not back.rejected
    got = {i.id.removeprefix("misp-attribute--"): i for i in back.indicators}
    for ind in sent:
        mine = got[ind.id.removeprefix("indicator--")]
        _same(ind, mine, name=False)
        # the importer reads the tlp:* and confidence-level tags as the marking and the confidence
        assert mine.labels == ind.labels
        assert mine.recipients == (("ayesha",) if tlp == "red" else ())


def test_misp_attributes_are_typed_marked_and_flagged():
    sent = [*_indicators("green", revoked_every=4)]
    expired = Indicator(id="indicator--" + _uuid(77), kind="domain", value="old.example", valid_from=FROM,
                        valid_until=NOW - timedelta(days=1))
    event = to_misp_event([*sent, expired], info="x", org_name="FIA", now=NOW)
    attrs = {a["uuid"]: a for a in event["Attribute"]}
    by_kind = {i.kind: attrs[i.id.removeprefix("indicator--")] for i in sent}
    assert {k: a["type"] for k, a in by_kind.items()} == {
        "ipv4": "ip-dst", "ipv6": "ip-dst", "cidr": "ip-dst", "domain": "domain", "url": "url", "md5": "md5",
        "sha1": "sha1", "sha256": "sha256", "sha512": "sha512", "email": "email", "phone": "phone-number",
        "iban": "iban", "wallet": "btc", "pattern": "stix2-pattern"}
    for ind in sent:
        attr = attrs[ind.id.removeprefix("indicator--")]
        assert attr["to_ids"] is (not ind.revoked)
        assert {t["name"] for t in attr["Tag"]} >= {"tlp:green", "malicious-activity", "phishing"}
        assert int(attr["distribution"]) == 2 and attr["comment"] == ind.description
    assert attrs[_uuid(77)]["to_ids"] is False  # expired at export time
    # what is not for detection comes back as context, never as a matching indicator
    back = parse_misp(event, source="t")
    context = {o.id for o in back.objects if o.type == "misp-attribute"}
    assert f"misp-attribute--{_uuid(77)}" in context
    assert all(f"misp-attribute--{i.id.removeprefix('indicator--')}" in context for i in sent if i.revoked)


def test_misp_event_carries_the_strictest_marking():
    sent = [*_indicators("clear")[:2], *_indicators("amber+strict")[2:3]]
    event = to_misp_event(sent, info="x", org_name="FIA", now=NOW)
    assert [t["name"] for t in event["Tag"]] == ["tlp:amber+strict"]
    assert int(event["distribution"]) == 0
    assert MISP_DISTRIBUTION_TLP[MISP_TLP_DISTRIBUTION["red"]] == "red"
    red = to_misp_event(_indicators("red")[:1], info="x", org_name="FIA", allow_red=True, sharing_group_id=12, now=NOW)
    assert (int(red["distribution"]), int(red["sharing_group_id"])) == (4, 12)
    assert (int(red["Attribute"][0]["distribution"]), red["Attribute"][0]["Tag"][0]["name"]) == (4, "tlp:red")
    MISPEvent().load(json.dumps(red))


def test_wallet_types_and_confidence_levels():
    def kind_of(value: str) -> str:
        return misp_type(Indicator(id="w", kind="wallet", value=value))

    assert kind_of("1BoatSLRHtKNngkdXEeobR76b53LETtpyT") == "btc"
    assert kind_of("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq") == "btc"
    assert kind_of("4" + "A" * 94) == "xmr"
    assert kind_of("X" + "a" * 33) == "dash"
    assert kind_of("0x52908400098527886e0f7030069857d2e4169ee7") == "text"
    assert [misp_confidence(c) for c in (0, 12, 13, 49, 63, 90, 100)] == [
        "unconfident", "unconfident", "rarely-confident", "fairly-confident", "usually-confident",
        "completely-confident", "completely-confident"]


# --- TLP:RED ---------------------------------------------------------------------------------------

def test_red_is_refused_unless_asked_for():
    red = _indicators("red")[:1]
    with pytest.raises(ExportRefused, match="recipients"):
        to_stix_bundle(red, identity_name="FIA", created_by_agency="FIA")
    with pytest.raises(ExportRefused, match="TLP:RED"):
        to_misp_event(red, info="x", org_name="FIA")
    obj = IntelObject("malware--" + _uuid(3), "malware", "m", {"type": "malware", "id": "malware--" + _uuid(3)},
                      tlp="red")
    with pytest.raises(ExportRefused):
        to_stix_bundle(_indicators("green")[:1], [obj], identity_name="FIA", created_by_agency="FIA")
    bundle = to_stix_bundle(red, identity_name="FIA", created_by_agency="FIA", allow_red=True, now=NOW)
    assert TLP2_MARKING_IDS["red"] in {o["id"] for o in bundle["objects"]}


# --- the store path --------------------------------------------------------------------------------

def _audit(gate) -> list[tuple[str, str, dict]]:
    from sqlalchemy import select

    from tahqiq.govern.tables import AuditEntry

    with gate.engine.connect() as conn:
        return [(r.action, r.decision, json.loads(r.entry).get("detail") or {}) for r in conn.execute(
            select(AuditEntry.action, AuditEntry.decision, AuditEntry.entry).order_by(AuditEntry.seq))]


def test_export_case_reads_once_through_the_gate_and_round_trips(engine, tmp_path):
    from argon2 import PasswordHasher

    from tahqiq.govern import AccessDenied, Gate, identity
    from tahqiq.govern.cases import open_case
    from tahqiq.intel.export import export_case
    from tahqiq.intel.service import attach_to_case, import_paths

    identity.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    try:
        gate = Gate(engine)
        identity.add_user(gate.audit, None, "admin", "pw-admin-0001", "admin", "FIA")
        admin = gate.authenticate_password("admin", "pw-admin-0001")
        identity.add_user(gate.audit, admin, "sana", "pw-sana-00001", "supervisor", "FIA")
        sana = gate.authenticate_password("sana", "pw-sana-00001")
        open_case(gate.audit, sana, "CASE-2026-0701", basis_kind="fir", basis_ref="7/2026 PS Cyber",
                  authorising_officer="SP Investigation", purpose="phishing investigation", days=30)
        sent = [*_indicators("green")[:6], *_indicators("red")[6:7]]
        green = [TLP2_MARKING_IDS["green"]]
        malware = stix2.Malware(name="FakeBank stealer", is_family=True, object_marking_refs=green)
        rel = stix2.Relationship(sent[0].id, "indicates", malware.id, object_marking_refs=green)
        feed = to_stix_bundle(sent, [IntelObject(malware.id, "malware", "m", json.loads(malware.serialize()), "green"),
                                     IntelObject(rel.id, "relationship", "r", json.loads(rel.serialize()), "green")],
                              identity_name="PK-CERT", created_by_agency="PK-CERT", allow_red=True, now=NOW)
        (tmp_path / "feed.json").write_text(json.dumps(feed))
        with gate.scope(sana, "import the PK-CERT phishing feed") as job:
            import_paths(job, [tmp_path / "feed.json"], source="pk-cert", recipients=("sana",))
        with gate.session(sana, "CASE-2026-0701", "share the case's indicators with PK-CERT") as view:
            attach_to_case(view, "CASE-2026-0701", [i.id for i in sent])
            with pytest.raises(AccessDenied, match="TLP:RED"):
                export_case(view, "CASE-2026-0701", "stix", now=NOW)
            name, data = export_case(view, "CASE-2026-0701", "stix", allow_red=True, now=NOW)
            misp_name, misp_data = export_case(view, "CASE-2026-0701", "misp", allow_red=True, now=NOW)
    finally:
        identity.set_password_hasher(PasswordHasher())
    assert name == "CASE-2026-0701-20260301T120000Z.stix.json" and misp_name.endswith(".misp.json")
    stix2.parse(data.decode(), allow_custom=False)
    back = {i.id: i for i in parse_stix(data, source="t").indicators}
    for ind in sent:
        _same(ind, back[ind.id])
    objects = {o.id: o.tlp for o in parse_stix(data, source="t").objects}
    assert objects[malware.id] == "green" and objects[rel.id] == "green"
    misp = {i.id.removeprefix("misp-attribute--"): i for i in parse_misp(misp_data, source="t").indicators}
    assert {k: (v.kind, v.value, v.tlp) for k, v in misp.items()} == \
        {i.id.removeprefix("indicator--"): (i.kind, i.value, i.tlp) for i in sent}
    log = [(a, dec, d) for a, dec, d in _audit(gate) if a == "intel.export"]
    assert [dec for _, dec, _ in log] == ["deny", "grant", "grant"]
    assert log[1][2]["indicators"] == len(sent) and log[1][2]["format"] == "stix"
    assert log[1][2]["tlp"]["red"] == 1 and log[2][2]["format"] == "misp"
