"""Each agency's extract: its columns, encoding, spelling habits and mistakes; plus ground truth.

Every writer here walks the synthetic world (population, crime, finance, streams) and renders the
part its agency would hold, the way that agency would write it. Every row gets a unique record_id,
and every mention of a real person, phone, vehicle or account goes into the truth files. About 0.2%
of rows get one deliberately invalid value that ingest must quarantine, listed in bad_rows.csv.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.crime import OFFENCES, Crime
from tahqiq.generate.events import Osint, Point, Stream
from tahqiq.generate.finance import Finance
from tahqiq.generate.population import Population, address_variant
from tahqiq.generate.rng import stream
from tahqiq.generate.timefmt import EPOCH_ORD, fmt_date, iso
from tahqiq.generate.urdu import URDU, cp1256_safe
from tahqiq.generate.writers import CsvSink, JsonlSink, ParquetSink, Sink, Truth
from tahqiq.model.geography import Geography

BAD_RATE = 0.002


class _Difficulty:
    """`tahqiq generate --hard`: the same world written by sloppier clerks (more spelling variants
    and typos, more Urdu script, fewer CNICs and phones, more swapped dates), for evaluating
    resolution on data harder than the default. Set by generate() for one run."""

    hard = False


DIFFICULTY = _Difficulty()


def H(normal: float, hard: float) -> float:
    return hard if DIFFICULTY.hard else normal


def S(style: nm.Style) -> nm.Style:
    """The agency's name style, roughened in hard mode."""
    if not DIFFICULTY.hard:
        return style
    from dataclasses import replace

    return replace(style, typo=min(0.5, style.typo * 3 + 0.05), romanise=min(0.7, style.romanise * 2 + 0.1),
                   drop_muhammad=min(0.6, style.drop_muhammad * 2 + 0.1), second_drop=min(0.5, style.second_drop * 2),
                   clan_drop=min(0.6, style.clan_drop * 1.5))
BAD_DISTRICTS = ("Distt. XX", "Zilla 99", "Unknown-District", "Qasba 0")
ALIASES = ("Billa", "Kaka", "Pappu", "Mithu", "Bholu", "Chitta", "Kala", "Guddu", "Shera", "Raju", "Jeeda",
           "Nikka", "Bhola", "Tota", "Lamba", "Bao", "Sonu", "Mana")
RANKS = ("SI", "ASI", "Inspector", "HC")

MF = nm.MUHAMMAD_FORMS  # Muhammad, Mohammad, Muhammed, Mohammed, Mohd, Mohd., M., Md.
FIR_STYLE = nm.Style(MF, (4, 2, 1, 1, 1, 1, 3, 0.5), drop_muhammad=0.15, romanise=0.25, typo=0.12, clan_drop=0.25,
                     clan_move=0.2, clan_abbrev=0.5, honorific=0.4, mst=0.6, second_drop=0.15, upper=0.3)
WANTED_STYLE = nm.Style(MF, (6, 1, 1, 0.5, 0.5, 0.5, 3, 0.5), drop_muhammad=0.1, romanise=0.2, typo=0.06, clan_drop=0.2,
                        clan_move=0.2, clan_abbrev=0.4, honorific=0.2, mst=0.3, second_drop=0.1, upper=0.6)
EXCISE_STYLE = nm.Style(MF, (6, 2, 1, 0.5, 1, 0.5, 2, 0), drop_muhammad=0.05, romanise=0.15, typo=0.04, clan_drop=0.1,
                        clan_move=0.1, clan_abbrev=0.3, upper=0.7)
TELECOM_STYLE = nm.Style(MF, (8, 1, 0.5, 0.5, 0.5, 0, 1, 0), romanise=0.1, typo=0.02, clan_drop=0.15, second_drop=0.2,
                         upper=0.9)
BANK_STYLE = nm.Style(MF, (5, 2, 0.5, 0.5, 0, 0, 3, 1), romanise=0.12, typo=0.03, clan_drop=0.1, clan_abbrev=0.3,
                      honorific=0.1, upper=0.3)
