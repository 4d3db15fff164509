"""The typology detectors as SQL that DuckDB and Spark SQL both run unchanged.

Every statement reads the table/view `tx` and the helper views built in `prepare(...)`, and returns
long rows `(typology, gid, centre, tx_id, stat_1 .. stat_n)`: one row per member transaction of a
candidate group. Python (detectors.py) merges overlapping candidates and builds the hits, so both
engines share everything after the SQL. Only portable SQL is used: no arrays, no recursive CTEs, no
dialect-specific functions (string, cast and floor are spelled the way both accept).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tahqiq.networks.detectors import DetectorSettings

__all__ = ["prepare", "detector_queries"]


def _bucket(column: str) -> str:
    # For each window width w, two grids, the second shifted by w/2: any burst shorter than half a
    # window falls wholly inside one bucket of one grid, without a per-transaction self-join.
    return f"CAST(FLOOR(({column} + g.g * g.w / 2) / g.w) AS BIGINT)"


def prepare(s: DetectorSettings) -> list[tuple[str, str]]:
    """(name, select) pairs to materialise in order before the detectors run."""
    return [
        ("grids", " UNION ALL ".join(f"SELECT {o} AS g, {w} AS w" for w in s.fan_windows_s for o in (0, 1))),
        # behaviour of each account over the whole period, measured from the data alone
        ("acct", """SELECT acct, SUM(n_in) AS n_in, SUM(n_out) AS n_out, SUM(deg) AS degree,
                           SUM(mean_in) AS mean_in, SUM(mean_out) AS mean_out FROM (
                      SELECT payee AS acct, COUNT(*) AS n_in, 0 AS n_out, COUNT(DISTINCT payer) AS deg,
                             AVG(amount) AS mean_in, 0.0 AS mean_out
                      FROM tx WHERE payee IS NOT NULL AND payer IS NOT NULL GROUP BY payee
                      UNION ALL
                      SELECT payer AS acct, 0 AS n_in, COUNT(*) AS n_out, COUNT(DISTINCT payee) AS deg,
                             0.0 AS mean_in, AVG(amount) AS mean_out
                      FROM tx WHERE payer IS NOT NULL AND payee IS NOT NULL GROUP BY payer) u GROUP BY acct"""),
        ("edges", """SELECT payer, payee, COUNT(*) AS n FROM tx
                     WHERE payer IS NOT NULL AND payee IS NOT NULL GROUP BY payer, payee"""),
        # Both sides of every large payment between two accounts, once: fans and hubs are bursts of
        # these. Everyday small payments (shopping, bills, pocket money) are no way to move a sum.
        ("legs", f"""SELECT payee AS acct, payer AS cp, 1 AS inbound, tx_id, ts, amount FROM tx
                     WHERE payer IS NOT NULL AND payee IS NOT NULL AND amount >= {s.min_amount}
                     UNION ALL
                     SELECT payer AS acct, payee AS cp, 0 AS inbound, tx_id, ts, amount FROM tx
                     WHERE payer IS NOT NULL AND payee IS NOT NULL AND amount >= {s.min_amount}"""),
        ("acct_legs", """SELECT l.acct, l.inbound, COUNT(*) AS n,
                                MAX(CASE WHEN l.inbound = 1 THEN a.mean_in ELSE a.mean_out END) AS usual
                         FROM legs l JOIN acct a ON a.acct = l.acct GROUP BY l.acct, l.inbound"""),
        # Every window of every width in one pass: count, sum and spread of each account's large
        # payments per direction and bucket. Only buckets with enough counterparties are kept.
        ("bursts", f"""SELECT l.acct, l.inbound, g.g * 1000000000 + g.w AS g, {_bucket('l.ts')} AS b,
                              COUNT(DISTINCT l.cp) AS degree, COUNT(*) AS n, SUM(l.amount) AS total,
                              MIN(l.ts) AS t0, MAX(l.ts) AS t9
                       FROM legs l CROSS JOIN grids g GROUP BY l.acct, l.inbound, g.g, g.w, {_bucket('l.ts')}
                       HAVING COUNT(DISTINCT l.cp) >= {min(s.fan_min_degree, s.gs_min_side)}"""),
        # Accounts that trade with very many counterparties (merchants, employers, utilities) are not
        # intermediaries of a layering chain: leaving them out keeps the hop join small.
        # A pair that trades again and again (family, rent, a supplier) is a standing relationship,
        # not a layering step: its payments are left out of the flows.
        ("flowing", f"""SELECT t.tx_id, t.ts, t.payer, t.payee, t.amount FROM tx t
                        JOIN edges x ON x.payer = t.payer AND x.payee = t.payee AND x.n < {s.repeat_edge_count}
                        WHERE t.payer IS NOT NULL AND t.payee IS NOT NULL AND t.amount >= {s.min_amount}
                          AND t.payee IN (SELECT acct FROM acct WHERE degree <= {s.hub_degree})"""),
        ("leaving", f"""SELECT t.tx_id, t.ts, t.payer, t.payee, t.amount FROM tx t
                        JOIN edges x ON x.payer = t.payer AND x.payee = t.payee AND x.n < {s.repeat_edge_count}
                        WHERE t.payer IS NOT NULL AND t.payee IS NOT NULL
                          AND t.amount >= {s.min_amount * s.hop_min_retention}
                          AND t.payer IN (SELECT acct FROM acct WHERE degree <= {s.hub_degree})"""),
        # A hop: money that arrived at `mid` leaves again soon, with most of the amount kept.
        ("hop", f"""SELECT a.tx_id AS tx1, b.tx_id AS tx2, a.payer AS src, a.payee AS mid, b.payee AS dst,
                           a.ts AS t1, b.ts AS t2, a.amount AS a1, b.amount AS a2, m.degree AS dmid
                    FROM flowing a JOIN leaving b ON a.payee = b.payer JOIN acct m ON m.acct = a.payee
                    WHERE b.ts > a.ts AND b.ts <= a.ts + {s.hop_max_delay_s}
                      AND b.amount <= a.amount * {s.hop_max_retention}
                      AND b.amount >= a.amount * {s.hop_min_retention}
                      AND b.payee <> a.payee"""),
    ]


def _burst(s: DetectorSettings, inbound: int, min_degree: int, min_share: float) -> str:
    """Bursts on one side of an account: enough distinct counterparties, large payments, and most of
    its large payments that way. `size_vs_usual`: the burst's mean payment against the account's mean
    payment that way over the whole period (small everyday payments included)."""
    return f"""SELECT b.acct, b.g, b.b, b.degree, b.n, b.total, b.t0, b.t9, b.n * 1.0 / c.n AS burst_share,
                      b.total / b.n / c.usual AS size_vs_usual
               FROM bursts b JOIN acct_legs c ON c.acct = b.acct AND c.inbound = b.inbound
               WHERE b.inbound = {inbound} AND b.degree >= {min_degree} AND b.total >= b.n * {s.fan_min_mean_amount}
                 AND b.n * 1.0 / c.n >= {min_share}"""


def _members(burst: str, inbound: int) -> str:
    # the burst's payments are that account's legs between its first and last time in the bucket
    return f"""SELECT k.acct, k.g, k.b, l.tx_id, l.cp, l.amount, l.ts FROM {burst} k
               JOIN legs l ON l.acct = k.acct AND l.inbound = {inbound} AND l.ts >= k.t0 AND l.ts <= k.t9"""


def _unusual(s: DetectorSettings, members: str, inbound: int) -> str:
    """How large each payment is for the counterparty: against the mean of its other payments that
    way (a mule's cut dwarfs its everyday transfers; a friend's loan does not). A counterparty that
    makes no other payment that way is compared with the smallest sum worth following."""
    n, mean = ("a.n_out", "a.mean_out") if inbound else ("a.n_in", "a.mean_in")
    usual = f"CASE WHEN {n} > 1 THEN ({n} * {mean} - m.amount) / ({n} - 1) ELSE {s.min_amount} END"
    return f"""SELECT m.acct, m.g, m.b, MEDIAN(m.amount / GREATEST({usual}, 1.0)) AS cp_size_vs_usual
               FROM {members} m JOIN acct a ON a.acct = m.cp GROUP BY m.acct, m.g, m.b"""


def _gid(alias: str) -> str:
    return f"concat({alias}.acct, '|', CAST({alias}.g AS STRING), '|', CAST({alias}.b AS STRING))"


def _fan(s: DetectorSettings, typology: str) -> str:
    inbound = 1 if typology == "fan_in" else 0
    edge_me, edge_cp = ("e.payee", "e.payer") if inbound else ("e.payer", "e.payee")
    onward_min = s.fan_in_onward_min if inbound else s.fan_out_onward_min
    # Many payers each paying a busy account a little more than they usually pay is everyday life
    # (a lender repaid, a collection among friends); feeders of a collector pay it far more.
    cp_min = s.fan_in_min_cp_size_vs_usual if inbound else s.fan_min_cp_size_vs_usual
    if inbound:
        # The collector sends the money on, gathered into fewer, larger payments: payments out of it,
        # each at least about the burst's mean payment in, from the first payment in until a few days
        # after the last, measured against what came in. They are part of the scheme.
        onward = f"""SELECT k.acct, k.g, k.b, t.tx_id FROM burst k
                     JOIN tx t ON t.payer = k.acct AND t.ts > k.t0 AND t.ts <= k.t9 + {s.hop_max_delay_s}
                       AND t.amount >= k.total / k.n * {s.hop_min_retention}"""
        share = """SELECT o.acct, o.g, o.b, SUM(t.amount) / MAX(k.total) AS onward FROM onward_tx o
                   JOIN tx t ON t.tx_id = o.tx_id JOIN burst k ON k.acct = o.acct AND k.g = o.g AND k.b = o.b
                   GROUP BY o.acct, o.g, o.b"""
    else:
        # Each payee moves the money on within days (a transfer or cash), keeping most of it: one
        # payment out of it of between hop_min_retention and all of what it got. Those are part of it.
        onward = f"""SELECT m.acct, m.g, m.b, t.tx_id, m.tx_id AS src_tx FROM mem m
                     JOIN tx t ON t.payer = m.cp AND t.ts > m.ts AND t.ts <= m.ts + {s.hop_max_delay_s}
                       AND t.amount >= m.amount * {s.hop_min_retention} AND t.amount <= m.amount * {s.hop_max_retention}
                       AND (t.payee IS NULL OR t.payee <> m.acct)"""
        share = """SELECT m.acct, m.g, m.b, COUNT(DISTINCT o.src_tx) * 1.0 / COUNT(DISTINCT m.tx_id) AS onward
                   FROM mem m
                   LEFT JOIN onward_tx o ON o.src_tx = m.tx_id AND o.acct = m.acct AND o.g = m.g AND o.b = m.b
                   GROUP BY m.acct, m.g, m.b"""
    return f"""
    WITH burst AS ({_burst(s, inbound, s.fan_min_degree, s.fan_burst_share)}),
    mem AS ({_members('burst', inbound)}),
    unusual AS ({_unusual(s, 'mem', inbound)}
    ), newness AS (
      SELECT acct, g, b, AVG(CASE WHEN n_all = n_here THEN 1.0 ELSE 0.0 END) AS new_share
      FROM (SELECT m.acct, m.g, m.b, m.cp, COUNT(*) AS n_here, MAX(e.n) AS n_all
            FROM mem m JOIN edges e ON {edge_me} = m.acct AND {edge_cp} = m.cp GROUP BY m.acct, m.g, m.b, m.cp) x
      GROUP BY acct, g, b
    ), onward_tx AS ({onward}
    ), onward AS ({share}
    ), kept AS (
      SELECT k.acct, k.g, k.b, k.degree, k.burst_share, k.size_vs_usual, nw.new_share, o.onward,
             u.cp_size_vs_usual FROM burst k
      JOIN newness nw ON nw.acct = k.acct AND nw.g = k.g AND nw.b = k.b
      JOIN unusual u ON u.acct = k.acct AND u.g = k.g AND u.b = k.b
      JOIN onward o ON o.acct = k.acct AND o.g = k.g AND o.b = k.b
      WHERE nw.new_share >= {s.fan_new_share} AND o.onward >= {onward_min}
        AND u.cp_size_vs_usual >= {cp_min}
    ), rows AS (
      SELECT acct, g, b, tx_id FROM mem UNION SELECT acct, g, b, tx_id FROM onward_tx
    )
    SELECT '{typology}' AS typology, {_gid('k')} AS gid, k.acct AS centre, r.tx_id,
           CAST(k.degree AS DOUBLE) AS degree, k.new_share, k.burst_share, k.onward AS onward_share,
           k.size_vs_usual, k.cp_size_vs_usual
    FROM kept k JOIN rows r ON r.acct = k.acct AND r.g = k.g AND r.b = k.b"""


def _gather_scatter(s: DetectorSettings) -> str:
    """A hub that gathers from several accounts, then scatters about as much to several others: the
    scattering starts once the gathering is over (a business that buys and sells pays and is paid all
    along) and is done within days. The counterparties are new to the hub and pay it more than they
    usually pay anyone. The burst may be a small part of the hub's traffic: a mule account also
    serves other schemes and its holder's own life."""
    return f"""
    WITH ins AS ({_burst(s, 1, s.gs_min_side, 0.0)}),
    outs AS (SELECT * FROM bursts WHERE inbound = 0 AND degree >= {s.gs_min_side}),
    pairs AS (
      SELECT i.acct, i.g, i.b, i.degree AS d_in, o.degree AS d_out, o.total / i.total AS pass_through,
             (i.n + o.n) * 1.0 / (ci.n + co.n) AS burst_share, i.t0 AS i0, i.t9 AS i9, o.t0 AS o0, o.t9 AS o9
      FROM ins i JOIN outs o ON o.acct = i.acct AND o.g = i.g AND o.b = i.b
      JOIN acct_legs ci ON ci.acct = i.acct AND ci.inbound = 1 JOIN acct_legs co ON co.acct = i.acct AND co.inbound = 0
      WHERE o.total >= i.total * {s.pass_through_min} AND o.total <= i.total * 1.02
        AND o.t0 >= i.t9 - {s.gs_max_overlap_s} AND o.t9 <= i.t9 + {s.hop_max_delay_s}
        AND (i.n + o.n) * 1.0 / (ci.n + co.n) >= {s.gs_burst_share}
    ), mem AS (
      SELECT p.acct, p.g, p.b, l.cp, l.amount, l.inbound, l.tx_id FROM pairs p
      JOIN legs l ON l.acct = p.acct AND ((l.inbound = 1 AND l.ts >= p.i0 AND l.ts <= p.i9)
                                          OR (l.inbound = 0 AND l.ts >= p.o0 AND l.ts <= p.o9))
    ), mem_in AS (SELECT * FROM mem WHERE inbound = 1
    ), unusual AS ({_unusual(s, 'mem_in', 1)}
    ), newness AS (
      SELECT acct, g, b, AVG(CASE WHEN n_all = n_here THEN 1.0 ELSE 0.0 END) AS new_share FROM (
        SELECT m.acct, m.g, m.b, m.cp, COUNT(*) AS n_here, MAX(e.n) AS n_all FROM mem m
        JOIN edges e ON e.payee = m.acct AND e.payer = m.cp WHERE m.inbound = 1 GROUP BY m.acct, m.g, m.b, m.cp
        UNION ALL
        SELECT m.acct, m.g, m.b, m.cp, COUNT(*) AS n_here, MAX(e.n) AS n_all FROM mem m
        JOIN edges e ON e.payer = m.acct AND e.payee = m.cp WHERE m.inbound = 0 GROUP BY m.acct, m.g, m.b, m.cp) x
      GROUP BY acct, g, b
    ), kept AS (
      SELECT p.*, u.cp_size_vs_usual, nw.new_share FROM pairs p
      JOIN unusual u ON u.acct = p.acct AND u.g = p.g AND u.b = p.b
      JOIN newness nw ON nw.acct = p.acct AND nw.g = p.g AND nw.b = p.b
      WHERE u.cp_size_vs_usual >= {s.fan_min_cp_size_vs_usual} AND nw.new_share >= {s.fan_new_share}
    )
    SELECT 'gather_scatter' AS typology, {_gid('k')} AS gid, k.acct AS centre, m.tx_id,
           CAST(k.d_in AS DOUBLE) AS in_degree, CAST(k.d_out AS DOUBLE) AS out_degree, k.pass_through, k.burst_share,
           k.new_share, k.cp_size_vs_usual
    FROM kept k JOIN mem m ON m.acct = k.acct AND m.g = k.g AND m.b = k.b"""


