"""ISO 4217 currencies: which codes exist and how many decimals (minor units) each pays.

The data comes from the ``iso4217`` package (ISO's own list): JPY and KRW have no
minor units, KWD and BHD three, most currencies two. A code ISO gives no minor units
(gold, test codes) is no pay currency.
"""

from __future__ import annotations

from functools import cache

from iso4217 import Currency


class UnknownCurrencyError(ValueError):
    """A text that is not an ISO 4217 currency that can be paid."""


@cache
def decimals(code: str) -> int:
    """Minor units of a currency.

    >>> decimals("JPY"), decimals("EUR"), decimals("KWD")
    (0, 2, 3)
    """
    try:
        exponent = Currency(code).exponent
    except ValueError:
        raise UnknownCurrencyError(f"{code!r} is not an ISO 4217 currency code") from None
    if exponent is None:
        raise UnknownCurrencyError(f"{code!r} has no minor units: it is not a currency "
                                   "pay is made in")
    return int(exponent)


def scale(code: str) -> int:
    """How many minor units make one unit (100 for EUR, 1 for JPY)."""
    return int(10 ** decimals(code))
