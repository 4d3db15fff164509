"""The event streams (time-ordered JSON lines): checkpoint CNIC checks, ANPR plate reads and bank
transactions, with the laundering ones marked in the ground truth.
"""

from __future__ import annotations

from tahqiq.generate import identifiers as ids
from tahqiq.generate.events import camera_misread
from tahqiq.generate.rng import stream
from tahqiq.generate.sources.common import BAD_RATE, World, money, open_sink
from tahqiq.generate.timefmt import EPOCH, iso
from tahqiq.generate.writers import Sink
from tahqiq.model import types


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
            plate = camera_misread(v.plate[veh], s.extra[k], rnd)
            conf = 0.55 + rnd() * 0.3
            try:
                types.plate(plate)
            except types.InvalidValue as err:  # e.g. a digit read as a letter: no plate has that shape
                T.bad([name, rid, "plate", str(err)])
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
        sink.write([tid, tid, iso(tx.time[k]), money(tx.amount[k]), "PKR", tx.channel[k],
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
    # Pattern times as Unix seconds, what a reader of occurred_at gets (the world counts from EPOCH).
    unix = int(EPOCH.timestamp())
    for rows, prefix, write in ((w.fin.patterns, "ML", T.laundering_pattern), (w.fin.lookalikes, "LA", T.lookalike)):
        for pid, p in enumerate(rows):
            write([f"{prefix}{pid + 1:05d}", p.kind, ";".join(iban[a] for a in p.accounts if a >= 0),
                   unix + p.first_ts, unix + p.last_ts, p.n_tx])
    return sink