def _scatter_gather(s: DetectorSettings) -> str:
    pick = """SELECT 'scatter_gather' AS typology, concat(p.src, '|', p.dst) AS gid, p.dst AS centre, h.{tx} AS tx_id,
           CAST(p.mids AS DOUBLE) AS intermediaries, CAST(p.t9 - p.t0 AS DOUBLE) / 3600 AS span_hours
    FROM pairs p JOIN hop h ON h.src = p.src AND h.dst = p.dst"""
    return f"""
    WITH pairs AS (
      SELECT src, dst, COUNT(DISTINCT mid) AS mids, MIN(t1) AS t0, MAX(t2) AS t9
      FROM hop WHERE src <> dst GROUP BY src, dst
      HAVING COUNT(DISTINCT mid) >= {s.sg_min_mids} AND MAX(t2) - MIN(t1) <= {s.sg_window_s}
    )
    {pick.format(tx='tx1')}
    UNION ALL
    {pick.format(tx='tx2')}"""


def paths(s: DetectorSettings) -> list[tuple[str, str]]:
    """path2 .. pathN: simple paths of payments chained by hops, each built from the one before, with
    the accounts n0..nk and payments x1..xk. A path that has come back to n0 is a cycle and stops."""
    longest = max(s.cycle_max_len, s.chain_max_hops)
    steps = [("path2", """SELECT h.src AS n0, h.mid AS n1, h.dst AS n2, h.tx1 AS x1, h.tx2 AS x2,
                                 h.t1 AS t0, h.t2 AS t9, h.a1 AS a0, h.a2 AS a9, h.dmid AS dmax FROM hop h""")]
    for k in range(3, longest + 1):
        prev_nodes = [f"p.n{i}" for i in range(k)]
        cols = ", ".join(prev_nodes + [f"p.x{i}" for i in range(1, k)])
        distinct = " AND ".join(f"h.dst <> {n}" for n in prev_nodes[1:])
        steps.append((f"path{k}", f"""SELECT {cols}, h.dst AS n{k}, h.tx2 AS x{k}, p.t0, h.t2 AS t9, p.a0, h.a2 AS a9,
                   GREATEST(p.dmax, h.dmid) AS dmax
            FROM path{k - 1} p JOIN hop h ON h.tx1 = p.x{k - 1}
            WHERE p.n{k - 1} <> p.n0 AND {distinct} AND h.t2 - p.t0 <= {s.chain_window_s}"""))
    return steps


