"""Issuer identification number (IIN) ranges of payment card networks, and the lengths each network issues.

Sources: ISO/IEC 7812-1 (the IIN scheme and the Luhn check digit), the networks' published ranges as collected
in Wikipedia's "Payment card number" IIN table (Visa, Mastercard incl. the 2221-2720 series, American Express,
Discover, Diners Club, JCB, UnionPay, Maestro with its whole historic 50 / 56-69 block and 0604, Mir, RuPay,
Troy, Verve, Dankort, InterPayment, InstaPayment, BORICA), and ISO/IEC 7812's major industry identifier 9
(assigned by national bodies: Ukraine's PROSTIR cards). JCB is taken as its whole 35 block: 3500-3527 is
unassigned, but test-data generators (Faker) issue JCB numbers there. UATP (leading 1, 15 digits) is in
`CUED_RANGES`: so many 15-digit numbers start with 1 that it counts only with a card word near.
"""

from __future__ import annotations

# (network, first prefix, last prefix, lengths): a number belongs to the network when its leading digits,
# cut to the prefixes' width, lie between first and last.
IIN_RANGES: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("Visa", "4", "4", (13, 16, 19)),
    ("Mastercard", "51", "55", (16,)),
    ("Mastercard", "2221", "2720", (16,)),
    ("American Express", "34", "34", (15,)),
    ("American Express", "37", "37", (15,)),
    ("Discover", "6011", "6011", (16, 17, 18, 19)),
    ("Discover", "644", "649", (16, 17, 18, 19)),
    ("Discover", "65", "65", (16, 17, 18, 19)),
    ("Diners Club", "300", "305", (14, 15, 16, 17, 18, 19)),
    ("Diners Club", "3095", "3095", (14, 15, 16, 17, 18, 19)),
    ("Diners Club", "36", "36", (14, 15, 16, 17, 18, 19)),
    ("Diners Club", "38", "39", (14, 15, 16, 17, 18, 19)),
    ("JCB", "35", "35", (16, 17, 18, 19)),
    ("JCB", "2131", "2131", (15,)),
    ("JCB", "1800", "1800", (15,)),
    ("UnionPay", "62", "62", (16, 17, 18, 19)),
    ("Maestro", "50", "50", tuple(range(12, 20))),
    ("Maestro", "56", "69", tuple(range(12, 20))),
    ("Maestro", "0604", "0604", tuple(range(12, 20))),
    ("National (MII 9)", "9", "9", (16,)),
    ("Mir", "2200", "2204", (16, 17, 18, 19)),
    ("BORICA", "2205", "2205", (16,)),
    ("RuPay", "60", "60", (16,)),
    ("RuPay", "81", "82", (16,)),
    ("RuPay", "508", "508", (16,)),
    ("Troy", "9792", "9792", (16,)),
    ("Verve", "506099", "506198", (16, 18, 19)),
    ("Verve", "507865", "507964", (16, 18, 19)),
    ("Verve", "650002", "650027", (16, 18, 19)),
    ("Dankort", "5019", "5019", (16,)),
    ("InterPayment", "636", "636", (16, 17, 18, 19)),
    ("InstaPayment", "637", "639", (16,)),
)

# Ranges whose shape alone says too little: a number in them is a card only when a card word is near.
CUED_RANGES: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (("UATP", "1", "1", (15,)),)
