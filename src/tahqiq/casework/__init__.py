"""Case work that is neither the gate's nor a link in the graph: analysts' notes in a case
workspace (free text that may name people, so written and read only through the case's view).

    with gate.session(me, case, purpose) as view:
        add_note(view, "The CNIC on the FIR matches the NADRA record", entity_id=eid)
        notes = list_notes(view)
"""

from tahqiq.casework.notes import MAX_NOTE, Note, add_note, list_notes

__all__ = ["MAX_NOTE", "Note", "add_note", "list_notes"]
