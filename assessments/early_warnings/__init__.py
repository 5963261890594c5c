"""Early warnings: the rules and their check (rules.py), who sees them (selectors in rules.py), the page
(views.py). The API's `alliances/<id>/warnings/` is in assessments/api/."""
