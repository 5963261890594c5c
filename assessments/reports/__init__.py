"""The documents of an assessment cycle: the alliance's report (PDF) and the city comparison (PDF, Excel),
built by Celery (tasks.py), cached by a digest of their data (services.py), requested and downloaded on
pages (views.py)."""
