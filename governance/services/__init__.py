"""Writes of the council's business: keyword-only, transactional, state checked explicitly,
one DomainError type with a translated message, audited (django-auditlog) with the actor."""
