"""Handlers of the test service (read by the start-up reference check, never imported)."""

from satchel import flags


@flags.flag_required("notes-search")
def search_notes():
    return {"page_size": flags.value("page-size")}
