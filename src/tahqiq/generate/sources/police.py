"""Police records: FIRs as station clerks write them (Windows-1256, Urdu script in some names, "X s/o Y"
in one field), and the wanted list of proclaimed offenders and court absconders.
"""

from __future__ import annotations

import random

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.crime import OFFENCES
from tahqiq.generate.places import address_variant
from tahqiq.generate.population import Population
from tahqiq.generate.rng import stream
from tahqiq.generate.sources.common import (
    BAD_DISTRICTS,
    BAD_RATE,
    MF,
    World,
    any_format,
    bad_date,
    guardian_parts,
    open_sink,
    phone_for,
    rate,
    roughened,
)
from tahqiq.generate.timefmt import fmt_date, iso
from tahqiq.generate.urdu import URDU, cp1256_safe
from tahqiq.generate.writers import Sink

FIR_STYLE = nm.Style(MF, (4, 2, 1, 1, 1, 1, 3, 0.5), drop_muhammad=0.15, romanise=0.25, typo=0.12, clan_drop=0.25,
                     clan_move=0.2, clan_abbrev=0.5, honorific=0.4, mst=0.6, second_drop=0.15, upper=0.3)
WANTED_STYLE = nm.Style(MF, (6, 1, 1, 0.5, 0.5, 0.5, 3, 0.5), drop_muhammad=0.1, romanise=0.2, typo=0.06,
                        clan_drop=0.2, clan_move=0.2, clan_abbrev=0.4, honorific=0.2, mst=0.3, second_drop=0.1,
                        upper=0.6)
ALIASES = ("Billa", "Kaka", "Pappu", "Mithu", "Bholu", "Chitta", "Kala", "Guddu", "Shera", "Raju", "Jeeda",
           "Nikka", "Bhola", "Tota", "Lamba", "Bao", "Sonu", "Mana")
RANKS = ("SI", "ASI", "Inspector", "HC")

BRIEFS = {
    "Theft": ("Cash and valuables stolen from shop at {place}", "Goods stolen from parked loader near {place}",
              "Water pump and cables stolen from tube well near {place}"),
    "Theft in dwelling house": ("Gold ornaments and cash stolen from house at {place}",
                                "Valuables stolen from house at {place} while family was away"),
    "Motor vehicle theft": ("{vehicle} {plate} stolen from outside house at {place}",
                            "{vehicle} {plate} parked near {place} found missing"),
    "Mobile phone snatching": ("Two motorcyclists snatched mobile phone at gunpoint near {place}",
                               "Mobile phone and purse snatched near {place}"),
    "Robbery": ("Cash and mobile phones taken at gunpoint near {place}", "Shopkeeper robbed at gunpoint at {place}"),
    "Dacoity": ("Armed men entered house at {place} and took cash and jewellery",
                "Passengers of van robbed by armed group near {place}"),
    "House-breaking by night": ("House broken into at night at {place}, valuables stolen",),
    "Receiving stolen property": ("Stolen goods recovered from accused near {place}",),
    "Cheating": ("Accused received payment for plot and did not transfer it",
                 "Advance taken for goods that were never delivered"),
    "Forgery and cheating": ("Forged documents used to obtain money", "Fake property papers used to sell land"),
    "Dishonoured cheque": ("Cheque issued for repayment bounced on presentation",),
    "Murder": ("Complainant's relative shot dead over old enmity near {place}",),
    "Attempted murder": ("Firing over property dispute at {place}, complainant injured",),
    "Hurt": ("Quarrel in street at {place}, complainant injured",
             "Accused attacked complainant with sticks over old enmity"),
    "Assault and criminal intimidation": ("Accused threatened complainant with dire consequences at {place}",),
    "Possession of narcotics": ("Accused arrested at naka near {place}; charas recovered",
                                "Raid at {place}; accused arrested with narcotics"),
    "Illegal weapon": ("Accused arrested near {place} with unlicensed pistol",),
}


def offender_alias(i: int) -> str:
    return ALIASES[(i * 2654435761) % len(ALIASES)]


def _relation(pop: Population, i: int) -> str:
    if pop.gender[i] == "M":
        return "s/o"
    return "w/o" if pop.spouse_parts[i] else "d/o"


def _officer(r: random.Random) -> str:
    pools = nm.pools()
    given = pools.male[int(r.random() * len(pools.male))]
    return f"{RANKS[int(r.random() * len(RANKS))]} {'Muhammad ' if r.random() < 0.4 else ''}{given}"


def _fir_person(pop: Population, i: int, r: random.Random, urdu: bool, inline_p: float) -> tuple[str, str]:
    """(name, father/husband column) as a police clerk writes them, maybe "X s/o Y" in one field."""
    rnd = r.random
    rel = _relation(pop, i)
    guardian = guardian_parts(pop, i)
    if urdu:
        name = nm.render_urdu(pop.parts[i], r, honorific=0.3, mst=0.5)
        father = nm.render_urdu(guardian, r, honorific=0.1)
        if rnd() < inline_p:
            return cp1256_safe(f"{name} {URDU[rel]} {father}"), ""
        return cp1256_safe(name), cp1256_safe(father)
    name = nm.render(pop.parts[i], roughened(FIR_STYLE), r)
    father = nm.render(guardian, roughened(FIR_STYLE), r)
    if rnd() < rate(0.02, 0.05):
        name, father = father, name  # given and father's name swapped by the clerk
    if rnd() < inline_p:
        if rel == "s/o":
            u = rnd()
            rel = "bin" if u < 0.1 else ("walad" if u < 0.15 else "s/o")
        if father.isupper() and not name.isupper():
            father = father.title()
        inline = nm.with_relation(name, rel, father)
        return (inline.upper() if name.isupper() else inline), ""
    return name, father