def _melt(typology: str, k: int, where: str, window: int, retention: float) -> str:
    """One row per payment of each k-payment path that passes `where`, in a single scan of the path."""
    positions = " UNION ALL ".join(f"SELECT {i} AS pos" for i in range(1, k + 1))
    pick = " ".join(f"WHEN {i} THEN p.x{i}" for i in range(1, k + 1))
    gid = "concat(" + ", '|', ".join(f"p.x{i}" for i in range(1, k + 1)) + ")"
    return f"""SELECT '{typology}' AS typology, {gid} AS gid, p.n0 AS centre, CASE q.pos {pick} END AS tx_id,
               CAST({k} AS DOUBLE) AS length, p.a9 / p.a0 AS retention
        FROM path{k} p CROSS JOIN ({positions}) q WHERE {where} AND p.t9 - p.t0 <= {window}
          AND p.a9 >= p.a0 * {retention}"""


def _cycle(s: DetectorSettings) -> str:
    # money comes home: the last payment lands on the account the first one left
    parts = [_melt("cycle", k, f"p.n{k} = p.n0", s.chain_window_s, s.chain_min_retention)
             for k in range(2, s.cycle_max_len + 1)]
    return "\nUNION ALL\n".join(parts)


def _chain(s: DetectorSettings) -> str:
    # An open chain is a weaker shape than a closed one: busy accounts chain by chance, so only
    # quiet intermediaries count.
    parts = [_melt("random", k, f"p.n{k} <> p.n0 AND p.dmax <= {s.chain_hub_degree}", s.chain_window_s,
                   s.chain_min_retention)
             for k in range(s.chain_min_hops, s.chain_max_hops + 1)]
    return "\nUNION ALL\n".join(parts)


