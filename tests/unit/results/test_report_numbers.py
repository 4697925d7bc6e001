"""report.html's numbers: four significant digits everywhere, trailing zeros kept, so 0.2480
stands beside 0.2517 (not 0.248) and 0.09832 beside 0.5180."""
import re

import pytest

from aezoo.results.report import cell


@pytest.mark.parametrize("value, shown", [
    ("0.248", "0.2480"), ("0.2517", "0.2517"), ("0.098321", "0.09832"), ("0.518", "0.5180"),
    ("44.6", "44.60"), ("3.04149", "3.041"), ("33152", "33,152"), ("1234.56", "1,234.6"),
    ("0.0", "0.000"), ("", "–"), ("deep", "deep"),
])
def test_numbers_keep_four_significant_digits(value, shown):
    assert re.search(r">([^<]*)</td>", cell(value)).group(1) == shown
