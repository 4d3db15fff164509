"""Parsing STIX bundles and MISP events into indicators (every kind), kept objects and refusals,
TLP mapping, the shipped real samples, and the indicator lifecycle (validity, decay)."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import stix2
from pymisp import MISPEvent, MISPObject

from tahqiq.intel.lifecycle import HALF_LIFE_DAYS, effective_confidence, is_active, matchable, next_change
from tahqiq.intel.model import INDICATOR_KINDS, Indicator
from tahqiq.intel.parse_misp import MISP_TYPES, parse_misp
from tahqiq.intel.parse_stix import TLP2_MARKINGS, parse_stix, simple_comparison

SHA256 = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
PATTERNS = {  # pattern -> (kind, normalised value)
    "[ipv4-addr:value = '198.51.100.23']": ("ipv4", "198.51.100.23"),
    "[ipv6-addr:value = '2001:DB8:0:0::7']": ("ipv6", "2001:db8::7"),
    "[ipv4-addr:value = '10.1.2.3/16']": ("cidr", "10.1.0.0/16"),
    "[ipv6-addr:value = '2001:db8::/32']": ("cidr", "2001:db8::/32"),
    "[domain-name:value = 'Bücher.Example.']": ("domain", "xn--bcher-kva.example"),
    "[url:value = 'HTTP://Evil.Example/Path?Q=1']": ("url", "http://evil.example/Path?Q=1"),
    "[url:value = 'https://Evil.Example:443/a/../b#frag']": ("url", "https://evil.example/b"),
    "[file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E']": ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
    "[file:hashes.'SHA-1' = 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709']":
        ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    f"[file:hashes.'SHA-256' = '{SHA256}']": ("sha256", SHA256.lower()),
    "[file:hashes.'SHA-512' = '" + "Ab" * 64 + "']": ("sha512", "ab" * 64),
    "[email-addr:value = 'Fraud@Example.COM']": ("email", "fraud@example.com"),
    "[x-phone:value = '0300-1234567']": ("phone", "+923001234567"),
    "[phone-number:value = '+44 20 7946 0018']": ("phone", "+442079460018"),
    "[bank-account:iban = 'PK36 SCBL 0000 0011 2345 6702']": ("iban", "PK36SCBL0000001123456702"),
    "[cryptocurrency-wallet:value = 'bc1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ']":
        ("wallet", "bc1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ"),  # as given: most chains are case-sensitive
    "[ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'x.example']": ("pattern", ""),
}


def _indicator(pattern: str, n: int, **kw) -> dict:
    return json.loads(stix2.Indicator(id=f"indicator--00000000-0000-4000-8000-{n:012d}", pattern=pattern,
                                      pattern_type="stix", valid_from="2026-01-01T00:00:00Z", **kw).serialize())


def _examples() -> Path:
    if importlib.util.find_spec("stix2validator") is None:
        pytest.skip("the OASIS STIX 2.1 examples ship in stix2-validator (a test dependency)")
    spec = importlib.util.find_spec("stix2validator")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "schemas-2.1" / "examples"


# --- STIX ----------------------------------------------------------------------------------------

def test_every_stix_indicator_kind():
    objs = [_indicator(p, n) for n, p in enumerate(PATTERNS)]
    parsed = parse_stix({"type": "bundle", "id": "bundle--1c8bd5fd-4f4b-4a5e-8d7b-7e5a2a0e4d71", "objects": objs},
                        source="feed", owner_agency="FIA")
    assert not parsed.rejected
    got = {i.extra["stix_pattern"]: (i.kind, i.value) for i in parsed.indicators}
    assert got == PATTERNS
    covered = {k for k, _ in PATTERNS.values()}
    assert covered == set(INDICATOR_KINDS)
    compound = next(i for i in parsed.indicators if i.kind == "pattern")
    assert compound.pattern.startswith("[ipv4-addr:value = '198.51.100.1' OR")
    assert all(i.owner_agency == "FIA" and i.source == "feed" and i.tlp == "amber" for i in parsed.indicators)


def test_simple_comparison_is_strict():
    assert simple_comparison("[url:value = 'http://a.example/it\\'s']") == ("url", "http://a.example/it's")
    assert simple_comparison("[ipv4-addr:value != '1.2.3.4']") is None
    assert simple_comparison("[ipv4-addr:value = '1.2.3.4'] WITHIN 5 SECONDS") is None
    assert simple_comparison("[file:hashes.SSDEEP = '3:a:b']") is None
    assert simple_comparison("[x-phone:value = '1' AND x-phone:value = '2']") is None


def test_malformed_objects_are_refused_with_reasons_and_the_rest_loads():
    good = _indicator("[domain-name:value = 'ok.example']", 1)
    bad_pattern = dict(_indicator("[domain-name:value = 'x.example']", 2), pattern="[domain-name:value = ")
    bad_value = _indicator("[ipv4-addr:value = '999.1.1.1']", 3)
    no_name = {"type": "malware", "spec_version": "2.1", "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b58abc",
               "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z"}  # is_family missing
    parsed = parse_stix([good, bad_pattern, bad_value, no_name, "junk"], source="feed")
    assert [i.id for i in parsed.indicators] == [good["id"]]
    reasons = {r.ref: r.reason for r in parsed.rejected}
    assert "pattern" in reasons[bad_pattern["id"]] and "InvalidValueError" in reasons[bad_pattern["id"]]
    assert "999.1.1.1" in reasons[bad_value["id"]] and "IP" in reasons[bad_value["id"]]
    assert "is_family" in reasons[no_name["id"]]
    assert reasons["#4"] == "not a JSON object"
    assert parsed.counts["read"] == 5 and parsed.counts["rejected"] == 4


def test_tlp_markings_1_and_2_and_in_bundle_and_default():
    custom = {"type": "marking-definition", "spec_version": "2.1", "created": "2026-01-01T00:00:00Z",
              "id": "marking-definition--2b1f0d55-9d3b-4b8e-8a8a-64bba1c0b0a1", "name": "TLP:AMBER+STRICT",
              "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                             {"extension_type": "property-extension", "tlp_2_0": "amber+strict"}}}
    cases = [([stix2.TLP_WHITE.id], "clear"), ([stix2.TLP_GREEN.id], "green"), ([stix2.TLP_RED.id], "red"),
             ([TLP2_MARKINGS["amber+strict"]], "amber+strict"), ([TLP2_MARKINGS["clear"]], "clear"),
             ([custom["id"]], "amber+strict"), ([stix2.TLP_GREEN.id, TLP2_MARKINGS["red"]], "red"), ([], "green")]
    objs = [custom] + [_indicator(f"[ipv4-addr:value = '192.0.2.{n}']", n, object_marking_refs=refs or None)
                       for n, (refs, _) in enumerate(cases)]
    parsed = parse_stix(objs, source="feed", default_tlp="green", recipients=("ayesha",))
    assert [i.tlp for i in parsed.indicators] == [level for _, level in cases]
    assert all(i.recipients == ("ayesha",) for i in parsed.indicators)
    with pytest.raises(ValueError, match="TLP"):
        parse_stix(objs, source="feed", default_tlp="purple")


def test_observables_named_by_indicators_and_sightings_become_indicators():
    ind = stix2.Indicator(pattern="[ipv4-addr:value = '203.0.113.9']", pattern_type="stix", name="C2",
                          valid_from="2026-01-01T00:00:00Z", valid_until="2026-07-01T00:00:00Z", confidence=80,
                          object_marking_refs=[stix2.TLP_GREEN])
    ip = stix2.IPv4Address(value="203.0.113.10")
    f = stix2.File(name="dropper.exe", hashes={"MD5": "D41D8CD98F00B204E9800998ECF8427E", "SHA-256": SHA256})
    mail = stix2.EmailAddress(value="Boss@Example.org")
    observed = stix2.ObservedData(first_observed="2026-02-01T00:00:00Z", last_observed="2026-02-01T00:00:00Z",
                                  number_observed=1, object_refs=[mail.id])
    sighting = stix2.Sighting(sighting_of_ref=ind.id, observed_data_refs=[observed.id],
                              first_seen="2026-02-01T00:00:00Z")
    lone = stix2.DomainName(value="nobody.example")
    bundle = stix2.Bundle(ind, ip, f, mail, observed, sighting, lone, stix2.Relationship(ind, "based-on", ip),
                          stix2.Relationship(ind, "related-to", f), allow_custom=True)
    parsed = parse_stix(bundle.serialize(), source="feed")
    by_id = {i.id: i for i in parsed.indicators}
    assert by_id[ip.id].value == "203.0.113.10" and by_id[ip.id].confidence == 80
    assert by_id[ip.id].valid_until == datetime(2026, 7, 1, tzinfo=UTC) and by_id[ip.id].tlp == "green"
    assert by_id[f"{f.id}#md5"].value == "d41d8cd98f00b204e9800998ecf8427e"
    assert by_id[f"{f.id}#sha256"].value == SHA256.lower()
    assert by_id[mail.id].value == "boss@example.org" and by_id[mail.id].valid_from == datetime(2026, 2, 1, tzinfo=UTC)
    kept = {o.id: o for o in parsed.objects}
    assert lone.id in kept and observed.id in kept  # not named by an indicator: kept whole
    assert kept[sighting.id].source_ref == ind.id and kept[sighting.id].target_ref == observed.id


def test_real_oasis_examples_load():
    """The OASIS STIX 2.1 examples shipped in stix2-validator (apt1, poisonivy, C2 with COA, ...)."""
    folder = _examples()
    apt1 = parse_stix((folder / "threat-reports" / "apt1.json").read_bytes(), source="oasis")
    assert not apt1.rejected and apt1.counts["read"] == 76
    assert apt1.counts["kind.cidr"] == 4 and apt1.counts["kind.domain"] == 3 and apt1.counts["kind.md5"] == 3
    assert {"threat-actor", "intrusion-set", "malware", "relationship", "report"} <= {o.type for o in apt1.objects}
    assert any(i.kind == "cidr" and i.value == "223.166.0.0/15" for i in apt1.indicators)
    ivy = parse_stix((folder / "threat-reports" / "poisonivy.json").read_bytes(), source="oasis")
    assert not ivy.rejected and ivy.counts["kind.pattern"] == 21 and ivy.counts["type.campaign"] == 3
    c2 = parse_stix((folder / "indicators-for-C2-with-COA.json").read_bytes(), source="oasis")
    assert {(i.kind, i.value) for i in c2.indicators} == {
        ("ipv4", "10.0.0.0"), ("sha256", "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c")}
    marked = parse_stix((folder / "interop-objectmarking-test.json").read_bytes(), source="oasis")
    assert marked.objects[0].tlp == "red"  # TLP 1.0 RED among its markings


def test_large_bundles_check_in_processes_alike():
    template = _indicator("[ipv4-addr:value = '10.0.0.0']", 0)
    objs = [dict(template, id=f"indicator--00000000-0000-4000-8000-{n:012d}",
                 pattern=f"[ipv4-addr:value = '10.0.{n // 250}.{n % 250}']") for n in range(3_000)]
    objs[7]["pattern"] = "[ipv4-addr:value = "
    parsed = parse_stix(objs, source="feed", workers=2)
    assert len(parsed.indicators) == 2_999 and [r.ref for r in parsed.rejected] == [objs[7]["id"]]


# --- MISP ----------------------------------------------------------------------------------------

def _event(**kw) -> MISPEvent:
    event = MISPEvent()
    event.info = "fraud infrastructure"
    event.distribution = kw.pop("distribution", 1)
    return event


def test_every_misp_indicator_kind_and_objects_from_shipped_templates():
    event = _event()
    plain = {("ip-dst", "198.51.100.7"): ("ipv4", "198.51.100.7"),
             ("ip-src|port", "2001:db8::5|443"): ("ipv6", "2001:db8::5"),
             ("ip-dst", "10.9.0.0/16"): ("cidr", "10.9.0.0/16"),
             ("hostname", "WWW.Evil.Example."): ("domain", "www.evil.example"),
             ("url", "https://evil.example/a"): ("url", "https://evil.example/a"),
             ("filename|md5", "a.exe|D41D8CD98F00B204E9800998ECF8427E"): ("md5", "d41d8cd98f00b204e9800998ecf8427e"),
             ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"): ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
             ("sha512", "ab" * 64): ("sha512", "ab" * 64),
             ("email-src", "Scam@Example.com"): ("email", "scam@example.com"),
             ("phone-number", "0300 1234567"): ("phone", "+923001234567"),
             ("xmr", "4" + "A" * 94): ("wallet", "4" + "A" * 94)}
    for (kind, value) in plain:
        event.add_attribute(kind, value, to_ids=True)
    # MISP objects built from the templates pymisp ships (data/misp-objects): file, bank-account, domain-ip
    file_obj = MISPObject("file")
    file_obj.add_attribute("sha256", SHA256)
    file_obj.add_attribute("filename", "invoice.pdf.exe")
    bank = MISPObject("bank-account")
    bank.add_attribute("iban", "PK36SCBL0000001123456702")
    site = MISPObject("domain-ip")
    site.add_attribute("domain", "pay-now.example")
    for obj in (file_obj, bank, site):
        event.add_object(obj)
    parsed = parse_misp(event.to_json(), source="misp", owner_agency="FIA")
    assert not parsed.rejected
    got = {(i.kind, i.value) for i in parsed.indicators}
    assert set(plain.values()) <= got
    assert {("sha256", SHA256.lower()), ("iban", "PK36SCBL0000001123456702"), ("domain", "pay-now.example")} <= got
    assert {k for k, _ in got} == set(INDICATOR_KINDS) - {"pattern"}
    assert all(i.id.startswith("misp-attribute--") for i in parsed.indicators)
    kept = {o.type for o in parsed.objects}
    assert {"misp-object", "misp-attribute", "report"} <= kept  # the filename: context, not an indicator


def test_misp_types_are_real_misp_types():
    """Every type read is one pymisp's shipped describeTypes.json knows."""
    known = set(MISPEvent().describe_types["types"])
    assert set(MISP_TYPES) <= known