STR_STYLE = nm.Style(MF, (5, 2, 0.5, 0.5, 0, 0, 3, 1), romanise=0.12, typo=0.03, clan_drop=0.1, upper=0.8)
CYBER_STYLE = nm.Style(MF, (3, 3, 1, 1, 2, 1, 1, 0.5), drop_muhammad=0.4, romanise=0.3, typo=0.1, clan_drop=0.4,
                       second_drop=0.3, lower=0.25)

SOURCE_FILES = {
    # name: (relative path, format, encoding)
    "nadra_id_registry": ("sources/nadra_id_registry.csv", "csv", "utf-8"),
    "police_fir": ("sources/police_fir.csv", "csv", "cp1256"),
    "police_wanted": ("sources/police_wanted.csv", "csv", "utf-8-sig"),
    "excise_vehicles": ("sources/excise_vehicles.csv", "csv", "utf-16"),
    "telecom_subscribers": ("sources/telecom_subscribers.jsonl", "jsonl", "utf-8"),
    "bank_accounts": ("sources/bank_accounts.csv", "csv", "utf-8"),
    "bank_str": ("sources/bank_str.parquet", "parquet", "binary"),
    "cybercrime_complaints": ("sources/cybercrime_complaints.jsonl", "jsonl", "utf-8"),
    "osint_events": ("sources/osint_events.jsonl", "jsonl", "utf-8"),
}
STREAM_FILES = {
    "checkpoint_checks": ("streams/checkpoint_checks.jsonl", "jsonl", "utf-8"),
    "anpr_reads": ("streams/anpr_reads.jsonl", "jsonl", "utf-8"),
    "transactions": ("streams/transactions.jsonl", "jsonl", "utf-8"),
}
COLUMNS = {
    "nadra_id_registry": ["record_id", "cnic", "name", "name_urdu", "father_name", "father_name_urdu", "spouse_name",
                          "dob", "gender", "address", "tehsil", "district", "issue_date", "expiry_date"],
    "police_fir": ["record_id", "fir_no", "police_station", "district", "offence", "ppc_sections", "occurred_at",
                   "reported_at", "latitude", "longitude", "complainant_name", "complainant_father", "complainant_cnic",
                   "complainant_phone", "complainant_address", "accused_name", "accused_father", "accused_cnic",
                   "stolen_vehicle_no", "status", "brief"],
    "police_wanted": ["record_id", "warrant_no", "fir_no", "police_station", "name", "alias", "father_name", "cnic",
                      "address", "district", "offence", "category", "issued_by", "issued_on", "status"],
    "excise_vehicles": ["record_id", "registration_no", "chassis_no", "engine_no", "make", "model", "body_type", "colour",
                        "model_year", "owner_name", "owner_father_name", "owner_cnic", "owner_address", "district",
                        "registration_date"],
    "telecom_subscribers": ["record_id", "msisdn", "operator", "subscriber_name", "cnic", "activation_date",
                            "connection_type", "district", "status"],
    "bank_accounts": ["record_id", "iban", "account_no", "bank", "branch", "account_title", "cnic", "dob", "mobile",
                      "opened_on", "account_type", "status"],
    "bank_str": ["record_id", "str_no", "reporting_bank", "report_date", "transaction_id", "transaction_time", "amount",
                 "currency", "channel", "payer_iban", "payee_iban", "subject_name", "subject_cnic", "subject_role",
                 "grounds"],
    "cybercrime_complaints": ["record_id", "complaint_no", "reported_at", "category", "description", "complainant_name",
                              "complainant_cnic", "complainant_phone", "suspect_phone", "suspect_iban", "suspect_url",
                              "amount_lost", "district"],
    "osint_events": ["record_id", "title", "event_type", "occurred_at", "district", "latitude", "longitude",
                     "source_url", "publisher"],
    "checkpoint_checks": ["record_id", "occurred_at", "checkpoint_id", "checkpoint", "district", "latitude", "longitude",
                          "cnic", "officer"],
    "anpr_reads": ["record_id", "occurred_at", "camera_id", "camera", "district", "latitude", "longitude", "plate",
                   "confidence"],
    "transactions": ["record_id", "transaction_id", "occurred_at", "amount", "currency", "channel", "payer_iban",
                     "payee_iban"],
}


