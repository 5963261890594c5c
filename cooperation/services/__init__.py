"""Writes of the cooperation app: list entries (entries.py), responses to technology needs (responses.py),
supply–demand events (events.py). Each runs in a transaction, checks who acts and the state explicitly,
raises a DomainError with a translated message and leaves an audit record (django-auditlog)."""
