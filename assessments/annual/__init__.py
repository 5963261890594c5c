"""The annual cycle of an alliance (the 2023 notice on the national batch): a work plan for the year, submitted by
31 January, with targets per metric and the tasks and projects that carry them (plans.py: its deadlines and
execution rate); the year's construction self-assessment report, drawn from the records with narratives by the
secretariat, submitted by 31 December (document.py); their writes (services.py), pages (views.py), reminders
(assessments/reminders.py) and the early warnings on them (assessments/early_warnings/rules.py)."""