def test_misp_context_deleted_marking_validity_confidence_and_refusals():
    event = _event(distribution=1)
    event.add_tag("tlp:amber")
    ctx = event.add_attribute("domain", "benign.example", to_ids=False)
    gone = event.add_attribute("domain", "deleted.example", to_ids=True)
    red = event.add_attribute("ip-dst", "192.0.2.50", Tag=[{"name": "tlp:red"}])
    share = event.add_attribute("ip-dst", "192.0.2.51", distribution=4, sharing_group_id=7)
    open_ = event.add_attribute("ip-dst", "192.0.2.52", distribution=3)
    inherit = event.add_attribute("ip-dst", "192.0.2.53", distribution=5,
                                  first_seen="2026-01-01T00:00:00Z", last_seen="2026-03-01T00:00:00Z",
                                  Tag=[{"name": 'misp:confidence-level="usually-confident"'}])
    raw = json.loads(event.to_json())
    for a in raw["Attribute"]:
        if a["uuid"] == gone.uuid:
            a["deleted"] = True
    raw["Attribute"].append({"uuid": "5a1d4f1e-0000-4000-8000-000000000001", "type": "no-such-type", "value": "x"})
    raw["Attribute"].append({"uuid": "5a1d4f1e-0000-4000-8000-000000000002", "type": "ip-dst", "value": "999.1.1.1"})
    raw["Galaxy"] = [{"type": "threat-actor", "GalaxyCluster": [
        {"uuid": "7cdff317-a673-4474-84ec-4f1754947823", "value": "FIN7"}]}]
    parsed = parse_misp({"Event": raw}, source="misp", recipients=("ayesha",))
    by = {i.id.split("--")[1]: i for i in parsed.indicators}
    assert ctx.uuid not in by and gone.uuid not in by
    assert any(o.type == "misp-attribute" and o.body["value"] == "benign.example" for o in parsed.objects)
    assert by[red.uuid].tlp == "red" and by[red.uuid].recipients == ("ayesha",)
    assert by[share.uuid].tlp == "red" and by[share.uuid].recipients == ("ayesha",)
    assert by[open_.uuid].tlp == "clear" and by[open_.uuid].recipients == ()
    assert by[inherit.uuid].tlp == "amber" and by[inherit.uuid].confidence == 75  # event's tlp tag wins over dist 1
    assert by[inherit.uuid].valid_from == datetime(2026, 1, 1, tzinfo=UTC)
    assert by[inherit.uuid].valid_until == datetime(2026, 3, 1, tzinfo=UTC)
    reasons = {r.ref.split("--")[1]: r.reason for r in parsed.rejected}
    assert "no-such-type is invalid" in reasons["5a1d4f1e-0000-4000-8000-000000000001"]
    assert "999.1.1.1" in reasons["5a1d4f1e-0000-4000-8000-000000000002"]
    assert parsed.counts["skipped"] == 1
    links = [o for o in parsed.objects if o.type == "relationship"]
    assert {o.target_ref for o in links} == {"threat-actor--7cdff317-a673-4474-84ec-4f1754947823"}
    assert len(links) == len(parsed.indicators)