@dataclass
class World:
    out: Path
    seed: int
    geo: Geography
    pop: Population
    crime: Crime
    fin: Finance
    checkpoints: list[Point]
    checks: Stream
    cameras: list[Point]
    reads: Stream
    osint: list[Osint]
    truth: Truth
    tick: Callable[[str, int], None]


def open_sink(w: World, name: str) -> Sink:
    rel, fmt, enc = SOURCE_FILES.get(name) or STREAM_FILES[name]
    path = w.out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = COLUMNS[name]
    if fmt == "csv":
        return CsvSink(name, path, cols, enc)
    if fmt == "jsonl":
        return JsonlSink(name, path, cols)
    return ParquetSink(name, path, cols, decimal_columns=("amount",))


# --- value helpers ---------------------------------------------------------------------------------

def bad_date(fmt: str, year: int) -> str:
    """A date no calendar has (31 February), written in the source's own format."""
    if fmt == "iso-datetime":
        return f"{year}-02-30T10:15:00+05:00"
    return fmt.replace("%d", "31").replace("%m", "02").replace("%b", "Feb").replace("%Y", str(year))


def phone_for(pop: Population, person: int, r: random.Random) -> int:
    mine = pop.phones.by_person.get(person)
    if not mine:
        return -1
    return mine[0] if len(mine) == 1 or r.random() < 0.6 else mine[int(r.random() * len(mine))]


def any_format(national: str, r: random.Random) -> str:
    return ids.phone_format(national, ids.PHONE_FORMATS[int(r.random() * len(ids.PHONE_FORMATS))])


def swap_day_month(ordinal: int, fmt: str) -> str | None:
    """The date with day and month exchanged, when that is still a valid date (a silent error)."""
    d = date.fromordinal(ordinal)
    if d.day > 12 or d.day == d.month:
        return None
    return date(d.year, d.day, d.month).strftime(fmt)


def _relation(pop: Population, i: int) -> str:
    if pop.gender[i] == "M":
        return "s/o"
    return "w/o" if pop.spouse_parts[i] else "d/o"


def _guardian(pop: Population, i: int) -> tuple:
    if pop.gender[i] == "F" and pop.spouse_parts[i]:
        return pop.spouse_parts[i]
    return pop.father_parts[i]


def offender_alias(i: int) -> str:
    return ALIASES[(i * 2654435761) % len(ALIASES)]


# --- NADRA ID registry -------------------------------------------------------------------------------

def write_nadra(w: World) -> Sink:
    name = "nadra_id_registry"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, dists, T = w.pop, w.geo.districts, w.truth
    sink = open_sink(w, name)
    fmt = "%d-%m-%Y"
    for i in range(pop.n):
        rid = f"N{i + 1:07d}"
        d = dists[pop.district[i]]
        cnic = pop.cnic[i]
        full = pop.name[i] if rnd() >= 0.005 else nm.render(pop.parts[i], nm.Style(typo=1.0), r)
        dob = fmt_date(pop.dob[i], fmt)
        district = d.name
        issue = pop.issue[i]
        if rnd() < BAD_RATE:
            field = ("cnic", "dob", "district")[int(rnd() * 3)]
            if field == "cnic":
                cnic, why = ids.bad_cnic(cnic), "CNIC has 12 digits"
            elif field == "dob":
                dob, why = bad_date(fmt, 1960 + int(rnd() * 40)), "date does not exist"
            else:
                district, why = BAD_DISTRICTS[int(rnd() * len(BAD_DISTRICTS))], "unknown district"
            T.bad([name, rid, field, why])
        sink.write([rid, cnic, full, pop.name_ur[i], pop.father_name[i], pop.father_name_ur[i], pop.spouse_name[i], dob,
                    pop.gender[i], pop.address[i], d.tehsils[pop.tehsil[i]].name, district, fmt_date(issue, fmt),
                    fmt_date(issue + 3652, fmt)])
        T.person([name, rid, "person", pop.pid(i)])
        if i % 20000 == 19999:
            w.tick(name, 20000)
    w.tick(name, pop.n % 20000)
    return sink


