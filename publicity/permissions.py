"""Who may do what with an alliance's news, typical cases and announcements. Pages and the API both ask these.

- The alliance's secretariat writes, publishes and withdraws news and cases, and writes and sends
  announcements.
- The city's officials read all of it, drafts and who has read each announcement included, and change nothing.
- A member unit's contacts read the announcements sent to them; everyone reads what is published.
"""

from alliance.permissions import is_official_of, is_secretariat_of


def can_write_publicity(user, alliance) -> bool:
    return is_secretariat_of(user, alliance)


def can_read_all_publicity(user, alliance) -> bool:
    """Drafts, withdrawn items, every announcement and its receipts."""
    return is_secretariat_of(user, alliance) or is_official_of(user, alliance)
