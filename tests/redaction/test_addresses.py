"""Street addresses and postal blocks, per locale; headings and numbers in prose left alone."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction import DetectionEngine
from jupyter_aigov.redaction.addresses import find_addresses
from jupyter_aigov.redaction.places import Gazetteer, build_gazetteer


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return build_gazetteer()


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "lives at 690 Sanchez Union Suite 625, Christopherhaven, CT 21957",
            "690 Sanchez Union Suite 625, Christopherhaven, CT 21957",
        ),
        (
            "Ship to:\nAna Ruiz\nStettlerstrasse 14\n7812 Chur\nSwitzerland",
            "Stettlerstrasse 14\n7812 Chur\nSwitzerland",
        ),
        ("Zdenka-Ehlert-Straße 39/27\n67855 Flöha", "Zdenka-Ehlert-Straße 39/27\n67855 Flöha"),
        ("send it to 435, rue de Samson, 58396 Sainte Virginie", "435, rue de Samson, 58396 Sainte Virginie"),
        ("Rua do Peneireiro, 4\n5406-812 Peniche", "Rua do Peneireiro, 4\n5406-812 Peniche"),
        ("ul. Jana 783\n45-237 Jarocin", "ul. Jana 783\n45-237 Jarocin"),
        ("Budčická 8\n483 53 Tanvald", "Budčická 8\n483 53 Tanvald"),
        ("Kvarngatan 40, 28124 Lidingö", "Kvarngatan 40, 28124 Lidingö"),
        ("Flat 39g\nHolland Burg\nSouth Joyceborough\nSR08 7UX", "SR08 7UX"),
        ("Lake Laura, NS P2Y 8P9", "Lake Laura, NS P2Y 8P9"),
        ("PSC 8683, Box 4497\nAPO AP 52058", "PSC 8683, Box 4497\nAPO AP 52058"),
        ("Livboulevard 49, 4335 FL Leersum", "Livboulevard 49, 4335 FL Leersum"),
        ("Noortjepad 31\n7465QX Arum", "Noortjepad 31\n7465QX Arum"),
        ("at 29/76 Allen Thoroughfare, Port Bernard, NT, 2669", "29/76 Allen Thoroughfare, Port Bernard, NT, 2669"),
        ("Kind regards,\nNelly\nrue Meyer 99\n6011 Unterseen", "rue Meyer 99\n6011 Unterseen"),
        ("Schachnerstraße 7/7, 7939 Mistelbach an der Zaya", "Schachnerstraße 7/7, 7939 Mistelbach an der Zaya"),
        ("г. Архыз, ул. Ленина, д. 868", "г. Архыз, ул. Ленина, д. 868"),  # noqa: RUF001
        ("新潟県墨田区天神島15丁目25番15号", "新潟県墨田区天神島15丁目25番15号"),
        ("강원특별자치도 고성군 석촌호수825로 818", "강원특별자치도 고성군 석촌호수825로 818"),
        ("Phường Diên Hồng, TP. Huế", "Phường Diên Hồng, TP. Huế"),
        ("8425 Merritt Burgs\nSouth Maureen, OH 95390", "8425 Merritt Burgs\nSouth Maureen, OH 95390"),
        ("H.No. 670\nGanesh Zila\nRourkela 783577", "H.No. 670\nGanesh Zila\nRourkela 783577"),
        ("43 Denny Street X87X50N Nicole Ville", "43 Denny Street X87X50N Nicole Ville"),
        ("Gang Tubagus Ismail No. 0", "Gang Tubagus Ismail No. 0"),
        (
            "Calzada República de Moldova 599 Edif. 671 , Depto. 337",
            "Calzada República de Moldova 599 Edif. 671 , Depto. 337",
        ),
        ("1681 rang Bilodeau", "1681 rang Bilodeau"),
        ("PO Box 34\nMeredithside 9763\nNew Zealand", "PO Box 34\nMeredithside 9763\nNew Zealand"),
        ("98 Horowhenua Crescent\nRD 2\nKowhairua 5082", "98 Horowhenua Crescent\nRD 2\nKowhairua 5082"),
        ("moved to 12 Michael Avenue, Matawaitere 4146. Call me", "12 Michael Avenue, Matawaitere 4146"),
        ("Cl. 9 Bis U # 25-4 Este, 661320, Guática, Risaralda", "Cl. 9 Bis U # 25-4 Este, 661320"),
        ("Carrera 157 # 2-19\nOficina 680\n052302", "Carrera 157 # 2-19\nOficina 680\n052302"),
        ("Strada Manole Nr. 324, Sandominic, 661951", "Strada Manole Nr. 324, Sandominic, 661951"),
        ("Jalan Peta No. 5\nBekasi, Sumatera Utara 26820", "Jalan Peta No. 5\nBekasi, Sumatera Utara 26820"),
        ("staying at Flat 22, Victoria Junctions, North Kim, SO4 7WR", "Flat 22, Victoria Junctions"),
        ("716, Hayre Marg, Nashik-430585", "716, Hayre Marg, Nashik-430585"),
        ("Rua Otávio Rocha, 259\n51816878 Brito / BA", "Rua Otávio Rocha, 259\n51816878 Brito / BA"),
        ("Cerrada Tabasco 246 267, San Renato los bajos, MICH 70589", "Cerrada Tabasco 246 267"),
        ("my new address:\n\nBulevardul Oprea\nBranesti, 676220\n\nThanks,", "Bulevardul Oprea\nBranesti, 676220"),
        ("Bill to:\nCornelia Oosterhout\nMajaweg 35\n5771ZX\nGrave\n", "Majaweg 35\n5771ZX\nGrave"),
        ("Kriva pot 616\n6554 Cerknica", "Kriva pot 616\n6554 Cerknica"),
    ],
)
def test_when_an_address_is_written_then_it_is_one_finding(gazetteer: Gazetteer, text: str, address: str) -> None:
    found = [text[start:end] for start, end in find_addresses(text, gazetteer)]
    assert address in found or any(address in f for f in found), found


@pytest.mark.parametrize(
    "text",
    [
        "Python 3.11.4 and pandas 2.2.1 on 48 cores",
        "In 2023 Revenue grew 12% over 2022.",
        "See section 4 Results and Table 2 Summary",
        "Step 3 Merge the frames, then step 4 Plot",
        "ORDER BY created_at DESC LIMIT 5000",
        "send it via email 2 times, place 3 orders",
        "Version 10.4.1 Build 20240512 Release Notes",
    ],
)
def test_when_numbers_sit_in_prose_or_code_then_no_address_is_found(gazetteer: Gazetteer, text: str) -> None:
    assert find_addresses(text, gazetteer, frozenset({"revenue", "results", "summary", "merge", "plot"})) == []


@pytest.mark.parametrize(
    "text",
    [
        "Bill to:\nCornelia Oosterhout\nMajaweg 35",  # the line after "Bill to:" is a name, even a town's
        "My email address:\nLook it up in the CRM",  # an e-mail or IP address is not a postal one
        "IP address:\nSee the allow-list",
        "Address:\nTel.: 555 0101",  # a labelled line is not an address line
    ],
)
def test_when_a_label_announces_a_block_then_names_and_other_labels_stay_out(gazetteer: Gazetteer, text: str) -> None:
    found = [text[start:end] for start, end in find_addresses(text, gazetteer)]
    assert not any("Cornelia" in f or "Oosterhout" in f or "CRM" in f or "allow" in f or "Tel" in f for f in found)


@pytest.mark.parametrize(
    "text",
    [
        "Meredithside 9763",  # a town and a four-digit code say nothing alone: a name and a year read the same
        "Bodega 85 and Level 7 of the tower",
        "810916",
        "Ship to:\nStettlerstrasse 14\n\nWinterthur 2023 was a good year",  # a blank line ends a block
    ],
)
def test_when_a_secondary_line_stands_alone_then_it_is_no_address(gazetteer: Gazetteer, text: str) -> None:
    found = [text[start:end] for start, end in find_addresses(text, gazetteer)]
    assert not any("9763" in f or "85" in f or "810916" in f or "2023" in f for f in found), found


def test_when_the_engine_finds_a_postal_block_then_the_name_filter_leaves_its_lines_whole(
    model_engine: DetectionEngine,
) -> None:
    text = "Ship to:\nEvelin Bachmann\nFurrerstrasse 6\n8892 Romanshorn\nSchweiz\n"
    places = {text[f.start : f.end] for f in model_engine.analyze(text, {"LOCATION"})}
    assert "Furrerstrasse 6\n8892 Romanshorn\nSchweiz" in places