# --- police FIRs -------------------------------------------------------------------------------------

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
    "Hurt": ("Quarrel in street at {place}, complainant injured", "Accused attacked complainant with sticks over old enmity"),
    "Assault and criminal intimidation": ("Accused threatened complainant with dire consequences at {place}",),
    "Possession of narcotics": ("Accused arrested at naka near {place}; charas recovered",
                                "Raid at {place}; accused arrested with narcotics"),
    "Illegal weapon": ("Accused arrested near {place} with unlicensed pistol",),
}


def _officer(r: random.Random) -> str:
    pools = nm.pools()
    given = pools.male[int(r.random() * len(pools.male))]
    return f"{RANKS[int(r.random() * len(RANKS))]} {'Muhammad ' if r.random() < 0.4 else ''}{given}"


def _fir_person(pop: Population, i: int, r: random.Random, urdu: bool, inline_p: float) -> tuple[str, str]:
    """(name, father/husband column) as a police clerk writes them, maybe "X s/o Y" in one field."""
    rnd = r.random
    rel = _relation(pop, i)
    guardian = _guardian(pop, i)
    if urdu:
        name = nm.render_urdu(pop.parts[i], r, honorific=0.3, mst=0.5)
        father = nm.render_urdu(guardian, r, honorific=0.1)
        if rnd() < inline_p:
            return cp1256_safe(f"{name} {URDU[rel]} {father}"), ""
        return cp1256_safe(name), cp1256_safe(father)
    name = nm.render(pop.parts[i], S(FIR_STYLE), r)
    father = nm.render(guardian, S(FIR_STYLE), r)
    if rnd() < H(0.02, 0.05):
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
        urdu = rnd() < H(0.35, 0.6)
        place = f.station.name[3:].replace("City ", "").replace("Saddar ", "")
        c_name = c_father = c_cnic = c_phone = c_addr = ""
        if f.complainant >= 0:
            i = f.complainant
            c_name, c_father = _fir_person(pop, i, r, urdu, 0.35)
            if rnd() < H(0.8, 0.5):
                c_cnic = ids.cnic_variant(pop.cnic[i], r, 0.35, 0.05)
            ph = phone_for(pop, i, r) if rnd() < H(0.85, 0.5) else -1
            if ph >= 0:
                c_phone = any_format(pop.phones.number[ph], r)
                T.phone([name, rid, "phone", pop.phones.pid(ph)])
            c_addr = address_variant(pop.address[i], r, 0.6)
            T.person([name, rid, "complainant", pop.pid(i)])
        else:
            c_name = _officer(r) + f", {f.station.name}"
        a_name = a_father = a_cnic = ""
        if f.accused >= 0:
            i = f.accused
            a_name, a_father = _fir_person(pop, i, r, urdu, 0.4)
            if i in pop.offender_set and rnd() < 0.2 and not urdu:
                a_name = a_name.replace(" s/o ", f" alias {offender_alias(i)} s/o ", 1) if " s/o " in a_name else f"{a_name} alias {offender_alias(i)}"
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
        sink.write([rid, f.number, f.station.name, district, offence, sections, iso(f.time), reported,
                    f"{f.lat:.6f}", f"{f.lon:.6f}", c_name, c_father, c_cnic_out, c_phone, c_addr, a_name, a_father,
                    a_cnic, plate, f.status, brief])
    w.tick(name, len(w.crime.firs))
    return sink


# --- wanted list -------------------------------------------------------------------------------------

