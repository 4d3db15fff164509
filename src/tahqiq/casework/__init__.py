"""Case work that is neither the gate's nor a link in the graph: analysts' notes in a case
workspace and the link charts they save (free text and names about people, so written and read
only through the case's view).

    with gate.session(me, case, purpose) as view:
        add_note(view, "The CNIC on the FIR matches the NADRA record", entity_id=eid)
        notes = list_notes(view)
        saved = save_chart(view, "Owner and vehicle", {"nodes": [...], "edges": [...], "annotations": {...}})
        chart = open_chart(view, saved.id)
"""

from tahqiq.casework.charts import MAX_CHART_BYTES, Chart, ChartSummary, list_charts, open_chart, save_chart
from tahqiq.casework.notes import MAX_NOTE, Note, add_note, list_notes

__all__ = ["MAX_CHART_BYTES", "MAX_NOTE", "Chart", "ChartSummary", "Note", "add_note", "list_charts", "list_notes",
           "open_chart", "save_chart"]
