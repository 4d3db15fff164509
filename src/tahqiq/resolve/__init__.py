"""Entity resolution: telling when records from different sources name the same person.

    from tahqiq.resolve.store_run import run_resolution     # Splink: imported by the jobs that run it
    report = run_resolution(engine, gate, me)                 # on DuckDB (or Spark); one audited bulk read
    with gate.session(me, case, purpose) as view:
        resolved(view, entity_id)                             # the cluster, and why each link was made
        review_queue(view)                                    # uncertain pairs no analyst has decided
        decide(view, a, b, "split", "different fathers")      # obeyed by every later run

Names are compared with the canonicaliser of `tahqiq.names`; nothing here infers religion,
ethnicity, caste, gender or any other attribute from a name. See docs/resolve.md.
"""

from tahqiq.resolve.review import (
    DECISIONS,
    FieldContribution,
    LinkExplanation,
    ResolvedView,
    ReviewPage,
    decide,
    decisions,
    resolution_input,
    resolved,
    review_page,
    review_queue,
)

__all__ = ["DECISIONS", "FieldContribution", "LinkExplanation", "ResolvedView", "ReviewPage", "decide", "decisions",
           "resolution_input", "resolved", "review_page", "review_queue"]