def test_misp_event_distribution_without_tags():
    event = _event(distribution=0)
    event.add_attribute("ip-dst", "192.0.2.60")
    assert parse_misp(event.to_json(), source="m").indicators[0].tlp == "amber+strict"
    event = _event(distribution=4)
    event.add_attribute("ip-dst", "192.0.2.61")
    ind = parse_misp(event.to_json(), source="m", recipients=("omar",)).indicators[0]
    assert ind.tlp == "red" and ind.recipients == ("omar",)
    with pytest.raises(ValueError, match="MISP"):
        parse_misp({"hello": 1}, source="m")


# --- lifecycle -----------------------------------------------------------------------------------

def _ind(kind: str, **kw) -> Indicator:
    return Indicator(id="indicator--x", kind=kind, value="v", confidence=80, **kw)


def test_activity_window_revocation_and_false_positive():
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    ind = _ind("ipv4", valid_from=start, valid_until=end)
    assert not is_active(ind, start - timedelta(seconds=1)) and is_active(ind, start)
    assert is_active(ind, end - timedelta(seconds=1)) and not is_active(ind, end)
    assert not is_active(_ind("ipv4", revoked=True), start)
    assert not is_active(_ind("ipv4", extra={"false_positive": True}), start)
    assert matchable([ind, _ind("ipv4", revoked=True)], start) == [ind]
    assert next_change([ind], start) == end and next_change([ind], end) is None


def test_decay_linear_window_and_half_life_per_kind():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    windowed = _ind("domain", valid_from=start, valid_until=start + timedelta(days=10))
    assert effective_confidence(windowed, start) == 80
    assert effective_confidence(windowed, start + timedelta(days=5)) == pytest.approx(40)
    assert effective_confidence(windowed, start + timedelta(days=10)) == 0
    ip, domain, sha = (_ind(k, valid_from=start) for k in ("ipv4", "domain", "sha256"))
    month = start + timedelta(days=30)
    assert effective_confidence(ip, month) == pytest.approx(40)
    assert effective_confidence(domain, month) == pytest.approx(80 * 0.5 ** (30 / 90))
    assert effective_confidence(sha, start + timedelta(days=3650)) == 80
    assert HALF_LIFE_DAYS["sha256"] is None and set(HALF_LIFE_DAYS) == set(INDICATOR_KINDS)
    assert matchable([ip, sha], month, min_confidence=50) == [sha]