def write_wanted(w: World) -> Sink:
    name = "police_wanted"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, dists, T = w.pop, w.geo.districts, w.truth
    sink = open_sink(w, name)
    for k, wr in enumerate(w.crime.warrants):
        rid = f"W-{k + 1:05d}"
        f = w.crime.firs[wr.fir]
        i = wr.person
        full = nm.render(pop.parts[i], S(WANTED_STYLE), r)
        father = nm.render(pop.father_parts[i], S(WANTED_STYLE), r)
        if rnd() < 0.03:
            full, father = father, full
        alias = offender_alias(i) if i in pop.offender_set and rnd() < 0.5 else ""
        cnic = ids.cnic_variant(pop.cnic[i], r, 0.2, 0.0) if rnd() < H(0.75, 0.4) else ""
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


# --- excise vehicle registry -------------------------------------------------------------------------

def write_excise(w: World) -> Sink:
    name = "excise_vehicles"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, dists, T, v = w.pop, w.geo.districts, w.truth, w.pop.vehicles
    sink = open_sink(w, name)
    fmt = "%d/%m/%Y"
    for k in range(len(v.plate)):
        rid = f"V{k + 1:07d}"
        i = v.owner[k]
        owner = nm.render(pop.parts[i], S(EXCISE_STYLE), r)
        father = nm.render(_guardian(pop, i), EXCISE_STYLE, r)
        if rnd() < 0.02:
            owner, father = father, owner
        cnic = ids.cnic_variant(pop.cnic[i], r, 0.1, 0.0) if rnd() < H(0.92, 0.6) else ""
        reg = fmt_date(v.registered[k], fmt)
        district = dists[v.reg_district[k]].name
        if rnd() < BAD_RATE:
            field = ("owner_cnic", "registration_date", "district")[int(rnd() * 3)]
            if field == "owner_cnic":
                cnic, why = ids.bad_cnic(pop.cnic[i]), "CNIC has 12 digits"
            elif field == "registration_date":
                reg, why = bad_date(fmt, 2019), "date does not exist"
            else:
                district, why = BAD_DISTRICTS[int(rnd() * len(BAD_DISTRICTS))], "unknown district"
            T.bad([name, rid, field, why])
        sink.write([rid, v.plate[k], v.chassis[k], v.engine[k], v.make[k], v.model[k], v.vtype[k], v.colour[k],
                    str(v.year[k]), owner, father, cnic, address_variant(pop.address[i], r, 0.3), district, reg])
        T.vehicle([name, rid, "vehicle", v.vid(k)])
        T.person([name, rid, "owner", pop.pid(i)])
        if k % 20000 == 19999:
            w.tick(name, 20000)
    w.tick(name, len(v.plate) % 20000)
    return sink


# --- telecom subscribers -----------------------------------------------------------------------------

OPERATOR_FORMAT = {"Jazz": "intl_digits", "Zong": "national", "Ufone": "plus_spaced", "Telenor": "dash"}


def write_telecom(w: World) -> Sink:
    name = "telecom_subscribers"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, dists, T, ph = w.pop, w.geo.districts, w.truth, w.pop.phones
    sink = open_sink(w, name)
    fmt = "%Y-%m-%d"
    for k in range(len(ph.number)):
        rid = f"T{k + 1:08d}"
        i = ph.owner[k]
        op = ph.operator[k]
        style = OPERATOR_FORMAT[op] if rnd() < 0.85 else ids.PHONE_FORMATS[int(rnd() * len(ids.PHONE_FORMATS))]
        msisdn = ids.phone_format(ph.number[k], style)
        cnic = ids.cnic_digits(pop.cnic[i]) if op in ("Jazz", "Zong") else pop.cnic[i]
        if rnd() < BAD_RATE:
            field = ("msisdn", "cnic")[int(rnd() * 2)]
            if field == "msisdn":
                msisdn, why = ids.bad_phone(ph.number[k], r), "not a valid Pakistani phone number"
            else:
                cnic, why = ids.bad_cnic(pop.cnic[i]), "CNIC has 12 digits"
            T.bad([name, rid, field, why])
        u = rnd()
        status = "active" if u < 0.92 else ("blocked" if u < 0.97 else "suspended")
        sink.write([rid, msisdn, op, nm.render(pop.parts[i], S(TELECOM_STYLE), r), cnic, fmt_date(ph.activated[k], fmt),
                    ph.kind[k], dists[pop.district[i]].name, status])
        T.phone([name, rid, "phone", ph.pid(k)])
        T.person([name, rid, "subscriber", pop.pid(i)])
        if k % 20000 == 19999:
            w.tick(name, 20000)
    w.tick(name, len(ph.number) % 20000)
    return sink


