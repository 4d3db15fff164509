"""NADRA's ID registry: one row per CNIC holder, in NADRA's canonical spelling with Urdu names."""

from __future__ import annotations

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.rng import stream
from tahqiq.generate.sources.common import BAD_DISTRICTS, BAD_RATE, World, bad_date, open_sink
from tahqiq.generate.timefmt import fmt_date
from tahqiq.generate.writers import Sink


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
