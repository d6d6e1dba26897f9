"""Place values found by their field or column name in records, tables and SQL; types and identifiers left alone."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction.place_fields import find_place_fields, is_place_field, looks_like_place


def _values(text: str) -> list[str]:
    return [text[start:end] for start, end in find_place_fields(text)]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        (
            '{"name": "Ana", "street": "Vial Severo Pellicer 52 Apt. 54", "city": "Barcelona", "country": "Spain"}',
            ["Vial Severo Pellicer 52 Apt. 54", "Barcelona", "Spain"],
        ),
        ("{'City': 'Zürich', 'zip': '8001'}", ["Zürich"]),
        ("<customer><city>Luzern</city><country>Schweiz</country></customer>", ["Luzern", "Schweiz"]),
        (
            "Full name: Ana Ruiz\nAddress: Ladeira de Freitas, 69\nCountry: Brazil\n",
            ["Ladeira de Freitas, 69", "Brazil"],
        ),
        (
            'customer_id,name,city\n4241,Jonathan Setrick,Sharon Ville\n9236,Nadia Adams,"Darryl Ville"\n',
            ["Sharon Ville", "Darryl Ville"],
        ),
        ("id\tname\ttown\n1\tAna\tMartigny\n", ["Martigny"]),
        ("| Name | Phone | Office |\n|---|---|---|\n| Liselotte Hotz | +41 26 186 10 11 | Luzern |\n", ["Luzern"]),
        (
            "INSERT INTO customers (name, city, phone) VALUES\n  ('Dominik Rorat', 'Stalowa Wola', '507 822 912'),\n"
            "  ('Adam Kajak', 'Zgierz', '+48 698 192 991');",
            ["Stalowa Wola", "Zgierz"],
        ),
        (
            ">>> df.head()\n   name             city             phone\n0  Mary N. Jordan   North Markmouth  +1-618\n"
            "1  Sierra Calderon  Port Andrew      577.291\n",
            ["North Markmouth", "Port Andrew"],
        ),
        ('df = pd.DataFrame({"city": ["Lyon", "Nice"], "n": [1, 2]})', ["Lyon", "Nice"]),
        ('{"city": "東京都"}', ["東京都"]),
    ],
)
def test_when_a_place_field_has_a_value_then_it_is_found(text: str, places: list[str]) -> None:
    assert _values(text) == places


@pytest.mark.parametrize(
    "text",
    [
        '{"city": "string", "country": "str", "region": "eu-central-1", "location": "s3://bucket/key"}',
        'df["city"].value_counts(); df.groupby("country")',
        "SELECT city, country, COUNT(*) FROM customers GROUP BY city, country",
        "city,country,n\nNaN,N/A,3\n",
        "schema = {'address': 'Optional[str]', 'city': 'category'}",
        "region: EMEA\nzone: us-east-1a",
    ],
)
def test_when_a_place_field_holds_a_type_or_identifier_then_nothing_is_found(text: str) -> None:
    assert _values(text) == []


@pytest.mark.parametrize(("name", "expected"), [("address_line1", True), ("City", True), ("cityId", False)])
def test_is_place_field(name: str, expected: bool) -> None:
    assert is_place_field(name) is expected


@pytest.mark.parametrize(
    ("value", "expected"), [("Zürich", True), ("zurich", False), ("EMEA", False), ("Lyon", True), ("Ville", False)]
)
def test_looks_like_place(value: str, expected: bool) -> None:
    assert looks_like_place(value) is expected
