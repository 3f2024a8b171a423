"""Safe changes of the schedule: preview, confirm, history and undo."""