def _bipartite(s: DetectorSettings) -> str:
    """Two or more payers who each paid the same two or more new payees within a window. Stacked
    layers are told apart later, from the merged group's shape."""
    return f"""
    WITH e AS (
      SELECT t.tx_id, t.payer, t.payee, t.amount, g.g * 1000000000 + g.w AS g, {_bucket('t.ts')} AS b
      FROM flowing t CROSS JOIN grids g
      WHERE g.w <= {s.bipartite_max_window_s} AND t.amount >= {s.fan_min_mean_amount}
        AND t.payer IN (SELECT acct FROM acct WHERE degree <= {s.hub_degree})
    ), common AS (
      SELECT a.payer AS p1, c.payer AS p2, a.g, a.b, a.payee
      FROM e a JOIN e c ON a.payee = c.payee AND a.g = c.g AND a.b = c.b AND a.payer < c.payer
    ), shared AS (
      SELECT p1, p2, g, b, COUNT(DISTINCT payee) AS common FROM common
      GROUP BY p1, p2, g, b HAVING COUNT(DISTINCT payee) >= {s.bipartite_min_common}
    ), members AS (
      SELECT DISTINCT sh.p1, sh.p2, sh.g, sh.b, sh.common, e.tx_id
      FROM shared sh JOIN common c ON c.p1 = sh.p1 AND c.p2 = sh.p2 AND c.g = sh.g AND c.b = sh.b
      JOIN e ON e.g = c.g AND e.b = c.b AND e.payee = c.payee AND (e.payer = c.p1 OR e.payer = c.p2)
    )
    SELECT 'bipartite' AS typology, concat(p1, '|', p2, '|', CAST(g AS STRING), '|', CAST(b AS STRING)) AS gid,
           p1 AS centre, tx_id, CAST(common AS DOUBLE) AS common_payees FROM members"""


def detector_queries(s: DetectorSettings) -> dict[str, str]:
    return {"fan_out": _fan(s, "fan_out"), "fan_in": _fan(s, "fan_in"), "gather_scatter": _gather_scatter(s),
            "scatter_gather": _scatter_gather(s), "cycle": _cycle(s), "random": _chain(s),
            "bipartite": _bipartite(s)}
