"""The audit log: an append-only Merkle transparency log (RFC 9162 hashing) in the store.

Each entry is canonical JSON (sorted keys, no spaces, UTF-8). Its leaf hash is SHA-256(0x00||entry);
the tree is RFC 9162's. Every entry is also signed on its own (Ed25519 over ``"tahqiq-entry-v1\\0" ||
uint64be(seq) || leaf_hash``), so that verification can name a forged entry exactly, and the log
signs *tree heads* at least every second or every 1,000 entries, whichever comes first:

    tree head signature = Ed25519 over  b"tahqiq-sth-v1\\0" || uint64be(tree_size)
                                         || uint64be(timestamp_ms) || root_hash (32 bytes)

An append locks the one `audit_state` row (the frontier), inserts the entry and commits, so appends
are serialised across processes and cost O(log n). On SQLite the commit runs with
``synchronous=FULL``: a power cut cannot lose an entry whose read was already served.

The entry and head formats are in `audit_records`, verification in `audit_verify`; appending, tree
heads and proofs stay in this one class (≈440 lines) because they share the log's state, its
connections and its lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    Row,
    Text,
    bindparam,
    create_engine,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from tahqiq.govern import merkle
from tahqiq.govern.audit_records import (
    ENTRY_VERSION,
    AuditRecord,
    SignedTreeHead,
    VerifyReport,
    canonical,
    entry_message,
    iso_utc,
    sth_message,
)
from tahqiq.govern.audit_verify import Witnessed, verify_log
from tahqiq.govern.checkpoint import ED25519, Checkpoint, NoteKey, SignedNote, sign_note
from tahqiq.govern.keys import Signer, load_signer, public_key_pem
from tahqiq.govern.tables import AuditEntry, AuditState, TreeHead
from tahqiq.store.base import table_of
from tahqiq.store.db import sqlite_pragmas

_entries = table_of(AuditEntry)
_state = table_of(AuditState)
_heads = table_of(TreeHead)


_LOCK_STATE = update(_state).where(_state.c.id == 1).values(size=_state.c.size).returning(
    _state.c.size, _state.c.frontier, _state.c.last_head_size, _state.c.last_head_ms
)
_INSERT_ENTRY = insert(_entries)
_UPDATE_STATE = update(_state).where(_state.c.id == 1).values(
    size=bindparam("size", type_=BigInteger), frontier=bindparam("frontier", type_=Text),
    last_head_size=bindparam("last_head_size", type_=BigInteger),
    last_head_ms=bindparam("last_head_ms", type_=BigInteger),
)
_INSERT_HEAD = insert(_heads)
_ENTRY_COLS = ("seq", "recorded_at", "actor", "role", "action", "case_ref", "decision", "target", "entry", "leaf_hash",
               "nodes", "signature")
_ENTRY_TYPES = {"seq": "BIGINT"}
_SQLITE_INSERT_ENTRY = "INSERT INTO audit_entries ({}) VALUES ({})".format(
    ", ".join(_ENTRY_COLS), ", ".join("?" for _ in _ENTRY_COLS)
)
_PG_CTE = (
    "WITH s AS (UPDATE audit_state SET size = :s_size, frontier = :s_frontier, last_head_size = :s_last_head_size, "
    "last_head_ms = :s_last_head_ms WHERE id = 1 AND size = :old_size AND last_head_ms = :old_head_ms RETURNING size) "
)
_PG_INSERT_ENTRY = "INSERT INTO audit_entries ({}) SELECT {} FROM s".format(
    ", ".join(_ENTRY_COLS), ", ".join(f"CAST(:{c} AS {_ENTRY_TYPES.get(c, 'TEXT')})" for c in _ENTRY_COLS)
)
_PG_APPEND = text(_PG_CTE + _PG_INSERT_ENTRY)
_PG_APPEND_HEAD = text(
    _PG_CTE + ", e AS (" + _PG_INSERT_ENTRY + " RETURNING seq) "
    "INSERT INTO tree_heads (tree_size, root_hash, timestamp_ms, key_id, signature) "
    "SELECT CAST(:h_tree_size AS BIGINT), CAST(:h_root_hash AS TEXT), CAST(:h_timestamp_ms AS BIGINT), "
    "CAST(:h_key_id AS TEXT), CAST(:h_signature AS TEXT) FROM e"
)


@dataclass(frozen=True)
class _State:
    size: int
    frontier: str
    last_head_size: int
    last_head_ms: int

    @classmethod
    def of(cls, row: Row[Any]) -> _State:
        return cls(row.size, row.frontier, row.last_head_size, row.last_head_ms)


# An entry's row, the log state after it, and the tree head it completes (if one is due).
_Built = tuple[dict[str, Any], dict[str, Any], SignedTreeHead | None]


def _head_row(head: SignedTreeHead) -> dict[str, Any]:
    return {"tree_size": head.tree_size, "root_hash": head.root_hash, "timestamp_ms": head.timestamp_ms,
            "key_id": head.key_id, "signature": head.signature}


def _full_sync_engine(engine: Engine) -> Engine:
    """A second engine on the same SQLite file whose connections use synchronous=FULL."""
    writer = create_engine(engine.url)
    event.listen(writer, "connect", sqlite_pragmas("FULL"))
    return writer


class AuditLog:
    def __init__(
        self,
        engine: Engine,
        signer: Signer | None = None,
        *,
        head_every_entries: int = 1000,
        head_every_seconds: float = 1.0,
        sqlite_full_sync: bool = True,
    ) -> None:
        self.engine = engine
        self._signer = signer
        self.head_every_entries = head_every_entries
        self.head_every_ms = int(head_every_seconds * 1000)
        # On SQLite the log writes through its own engine whose connections commit with
        # synchronous=FULL (fsync on every commit), leaving the store's engine as it is.
        on_disk = engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")
        self._writer = _full_sync_engine(engine) if sqlite_full_sync and on_disk else engine
        self._autocommit = (engine.execution_options(isolation_level="AUTOCOMMIT")
                            if engine.dialect.name == "postgresql" else None)
        self._cached: _State | None = None
        self._held: Connection | None = None
        self._lock = threading.Lock()

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            self._signer = load_signer()
        return self._signer

    # --- writing ------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A durable transaction: callers put their own writes and `append(..., conn=conn)` in it,
        so that an action and its audit entry commit together or not at all."""
        with self._writer.begin() as conn:
            yield conn

    def dispose(self) -> None:
        with self._lock:
            if self._held is not None:
                self._held.close()
                self._held = None
        if self._writer is not self.engine:
            self._writer.dispose()

    def append(
        self,
        actor: str,
        action: str,
        *,
        role: str | None = None,
        case: str | None = None,
        purpose: str | None = None,
        decision: str = "info",
        target: str | None = None,
        detail: dict[str, Any] | None = None,
        conn: Connection | None = None,
    ) -> AuditRecord:
        """Append one entry and return it; committed (durably) before this returns, unless `conn`
        is given, in which case it commits with the caller's transaction."""
        if decision not in ("grant", "deny", "info"):
            raise ValueError(f"decision must be grant, deny or info, not {decision!r}")
        if conn is not None:
            return self._append(conn, actor, action, role, case, purpose, decision, target, detail or {})
        if self._autocommit is not None:
            for _ in range(20):
                rec = self._append_fast(actor, action, role, case, purpose, decision, target, detail or {})
                if rec is not None:
                    return rec
        with self.transaction() as c:
            return self._append(c, actor, action, role, case, purpose, decision, target, detail or {})

    def _lock_state(self, conn: Connection) -> _State:
        # The UPDATE takes the write lock first (SQLite) / the row lock (PostgreSQL), so that
        # concurrent appenders queue here instead of failing later.
        row = conn.execute(_LOCK_STATE).first()
        if row is None:
            conn.execute(_state.insert(), {"id": 1, "size": 0, "frontier": "", "last_head_size": 0, "last_head_ms": 0})
            row = conn.execute(_LOCK_STATE).one()
        return _State.of(row)

    def _build(self, state: _State, actor: str, action: str, role: str | None, case: str | None, purpose: str | None,
               decision: str, target: str | None, detail: dict[str, Any]) -> _Built:
        """The entry that would be appended to the log in `state`: (row, new state, head or None)."""
        size = state.size
        frontier = [bytes.fromhex(h) for h in state.frontier.split(",") if h]
        now = datetime.now(UTC)
        time = iso_utc(now)
        body = {
            "v": ENTRY_VERSION, "seq": size, "time": time, "actor": actor, "role": role, "action": action,
            "case": case, "purpose": purpose, "decision": decision, "target": target, "detail": detail,
        }
        data = canonical(body)
        leaf = merkle.leaf_hash(data)
        completed = merkle.frontier_append(frontier, size, leaf)
        row = {
            "seq": size, "recorded_at": time, "actor": actor, "role": role, "action": action, "case_ref": case,
            "decision": decision, "target": target, "entry": data.decode(), "leaf_hash": leaf.hex(),
            "nodes": "".join(h.hex() for h in completed) or None,
            "signature": self.signer.sign(entry_message(size, leaf)).hex(),
        }
        new_size = size + 1
        new_state = {"size": new_size, "frontier": ",".join(h.hex() for h in frontier),
                     "last_head_size": state.last_head_size, "last_head_ms": state.last_head_ms}
        now_ms = max(int(now.timestamp() * 1000), state.last_head_ms)
        head = None
        if (new_size - state.last_head_size >= self.head_every_entries
                or now_ms - state.last_head_ms >= self.head_every_ms):
            head = self._make_head(new_size, merkle.frontier_root(frontier), now_ms)
            new_state.update(last_head_size=new_size, last_head_ms=now_ms)
        return row, new_state, head

    def _append(self, conn: Connection, actor: str, action: str, role: str | None, case: str | None,
                purpose: str | None, decision: str, target: str | None, detail: dict[str, Any]) -> AuditRecord:
        state = self._lock_state(conn)
        row, new_state, head = self._build(state, actor, action, role, case, purpose, decision, target, detail)
        if conn.dialect.name == "sqlite":  # the hot path on the default store: skip statement compilation
            conn.exec_driver_sql(_SQLITE_INSERT_ENTRY, tuple(row[c] for c in _ENTRY_COLS))
        else:
            conn.execute(_INSERT_ENTRY, row)
        if head is not None:
            conn.execute(_INSERT_HEAD, _head_row(head))
        conn.execute(_UPDATE_STATE, new_state)
        self._cached = None
        return AuditRecord.from_entry(row["entry"], row["leaf_hash"])

    def _append_fast(self, actor: str, action: str, role: str | None, case: str | None, purpose: str | None,
                     decision: str, target: str | None, detail: dict[str, Any]) -> AuditRecord | None:
        """PostgreSQL: one autocommitted statement that appends only if the log is still in the
        state this process last saw (else nothing happens and the caller reloads and retries)."""
        with self._lock:
            try:
                conn = self._fast_conn()
                if self._cached is None:
                    self._cached = _State.of(conn.execute(select(_state).where(_state.c.id == 1)).one())
            except DBAPIError as exc:
                self._lost(exc)
                return None
            cached = self._cached
            row, new_state, head = self._build(cached, actor, action, role, case, purpose, decision, target, detail)
            params = {**row, **{f"s_{k}": v for k, v in new_state.items()}, "old_size": cached.size,
                      "old_head_ms": cached.last_head_ms}
            if head is not None:
                params.update({f"h_{k}": v for k, v in _head_row(head).items()})
            try:
                done = conn.execute(_PG_APPEND_HEAD if head is not None else _PG_APPEND, params).rowcount == 1
            except DBAPIError as exc:
                self._lost(exc)
                return None
            if not done:
                self._cached = None
                return None
            self._cached = _State(**new_state)
            return AuditRecord.from_entry(row["entry"], row["leaf_hash"])

    def _fast_conn(self) -> Connection:
        # One connection held for the fast path (under self._lock): no checkout or ping per append.
        if self._held is None or self._held.closed or self._held.invalidated:
            assert self._autocommit is not None  # the fast path is PostgreSQL's
            self._held = self._autocommit.connect()
        return self._held

    def _lost(self, exc: DBAPIError) -> None:
        if not exc.connection_invalidated:
            raise exc
        self._held, self._cached = None, None  # reconnect and retry

    def _make_head(self, size: int, root: bytes, ts_ms: int) -> SignedTreeHead:
        signer = self.signer
        return SignedTreeHead(size, root.hex(), ts_ms, signer.key_id, signer.sign(sth_message(size, ts_ms, root)).hex())

    def _insert_head(self, conn: Connection, size: int, root: bytes, ts_ms: int) -> SignedTreeHead:
        head = self._make_head(size, root, ts_ms)
        conn.execute(_INSERT_HEAD, _head_row(head))
        self._cached = None
        return head

    def sign_head(self, *, force: bool = False) -> SignedTreeHead | None:
        """Sign a tree head over the whole log if entries arrived since the last one (or `force`)."""
        with self.transaction() as conn:
            state = self._lock_state(conn)
            if state.size == state.last_head_size and not force:
                return None
            frontier = [bytes.fromhex(h) for h in state.frontier.split(",") if h]
            now_ms = max(int(datetime.now(UTC).timestamp() * 1000), state.last_head_ms)
            head = self._insert_head(conn, state.size, merkle.frontier_root(frontier), now_ms)
            conn.execute(update(_state).where(_state.c.id == 1).values(last_head_size=state.size, last_head_ms=now_ms))
            return head

    def start_heartbeat(self, interval: float = 1.0) -> threading.Event:
        """Sign a head every `interval` seconds while new entries arrive (for the server). Set the
        returned event to stop."""
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(interval):
                try:
                    self.sign_head()
                except Exception:  # noqa: BLE001 - a failed tick is retried on the next one
                    pass

        threading.Thread(target=run, name="tahqiq-tree-heads", daemon=True).start()
        return stop

    # --- reading ------------------------------------------------------------------------------

    def size(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(_state.c.size).where(_state.c.id == 1)).scalar() or 0

    def record(self, seq: int) -> AuditRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(_entries.c.entry, _entries.c.leaf_hash).where(_entries.c.seq == seq)).first()
        return AuditRecord.from_entry(row.entry, row.leaf_hash) if row else None

    def records(self, *, where: ColumnElement[bool] | None = None, since: int = 0, limit: int = 200,
                newest_first: bool = False) -> list[AuditRecord]:
        q = select(_entries.c.entry, _entries.c.leaf_hash).where(_entries.c.seq >= since)
        if where is not None:
            q = q.where(where)
        q = q.order_by(_entries.c.seq.desc() if newest_first else _entries.c.seq).limit(limit)
        with self.engine.connect() as conn:
            return [AuditRecord.from_entry(r.entry, r.leaf_hash) for r in conn.execute(q)]

    def latest_head(self) -> SignedTreeHead | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(_heads).order_by(_heads.c.id.desc()).limit(1)).first()
        return _head(row) if row else None

    def head_at(self, tree_size: int) -> SignedTreeHead | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_heads).where(_heads.c.tree_size == tree_size).order_by(_heads.c.id.desc()).limit(1)
            ).first()
        return _head(row) if row else None

    def _node_getter(self, conn: Connection) -> Callable[[list[tuple[int, int]]], dict[tuple[int, int], bytes]]:
        def get(needed: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
            want: dict[int, list[tuple[int, int]]] = {((index + 1) << level) - 1: [] for level, index in needed}
            for level, index in needed:
                want[((index + 1) << level) - 1].append((level, index))
            rows = conn.execute(
                select(_entries.c.seq, _entries.c.leaf_hash, _entries.c.nodes).where(_entries.c.seq.in_(list(want)))
            )
            out: dict[tuple[int, int], bytes] = {}
            for row in rows:
                for level, index in want[row.seq]:
                    if level == 0:
                        out[(level, index)] = bytes.fromhex(row.leaf_hash)
                    else:
                        out[(level, index)] = bytes.fromhex(row.nodes[(level - 1) * 64 : level * 64])
            missing = [n for n in needed if n not in out]
            if missing:
                raise LookupError(f"audit log is missing subtree nodes {missing[:3]}: run `tahqiq audit verify`")
            return out

        return get

    def inclusion_path(self, seq: int, tree_size: int, conn: Connection | None = None) -> list[bytes]:
        if conn is None:
            with self.engine.connect() as c:
                return self.inclusion_path(seq, tree_size, c)
        return merkle.prove(merkle.inclusion_ranges(seq, tree_size), self._node_getter(conn))

    def consistency_path(self, old_size: int, new_size: int) -> list[bytes]:
        with self.engine.connect() as conn:
            return merkle.prove(merkle.consistency_ranges(old_size, new_size), self._node_getter(conn))

    def root(self, tree_size: int) -> bytes:
        if tree_size == 0:
            return merkle.EMPTY_ROOT
        with self.engine.connect() as conn:
            return merkle.prove([(0, tree_size)], self._node_getter(conn))[0]

    def covering_head(self, seq: int) -> SignedTreeHead:
        """The newest signed head, if it covers entry `seq`. Reading never signs: a head signed now
        would vouch for whatever the database holds, a truncated log included."""
        head = self.latest_head()
        if head is None or head.tree_size <= seq:
            signed = f"the newest signed head covers {head.tree_size} entries" if head else "no head is signed"
            raise LookupError(f"entry {seq} is not yet under a signed tree head ({signed}): the server signs one "
                              "every second while entries arrive; or run `tahqiq audit head --sign`")
        return head

    def checkpoint_key(self, origin: str) -> NoteKey:
        """The log's key as checkpoints name it: the origin, Ed25519 (c2sp.org/signed-note)."""
        return NoteKey(origin, ED25519, self.signer.public_key)

    def signed_checkpoint(self, head: SignedTreeHead, origin: str) -> SignedNote:
        """The checkpoint (c2sp.org/tlog-checkpoint) of a signed tree head, signed by the log's key."""
        text = Checkpoint(origin, head.tree_size, bytes.fromhex(head.root_hash)).text()
        return SignedNote(text, (sign_note(text, origin, self.signer.private_key),))

    def prove(self, seq: int, head: SignedTreeHead | None = None) -> dict[str, Any]:
        """A self-contained inclusion proof of entry `seq`: the entry, its path and a signed head."""
        head = head or self.covering_head(seq)
        with self.engine.connect() as conn:
            row = conn.execute(select(_entries.c.entry, _entries.c.leaf_hash).where(_entries.c.seq == seq)).first()
            if row is None:
                raise LookupError(f"no audit entry {seq}")
            path = self.inclusion_path(seq, head.tree_size, conn)
        return {
            "leaf_index": seq,
            "tree_size": head.tree_size,
            "entry": row.entry,
            "leaf_hash": row.leaf_hash,
            "inclusion_path": [p.hex() for p in path],
            "tree_head": head.to_dict(),
            "public_key_pem": public_key_pem(self.signer.public_key),
        }

    # --- verification -------------------------------------------------------------------------

    def verify(self, public_keys: list[Ed25519PublicKey] | None = None, batch: int = 5000,
               witnessed: Sequence[Witnessed] = ()) -> VerifyReport:
        """Recompute every leaf, subtree, root and signature from the stored entries, and check that
        the log still holds each witnessed checkpoint (same root at its size)."""
        return verify_log(self.engine, public_keys or [self.signer.public_key], batch, witnessed)


def _head(row: Row[Any]) -> SignedTreeHead:
    return SignedTreeHead(row.tree_size, row.root_hash, row.timestamp_ms, row.key_id, row.signature)


__all__ = ["AuditLog", "AuditRecord", "SignedTreeHead", "VerifyReport", "canonical", "entry_message", "sth_message"]
