"""Pages of the council's business: they parse input, call one selector or service, and render.

A refused write shows the service's message with the status the API would give (400 bad input,
403 not allowed, 409 state conflict); nothing is saved. Writes reserved to a role are refused
with 403 before their form is read, so a bad form never tells an outsider more.
"""
