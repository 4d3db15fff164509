"""Each agency's extract: its columns, encoding, spelling habits and mistakes; plus ground truth.

Every writer here walks the synthetic world (population, crime, finance, streams) and renders the
part its agency would hold, the way that agency would write it. Every row gets a unique record_id,
and every mention of a real person, phone, vehicle or account goes into the truth files. About 0.2%
of rows get one deliberately invalid value that ingest must quarantine, listed in bad_rows.csv.

One module per agency (`nadra`, `police`, `excise`, `telecom`, `banks`, `cybercrime`, `osint`) and
one for the event streams (`streams`); what they share is in `common`. WRITERS lists them all in
the order generate() writes them.
"""

from __future__ import annotations

from collections.abc import Callable

from tahqiq.generate.sources.banks import write_bank_accounts, write_str
from tahqiq.generate.sources.common import (
    BAD_DISTRICTS,
    BAD_RATE,
    COLUMNS,
    DIFFICULTY,
    SOURCE_FILES,
    STREAM_FILES,
    World,
    any_format,
    bad_date,
    guardian_parts,
    money,
    open_sink,
    phone_for,
    rate,
    roughened,
    swap_day_month,
)
from tahqiq.generate.sources.cybercrime import write_cyber
from tahqiq.generate.sources.excise import write_excise
from tahqiq.generate.sources.nadra import write_nadra
from tahqiq.generate.sources.osint import write_osint
from tahqiq.generate.sources.police import write_fir, write_wanted
from tahqiq.generate.sources.streams import write_checks, write_reads, write_transactions
from tahqiq.generate.sources.telecom import write_telecom
from tahqiq.generate.writers import Sink

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

__all__ = [
    "BAD_DISTRICTS", "BAD_RATE", "COLUMNS", "DIFFICULTY", "SOURCE_FILES", "STREAM_FILES", "WRITERS", "World",
    "any_format", "bad_date", "guardian_parts", "money", "open_sink", "phone_for", "rate", "roughened",
    "swap_day_month",
]