# --- bank accounts -----------------------------------------------------------------------------------

def write_bank_accounts(w: World) -> Sink:
    name = "bank_accounts"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, T, acc = w.pop, w.truth, w.pop.accounts
    sink = open_sink(w, name)
    dob_fmt, open_fmt = "%d/%m/%Y", "%d-%b-%Y"
    for k in range(acc.n_personal):
        rid = f"A{k + 1:07d}"
        i = acc.owner[k]
        cnic = pop.cnic[i] if rnd() < H(0.98, 0.7) else ""
        dob = fmt_date(pop.dob[i], dob_fmt)
        if rnd() < H(0.02, 0.15):
            dob = swap_day_month(pop.dob[i], dob_fmt) or dob
        phone = phone_for(pop, i, r) if rnd() < H(0.85, 0.5) else -1
        mobile = any_format(pop.phones.number[phone], r) if phone >= 0 else ""
        opened = fmt_date(acc.opened[k], open_fmt)
        if rnd() < BAD_RATE:
            fields = ["cnic", "opened_on"] + (["mobile"] if phone >= 0 else [])
            field = fields[int(rnd() * len(fields))]
            if field == "cnic":
                cnic, why = ids.bad_cnic(pop.cnic[i]), "CNIC has 12 digits"
            elif field == "mobile":
                mobile, why = ids.bad_phone(pop.phones.number[phone], r), "not a valid Pakistani phone number"
            else:
                opened, why = bad_date(open_fmt, 2018), "date does not exist"
            T.bad([name, rid, field, why])
        if phone >= 0:
            T.phone([name, rid, "phone", pop.phones.pid(phone)])
        u = rnd()
        status = "active" if u < 0.9 else ("dormant" if u < 0.98 else "blocked")
        sink.write([rid, acc.iban[k], acc.iban[k][8:], acc.bank[k], acc.branch[k], nm.render(pop.parts[i], S(BANK_STYLE), r),
                    cnic, dob, mobile, opened, acc.kind[k], status])
        T.account([name, rid, "account", acc.aid(k)])
        T.person([name, rid, "holder", pop.pid(i)])
        if k % 20000 == 19999:
            w.tick(name, 20000)
    w.tick(name, acc.n_personal % 20000)
    return sink


# --- suspicious transaction reports ------------------------------------------------------------------

def _money(paisa: int) -> str:
    return f"{paisa // 100}.{paisa % 100:02d}"


