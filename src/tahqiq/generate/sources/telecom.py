"""Telecom subscriber records (JSON lines): one row per SIM, each operator with its own number format."""

from __future__ import annotations

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.rng import stream
from tahqiq.generate.sources.common import BAD_RATE, MF, World, open_sink, roughened
from tahqiq.generate.timefmt import fmt_date
from tahqiq.generate.writers import Sink

TELECOM_STYLE = nm.Style(MF, (8, 1, 0.5, 0.5, 0.5, 0, 1, 0), romanise=0.1, typo=0.02, clan_drop=0.15,
                         second_drop=0.2, upper=0.9)
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
        sink.write([rid, msisdn, op, nm.render(pop.parts[i], roughened(TELECOM_STYLE), r), cnic,
                    fmt_date(ph.activated[k], fmt), ph.kind[k], dists[pop.district[i]].name, status])
        T.phone([name, rid, "phone", ph.pid(k)])
        T.person([name, rid, "subscriber", pop.pid(i)])
        if k % 20000 == 19999:
            w.tick(name, 20000)
    w.tick(name, len(ph.number) % 20000)
    return sink
