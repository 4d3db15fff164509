"""What every agency writer shares: the output files and their columns, the world they read, the
difficulty switch, and the helpers for values that several agencies write the same way.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.crime import Crime
from tahqiq.generate.events import Osint, Point, Stream
from tahqiq.generate.finance import Finance
from tahqiq.generate.population import Population
from tahqiq.generate.writers import CsvSink, JsonlSink, ParquetSink, Sink, Truth
from tahqiq.model.geography import Geography

BAD_RATE = 0.002


class _Difficulty:
    """`tahqiq generate --hard`: the same world written by sloppier clerks (more spelling variants
    and typos, more Urdu script, fewer CNICs and phones, more swapped dates), for evaluating
    resolution on data harder than the default. Set by generate() for one run."""

    hard = False


DIFFICULTY = _Difficulty()


def rate(normal: float, hard: float) -> float:
    """The probability a writer uses: `normal` by default, `hard` under --hard."""
    return hard if DIFFICULTY.hard else normal


def roughened(style: nm.Style) -> nm.Style:
    """The agency's name style, roughened in hard mode."""
    if not DIFFICULTY.hard:
        return style
    return replace(style, typo=min(0.5, style.typo * 3 + 0.05), romanise=min(0.7, style.romanise * 2 + 0.1),
                   drop_muhammad=min(0.6, style.drop_muhammad * 2 + 0.1),
                   second_drop=min(0.5, style.second_drop * 2), clan_drop=min(0.6, style.clan_drop * 1.5))


BAD_DISTRICTS = ("Distt. XX", "Zilla 99", "Unknown-District", "Qasba 0")
MF = nm.MUHAMMAD_FORMS  # Muhammad, Mohammad, Muhammed, Mohammed, Mohd, Mohd., M., Md.

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
    "excise_vehicles": ["record_id", "registration_no", "chassis_no", "engine_no", "make", "model", "body_type",
                        "colour", "model_year", "owner_name", "owner_father_name", "owner_cnic", "owner_address",
                        "district", "registration_date"],
    "telecom_subscribers": ["record_id", "msisdn", "operator", "subscriber_name", "cnic", "activation_date",
                            "connection_type", "district", "status"],
    "bank_accounts": ["record_id", "iban", "account_no", "bank", "branch", "account_title", "cnic", "dob", "mobile",
                      "opened_on", "account_type", "status"],
    "bank_str": ["record_id", "str_no", "reporting_bank", "report_date", "transaction_id", "transaction_time", "amount",
                 "currency", "channel", "payer_iban", "payee_iban", "subject_name", "subject_cnic", "subject_role",
                 "grounds"],
    "cybercrime_complaints": ["record_id", "complaint_no", "reported_at", "category", "description", "complainant_name",
                              "complainant_cnic", "complainant_phone", "suspect_phone", "suspect_iban", "suspect_url",
                              "suspect_wallet", "suspect_device", "amount_lost", "district"],
    "osint_events": ["record_id", "title", "event_type", "occurred_at", "district", "latitude", "longitude",
                     "source_url", "publisher"],
    "checkpoint_checks": ["record_id", "occurred_at", "checkpoint_id", "checkpoint", "district", "latitude",
                          "longitude", "cnic", "officer"],
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


def bad_date(fmt: str, year: int) -> str:
    """A date no calendar has (31 February), written in the source's own format."""
    if fmt == "iso-datetime":
        return f"{year}-02-30T10:15:00+05:00"
    return fmt.replace("%d", "31").replace("%m", "02").replace("%b", "Feb").replace("%Y", str(year))


def phone_for(pop: Population, person: int, r: random.Random) -> int:
    """One of the person's SIMs (usually the first), or -1 when they have none."""
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


def guardian_parts(pop: Population, i: int) -> nm.NameParts:
    """Whose name goes in the father/husband column: a married woman's husband, otherwise the father."""
    spouse = pop.spouse_parts[i]
    if pop.gender[i] == "F" and spouse:
        return spouse
    return pop.father_parts[i]


def money(paisa: int) -> str:
    """An amount in paisa as rupees with two decimals, the way the banks export it."""
    return f"{paisa // 100}.{paisa % 100:02d}"