def write_fir(w: World) -> Sink:
    name = "police_fir"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, dists, T, v = w.pop, w.geo.districts, w.truth, w.pop.vehicles
    sink = open_sink(w, name)
    for k, f in enumerate(w.crime.firs):
        rid = f"FIR-{k + 1:06d}"
        offence, sections, _w, _p, kind = OFFENCES[f.offence]
        d = dists[f.district]
        station = f.station
        assert station is not None  # build_crime gives every FIR a station
        urdu = rnd() < rate(0.35, 0.6)
        place = station.name[3:].replace("City ", "").replace("Saddar ", "")
        c_name = c_father = c_cnic = c_phone = c_addr = ""
        if f.complainant >= 0:
            i = f.complainant
            c_name, c_father = _fir_person(pop, i, r, urdu, 0.35)
            if rnd() < rate(0.8, 0.5):
                c_cnic = ids.cnic_variant(pop.cnic[i], r, 0.35, 0.05)
            ph = phone_for(pop, i, r) if rnd() < rate(0.85, 0.5) else -1
            if ph >= 0:
                c_phone = any_format(pop.phones.number[ph], r)
                T.phone([name, rid, "phone", pop.phones.pid(ph)])
            c_addr = address_variant(pop.address[i], r, 0.6)
            T.person([name, rid, "complainant", pop.pid(i)])
        else:
            c_name = _officer(r) + f", {station.name}"
        a_name = a_father = a_cnic = ""
        if f.accused >= 0:
            i = f.accused
            a_name, a_father = _fir_person(pop, i, r, urdu, 0.4)
            if i in pop.offender_set and rnd() < 0.2 and not urdu:
                alias = offender_alias(i)
                if " s/o " in a_name:
                    a_name = a_name.replace(" s/o ", f" alias {alias} s/o ", 1)
                else:
                    a_name = f"{a_name} alias {alias}"
            if rnd() < 0.3:
                a_cnic = ids.cnic_variant(pop.cnic[i], r, 0.35, 0.05)
            T.person([name, rid, "accused", pop.pid(i)])
        plate = ""
        brief_t = BRIEFS[offence][int(rnd() * len(BRIEFS[offence]))]
        vehicle = ""
        if f.vehicle >= 0:
            plate = ids.plate_variant(v.plate[f.vehicle], ("canonical", "space", "lower", "compact")[int(rnd() * 4)])
            vehicle = f"{v.make[f.vehicle]} {v.model[f.vehicle]}"
            T.vehicle([name, rid, "vehicle", v.vid(f.vehicle)])
        brief = brief_t.format(place=place, vehicle=vehicle, plate=plate.upper() or "")
        if f.accused < 0 and kind != "state":
            brief += "; accused unknown"
        district = d.name if rnd() > 0.05 else d.name.upper()
        reported = iso(f.reported)
        c_cnic_out = c_cnic
        if rnd() < BAD_RATE:
            choices = ["reported_at", "district"] + (["complainant_cnic"] if f.complainant >= 0 else [])
            field = choices[int(rnd() * len(choices))]
            if field == "complainant_cnic":
                c_cnic_out, why = ids.bad_cnic(pop.cnic[f.complainant]), "CNIC has 12 digits"
            elif field == "reported_at":
                reported, why = bad_date("iso-datetime", 2025), "date does not exist"
            else:
                district, why = BAD_DISTRICTS[int(rnd() * len(BAD_DISTRICTS))], "unknown district"
            T.bad([name, rid, field, why])
        sink.write([rid, f.number, station.name, district, offence, sections, iso(f.time), reported,
                    f"{f.lat:.6f}", f"{f.lon:.6f}", c_name, c_father, c_cnic_out, c_phone, c_addr, a_name, a_father,
                    a_cnic, plate, f.status, brief])
    w.tick(name, len(w.crime.firs))
    return sink


def write_wanted(w: World) -> Sink:
    name = "police_wanted"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, dists, T = w.pop, w.geo.districts, w.truth
    sink = open_sink(w, name)
    for k, wr in enumerate(w.crime.warrants):
        rid = f"W-{k + 1:05d}"
        f = w.crime.firs[wr.fir]
        assert f.station is not None  # build_crime gives every FIR a station
        i = wr.person
        full = nm.render(pop.parts[i], roughened(WANTED_STYLE), r)
        father = nm.render(pop.father_parts[i], roughened(WANTED_STYLE), r)
        if rnd() < 0.03:
            full, father = father, full
        alias = offender_alias(i) if i in pop.offender_set and rnd() < 0.5 else ""
        cnic = ids.cnic_variant(pop.cnic[i], r, 0.2, 0.0) if rnd() < rate(0.75, 0.4) else ""
        fmt = "%d.%m.%Y" if rnd() < 0.6 else "%d/%m/%Y"
        issued = fmt_date(wr.issued, fmt)
        if rnd() < BAD_RATE:
            field = ("cnic", "issued_on")[int(rnd() * 2)]
            if field == "cnic":
                cnic, why = ids.bad_cnic(pop.cnic[i]), "CNIC has 12 digits"
            else:
                issued, why = bad_date(fmt, 2025), "date does not exist"
            T.bad([name, rid, field, why])
        sink.write([rid, wr.number, f.number, f.station.name, full, alias, father, cnic,
                    address_variant(pop.address[i], r, 0.5), dists[f.district].name, OFFENCES[f.offence][0],
                    wr.category, wr.issued_by, issued, wr.status])
        T.person([name, rid, "subject", pop.pid(i)])
    w.tick(name, len(w.crime.warrants))
    return sink
