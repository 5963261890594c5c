"""bench/metrics.py (after the matching in step 8 of `make bench`) at full scale: every metric of the registry for
the matching city's 150 alliances, with their members, meetings, projects and confirmed outcomes."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_bench_step_builds_its_records_and_reports(capsys):
    from bench.metrics import run

    lines = run()
    print("\n".join(lines))
    assert lines[0].startswith("## Metrics") and any("× 150 alliances" in line for line in lines)
    assert any(line.startswith("Aim:") for line in lines)