def write_str(w: World) -> Sink:
    name = "bank_str"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, T, acc, tx = w.pop, w.truth, w.pop.accounts, w.fin.tx
    rank = {k: j for j, k in enumerate(tx.order)}
    sink = open_sink(w, name)
    for s_i, s in enumerate(w.fin.strs):
        rid = f"S{s_i + 1:06d}"
        k = s.tx
        tid = tx.tid(rank[k])
        i = acc.owner[s.subject_account]
        cnic = pop.cnic[i]
        year = fmt_date(s.reported, "%Y")
        if rnd() < BAD_RATE:
            cnic = ids.bad_cnic(cnic)
            T.bad([name, rid, "subject_cnic", "CNIC has 12 digits"])
        payer = acc.iban[tx.payer[k]] if tx.payer[k] >= 0 else ""
        payee = acc.iban[tx.payee[k]] if tx.payee[k] >= 0 else ""
        sink.write([rid, f"STR/{year}/{s_i + 1:06d}", acc.bank[s.subject_account], fmt_date(s.reported, "%Y-%m-%d"), tid,
                    iso(tx.time[k]), _money(tx.amount[k]), "PKR", tx.channel[k], payer, payee,
                    nm.render(pop.parts[i], S(STR_STYLE), r), cnic, s.role, s.grounds])
        T.person([name, rid, "subject", pop.pid(i)])
        if payer:
            T.account([name, rid, "payer", acc.aid(tx.payer[k])])
        if payee:
            T.account([name, rid, "payee", acc.aid(tx.payee[k])])
    w.tick(name, len(w.fin.strs))
    return sink


# --- cybercrime complaints ---------------------------------------------------------------------------

