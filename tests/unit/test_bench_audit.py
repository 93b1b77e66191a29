"""The audit script's own logic (benchmarks/bench_audit.py): figures from Lighthouse's report,
medians in the table, and the table replaced between its markers in the docs file."""

from __future__ import annotations

from pathlib import Path

from benchmarks.bench_audit import BEGIN, END, Row, record, table, write_doc


def _report(performance: float, tbt: float, script_bytes: int) -> dict:
    """The parts of a Lighthouse JSON report the script reads."""
    ref = {"id": "meta-description", "weight": 1}
    return {
        "categories": {
            "performance": {"score": performance, "auditRefs": []},
            "accessibility": {"score": 1.0, "auditRefs": []},
            "best-practices": {"score": 0.96, "auditRefs": []},
            "seo": {"score": 0.9, "auditRefs": [ref]},
        },
        "audits": {
            "total-blocking-time": {"numericValue": tbt},
            "largest-contentful-paint": {"numericValue": 1000.0},
            "cumulative-layout-shift": {"numericValue": 0.01},
            "resource-summary": {
                "details": {
                    "items": [
                        {"resourceType": "script", "transferSize": script_bytes},
                        {"resourceType": "stylesheet", "transferSize": 2048},
                    ]
                }
            },
            "unused-javascript": {"details": {"overallSavingsBytes": 1024}},
            "meta-description": {"score": 0},
        },
    }


def test_the_table_shows_medians_and_failed_audits() -> None:
    row = Row("explore", "en", "visitor", "mobile")
    for performance, tbt in ((0.5, 900.0), (0.9, 100.0), (0.7, 300.0)):
        record(row, _report(performance, tbt, 300 * 1024))
    row.axe = {"light": ["link-in-text-block (2)"], "dark": []}
    line = table([row]).splitlines()[-1]
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    assert cells[:8] == ["explore", "en", "visitor", "mobile", "70", "100", "96", "90"]
    assert cells[8] == "300"  # the median TBT, not the first or the last run's
    assert cells[11:14] == ["300", "1", "2"]  # JS, unused JS, CSS in KiB
    assert cells[14:] == ["link-in-text-block (2)", "0", "meta-description"]


def test_a_rerun_replaces_the_table_between_the_markers(tmp_path: Path) -> None:
    doc = tmp_path / "audit.md"
    write_doc(doc, "first table")
    assert doc.read_text() == f"{BEGIN}\nfirst table\n{END}\n"
    doc.write_text(f"# Audit\n\nintro\n\n{BEGIN}\nold\n{END}\n\nafter\n")
    write_doc(doc, "new table")
    assert doc.read_text() == f"# Audit\n\nintro\n\n{BEGIN}\nnew table\n{END}\n\nafter\n"
    write_doc(doc, "newer")
    assert doc.read_text().count(BEGIN) == 1
    assert "new table" not in doc.read_text()
