"""Events of the members app that the apps above it react to (they connect in their AppConfig.ready()).

`membership_ended` is sent inside the service's transaction when a unit leaves an alliance (withdrawn
or expelled), with the membership and the acting user, so that what the unit held there (council seats)
ends in the same transaction and is audited under the same actor. A signal, not a call, because the
members app sits below governance and must not import it.
"""

from django.dispatch import Signal

membership_ended = Signal()