def write_cyber(w: World) -> Sink:
    name = "cybercrime_complaints"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, dists, T, acc, ph = w.pop, w.geo.districts, w.truth, w.pop.accounts, w.pop.phones
    sink = open_sink(w, name)
    counters: dict[tuple[str, str], int] = {}
    for k, c in enumerate(w.fin.complaints):
        rid = f"CC-{k + 1:06d}"
        d = dists[c.district]
        year = fmt_date(EPOCH_ORD + c.time // 86400, "%Y")
        key = (d.plate_code, year)
        counters[key] = counters.get(key, 0) + 1
        i = c.complainant
        cnic = ids.cnic_variant(pop.cnic[i], r, 0.5, 0.05) if rnd() < H(0.85, 0.5) else ""
        own = phone_for(pop, i, r)
        c_phone = any_format(ph.number[own], r) if own >= 0 and rnd() < 0.95 else ""
        s_phone = any_format(ph.number[c.suspect_phone], r) if c.suspect_phone >= 0 else ""
        s_iban = ""
        if c.suspect_account >= 0:
            s_iban = acc.iban[c.suspect_account]
            if rnd() < 0.2:
                s_iban = ids.iban_spaced(s_iban)
            T.account([name, rid, "suspect_account", acc.aid(c.suspect_account)])
        district = d.name if rnd() > 0.1 else d.name.lower()
        if rnd() < BAD_RATE:
            fields = ["district"] + (["complainant_phone"] if c_phone else [])
            field = fields[int(rnd() * len(fields))]
            if field == "district":
                district, why = BAD_DISTRICTS[int(rnd() * len(BAD_DISTRICTS))], "unknown district"
            else:
                c_phone, why = ids.bad_phone(ph.number[own], r), "not a valid Pakistani phone number"
            T.bad([name, rid, field, why])
        if c_phone and own >= 0:
            T.phone([name, rid, "complainant_phone", ph.pid(own)])
        if s_phone:
            T.phone([name, rid, "suspect_phone", ph.pid(c.suspect_phone)])
        sink.write([rid, f"NCCIA/{d.plate_code}/{year}/{counters[key]:05d}", iso(c.time), c.category, c.description,
                    nm.render(pop.parts[i], S(CYBER_STYLE), r), cnic, c_phone, s_phone, s_iban, c.suspect_url,
                    _money(c.amount) if c.amount else "", district])
        T.person([name, rid, "complainant", pop.pid(i)])
    w.tick(name, len(w.fin.complaints))
    return sink


# --- OSINT events ------------------------------------------------------------------------------------

def write_osint(w: World) -> Sink:
    name = "osint_events"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    dists, T = w.geo.districts, w.truth
    sink = open_sink(w, name)
    for k, o in enumerate(w.osint):
        rid = f"OS-{k + 1:06d}"
        district = dists[o.district].name
        if rnd() < BAD_RATE:
            district = BAD_DISTRICTS[int(rnd() * len(BAD_DISTRICTS))]
            T.bad([name, rid, "district", "unknown district"])
        sink.write([rid, o.title, o.kind, iso(o.time), district, round(o.lat, 5), round(o.lon, 5), o.url, o.publisher])
    w.tick(name, len(w.osint))
    return sink


# --- streams -----------------------------------------------------------------------------------------

def write_checks(w: World) -> Sink:
    name = "checkpoint_checks"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    pop, dists, T, s, pts = w.pop, w.geo.districts, w.truth, w.checks, w.checkpoints
    sink = open_sink(w, name)
    ranks = ("HC", "ASI", "SI", "C")
    for k in range(len(s.time)):
        rid = f"CK{k + 1:09d}"
        p = pts[s.point[k]]
        i = s.subject[k]
        cnic = ids.cnic_digits(pop.cnic[i]) if rnd() < 0.7 else pop.cnic[i]
        if rnd() < BAD_RATE:
            cnic = ids.bad_cnic(pop.cnic[i])
            T.bad([name, rid, "cnic", "CNIC has 12 digits"])
        badge = s.extra[k]
        sink.write([rid, iso(s.time[k]), p.id, p.name, dists[p.district].name, round(p.lat, 5), round(p.lon, 5), cnic,
                    f"{ranks[badge % 4]}-{badge}"])
        T.person([name, rid, "person", pop.pid(i)])
        if k % 20000 == 19999:
            w.tick(name, 20000)
    w.tick(name, len(s.time) % 20000)
    return sink


def write_reads(w: World) -> Sink:
    name = "anpr_reads"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    dists, T, s, cams, v = w.geo.districts, w.truth, w.reads, w.cameras, w.pop.vehicles
    sink = open_sink(w, name)
    for k in range(len(s.time)):
        rid = f"RD{k + 1:09d}"
        c = cams[s.point[k]]
        veh = s.subject[k]
        if s.extra[k]:
            plate = ids.plate_misread(v.plate[veh], r)
            conf = 0.55 + rnd() * 0.3
        else:
            plate = v.plate[veh].replace("-", "")
            conf = 0.86 + rnd() * 0.135
        sink.write([rid, iso(s.time[k]), c.id, c.name, dists[c.district].name, round(c.lat, 5), round(c.lon, 5), plate,
                    round(conf, 3)])
        T.vehicle([name, rid, "vehicle", v.vid(veh)])
        if k % 20000 == 19999:
            w.tick(name, 20000)
    w.tick(name, len(s.time) % 20000)
    return sink


def write_transactions(w: World) -> Sink:
    name = "transactions"
    T, acc, tx = w.truth, w.pop.accounts, w.fin.tx
    sink = open_sink(w, name)
    iban = acc.iban
    for j, k in enumerate(tx.order):
        tid = tx.tid(j)
        payer, payee = tx.payer[k], tx.payee[k]
        sink.write([tid, tid, iso(tx.time[k]), _money(tx.amount[k]), "PKR", tx.channel[k],
                    iban[payer] if payer >= 0 else "", iban[payee] if payee >= 0 else ""])
        if payer >= 0:
            T.account([name, tid, "payer", acc.aid(payer)])
        if payee >= 0:
            T.account([name, tid, "payee", acc.aid(payee)])
        if tx.typology[k]:
            T.laundering([tid, tx.typology[k], f"ML{tx.pattern[k] + 1:05d}"])
        if j % 20000 == 19999:
            w.tick(name, 20000)
    w.tick(name, len(tx.order) % 20000)
    return sink


WRITERS: dict[str, Callable[[World], Sink]] = {
    "nadra_id_registry": write_nadra,
    "police_fir": write_fir,
    "police_wanted": write_wanted,
    "excise_vehicles": write_excise,
    "telecom_subscribers": write_telecom,
    "bank_accounts": write_bank_accounts,
    "bank_str": write_str,
    "cybercrime_complaints": write_cyber,
    "osint_events": write_osint,
    "checkpoint_checks": write_checks,
    "anpr_reads": write_reads,
    "transactions": write_transactions,
}
