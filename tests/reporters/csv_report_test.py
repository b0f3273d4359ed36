from __future__ import annotations

import csv
import io

from checker.reporters import csv_report
from checker.reporters.options import RenderOptions
from policy_spec.evidence import Report


def _rows(report: Report, options: RenderOptions) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_report.render(report, options))))


def test_one_row_per_result_with_the_contracted_columns(report: Report, options: RenderOptions) -> None:
    rows = _rows(report, options)
    assert len(rows) == len(report.results)
    assert rows[0] == {
        "rule": "PP-ENC-001", "commitment": "encryption-at-rest", "status": "fail", "severity": "high",
        "path": "infra/s3.tf", "line": "12", "resource": "aws_s3_bucket.<script>document.title='pwned'</script>|`x`",
        "message": "<script>document.title='pwned'</script>|`x` is fail", "observed": "",
        "expected": '{"equals": "AES256"}', "exemption": "",
    }


def test_a_value_that_looks_like_a_formula_is_quoted(report: Report, options: RenderOptions) -> None:
    formula = report.results[0].model_copy(update={"message": "=HYPERLINK(\"http://x\")"})
    (row,) = _rows(report.model_copy(update={"results": [formula]}), options)
    assert row["message"] == "'=HYPERLINK(\"http://x\")"
