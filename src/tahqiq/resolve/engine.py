"""Train a Splink model on prepared records and score candidate pairs, on DuckDB or Spark.

    engine = Engine(fields, link_type="dedupe_only")          # or backend="spark", spark=session
    engine.train([frame])                                       # frames from features.prepare
    pairs = engine.predict([frame], threshold=0.5)              # pandas: ids, weights, per-field
    engine.model_json()                                          # the trained model, to store

Training needs no labels: the prior from deterministic rules, u from random pairs, m by EM over
blocks that fix some fields and learn the others. `predict_between` scores only new-against-old
pairs, for incremental runs with a model trained earlier.

Reproducible on DuckDB: the same records give the same model bit for bit and the same scored pairs
in the same order. u comes from a sample chosen by a hash of each record's id and a fixed seed, and
the prior from counts, both exact whatever the threads; EM adds up floating-point probabilities, and
floats summed in another order differ in the last bits, so its sessions run on one thread over
tables built in that session (see `_one_thread`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
from splink import Linker

from tahqiq.resolve import settings as st
from tahqiq.resolve.spec import Field, LinkType

_Underflow = ValueError  # EM drove a level's m to ~1e-302 (a level matches never see): Splink refuses it

# Pairs kept from prediction: anything at or above this goes on to clustering or to review.
KEEP_PROBABILITY = 0.2
U_SAMPLE_PAIRS = 2_000_000
U_SAMPLE_SEED = 7  # which records the u sample takes: a hash of (id, seed), the same on every run


def _db_api(backend: str, spark: Any = None, connection: Any = None):
    if backend == "duckdb":
        from splink import DuckDBAPI

        return DuckDBAPI(connection) if connection is not None else DuckDBAPI()
    if backend == "spark":
        from splink import SparkAPI

        if spark is None:
            from tahqiq.resolve.spark import local_session

            spark = local_session()
        return SparkAPI(spark_session=spark)
    raise ValueError(f"unknown backend {backend!r}: use duckdb or spark")


class Engine:
    def __init__(self, fields: list[Field], *, link_type: LinkType = "dedupe_only", backend: str = "duckdb",
                 spark: Any = None, model: dict | None = None, quiet: bool = True,
                 duckdb_connection: Any = None) -> None:
        """`duckdb_connection`: a DuckDB connection to work in (its own settings: threads, memory
        limit, temp directory); by default a new in-memory one."""
        self.fields = fields
        self.link_type = link_type
        self.backend = backend
        self.db_api = _db_api(backend, spark, duckdb_connection)
        self._model = model
        self._linker: Linker | None = None
        self.levels: dict[str, list[tuple[float, str]]] = {}
        self._count = 0
        if quiet:
            logging.getLogger("splink").setLevel(logging.ERROR)

    def _register(self, frames: list[pd.DataFrame]):
        out = []
        for frame in frames:
            self._count += 1
            out.append(self.db_api.register(frame, table_name=f"tahqiq_input_{self._count}"))
        return out[0] if len(out) == 1 else out

    def _new_linker(self, frames: list[pd.DataFrame]) -> Linker:
        if self._model is not None and self.backend == "duckdb":
            return Linker(self._register(frames), self._model, log_level=None)
        linker = Linker(self._register(frames), st.settings(self.fields, self.link_type), log_level=None)
        if self._model is not None:
            _apply_parameters(linker, self._model)
        return linker

    # --- training ---------------------------------------------------------------------------

    def train(self, frames: list[pd.DataFrame], *, recall: float = 0.7, u_pairs: int | None = None) -> None:
        linker = self._new_linker(frames)
        records = sum(len(f) for f in frames)
        # Enough random pairs that rarer agreements (same district and year) are still seen.
        u_pairs = u_pairs or min(max(U_SAMPLE_PAIRS, 5 * records), 10_000_000)
        det = st.deterministic_rules(self.fields)
        if det:
            linker.training.estimate_probability_two_random_records_match([*det], recall=recall)
        floor = 1.0 / max(records * records, 4)
        if linker._settings_obj._probability_two_random_records_match <= floor:
            # No pair satisfied the deterministic rules (one source of unique CNICs, say): a prior of
            # zero would forbid every match, so assume about one duplicate per million pairs... at
            # least one in the whole table. EM and the data still decide each pair.
            linker._settings_obj._probability_two_random_records_match = max(floor, 1e-6)
        linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=U_SAMPLE_SEED)
        from splink.internals.exceptions import EMTrainingException

        self.skipped_training = []
        for rule in st.training_rules(self.fields):
            saved = linker.misc.save_model_to_json()
            for iterations in (None, 6):
                if iterations:
                    so = linker._settings_obj
                    so.training_settings = dataclasses.replace(so.training_settings, max_iterations=iterations)
                try:
                    with self._one_thread():
                        linker.training.estimate_parameters_using_expectation_maximisation(rule)
                    break
                except (EMTrainingException, _Underflow) as exc:
                    if isinstance(exc, ValueError) and "below the minimum" not in str(exc):
                        raise
                    # No pairs for this rule (no source with dates of birth yet), or EM drove a
                    # level's m towards zero: a failed session leaves the linker without the
                    # comparisons it had set aside, so go on from a linker rebuilt from the model as
                    # it was before the session — first retrying with fewer EM iterations, then
                    # without this session (the others still train; untrained levels keep defaults).
                    self._model = saved
                    linker = self._new_linker(frames)
                    if isinstance(exc, EMTrainingException) or iterations:
                        self.skipped_training.append(rule.get_blocking_rule("duckdb").blocking_rule_sql)
                        break
        self._linker = linker
        self._model = _without_run_id(json.loads(json.dumps(linker.misc.save_model_to_json())))
        self.levels = levels_of(linker)

    @contextmanager
    def _one_thread(self) -> Iterator[None]:
        """DuckDB on one thread for an EM session, then the connection's own setting again.

        A session builds its blocked pairs and term-frequency tables from the registered records and
        then sums match probabilities over them, iteration after iteration. On several threads both
        the row order of those tables and the order partial sums are merged in vary with scheduling,
        so m moves in the last bits, every score with it, and a link at a threshold or tied with
        another can change sides. On one thread the order is that of the input (which
        `resolve_frames` sorts by id). The blocking and comparing inside a session run on one
        thread too; scoring and u estimation keep every thread. Spark has no such switch: see
        docs/resolve.md."""
        if self.backend != "duckdb":
            yield
            return
        con = self.db_api.duckdb_con
        threads = con.execute("select current_setting('threads')").fetchone()[0]
        con.execute("SET threads = 1")
        try:
            yield
        finally:
            con.execute(f"SET threads = {int(threads)}")

    def model_json(self) -> dict:
        if self._model is None:
            raise RuntimeError("the model is not trained yet")
        return self._model

    # --- scoring ----------------------------------------------------------------------------

    def predict(self, frames: list[pd.DataFrame] | None = None, *, threshold: float = KEEP_PROBABILITY) -> pd.DataFrame:
        linker = self._linker if frames is None else self._new_linker(frames)
        if linker is None:
            raise RuntimeError("give frames to predict on, or train first")
        result = linker.inference.predict(threshold_match_probability=threshold)
        self.levels = levels_of(linker)
        return self._to_pandas(result)

    def predict_between(self, existing: pd.DataFrame, new: pd.DataFrame, *,
                        threshold: float = KEEP_PROBABILITY) -> pd.DataFrame:
        """Pairs of a new record with an existing one, and of new records among themselves."""
        # The linker's own input only serves the term-frequency tables (how common each name is),
        # computed over old and new records together.
        both = pd.concat([existing, new], ignore_index=True)
        linker = self._new_linker([both])
        for tf_col in linker._settings_obj._term_frequency_columns:
            linker.table_management.compute_tf_table(tf_col.unquote().name)
        old_sdf = self.db_api.register(existing, table_name=f"tahqiq_existing_{self._count}")
        new_sdf = self.db_api.register(new, table_name=f"tahqiq_new_{self._count}")
        between = linker.inference.predict_between(old_sdf, new_sdf, threshold_match_probability=threshold)
        within = linker.inference.predict_within(new_sdf, threshold_match_probability=threshold)
        self.levels = levels_of(linker)
        return pd.concat([self._to_pandas(between), self._to_pandas(within)], ignore_index=True)

    def _to_pandas(self, sdf) -> pd.DataFrame:
        # Pairs come out of a parallel join in no particular order; clustering and the stored links
        # take them in this one (the pair's ids), so every run stores and reads them alike.
        df = sdf.as_pandas_dataframe()
        order = [c for c in ("source_dataset_l", "unique_id_l", "source_dataset_r", "unique_id_r") if c in df]
        df = df.sort_values(order, kind="stable", ignore_index=True)
        try:
            sdf.drop_table_from_database_and_remove_from_cache()
        except Exception:  # noqa: BLE001 - a cleanup failure must not lose the results
            pass
        return df


def _without_run_id(model: dict) -> dict:
    """The model without `linker_uid`: a random name Splink gives each linker for its cache tables,
    not part of the model, and it would make two identical runs store different models."""
    return {k: v for k, v in model.items() if k != "linker_uid"}


def _apply_parameters(linker: Linker, model: dict) -> None:
    """Give a linker built from our settings the trained parameters of `model`.

    A saved model holds its SQL in the dialect it was trained in (DuckDB quotes identifiers with
    double quotes, which Spark reads as strings), so a model trained on DuckDB — on a sample, say —
    is carried to Spark as numbers only: the prior, and m and u of every level, matched by
    comparison name and level order. The settings on both sides come from the same fields."""
    so = linker._settings_obj
    so._probability_two_random_records_match = model["probability_two_random_records_match"]
    trained = {c["output_column_name"]: c["comparison_levels"] for c in model["comparisons"]}
    for comp in so.comparisons:
        levels = trained.get(comp.output_column_name)
        if levels is None or len(levels) != len(comp.comparison_levels):
            raise ValueError(f"the model does not fit these settings (comparison {comp.output_column_name!r})")
        for level, saved in zip(comp.comparison_levels, levels, strict=True):
            if level.is_null_level:
                continue
            if saved.get("m_probability") is not None:
                level.m_probability = saved["m_probability"]
            if saved.get("u_probability") is not None:
                level.u_probability = saved["u_probability"]


def levels_of(linker: Linker) -> dict[str, list[tuple[float, str]]]:
    """Per comparison, the match weight log2(m/u) each level contributes and the level's label, with
    the values Splink actually scores with (trained, or its defaults for levels training never saw)."""
    out = {}
    for comp in linker._settings_obj.comparisons:
        levels = []
        for level in comp.comparison_levels:
            if level.is_null_level:
                continue
            m, u = level.m_probability, level.u_probability
            if m and u:
                levels.append((math.log2(m / u), level.label_for_charts))
        out[comp.output_column_name] = levels
    return out
