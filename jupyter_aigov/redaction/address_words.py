# ruff: noqa: RUF001  (Cyrillic words below are meant to be Cyrillic)
"""Words that make a street: street types per language, and the unit words that follow a house number.

Sources: USPS Publication 28, Appendix C1 (street suffixes and their standard abbreviations) for English, with
Royal Mail and Australia Post thoroughfare types; for other languages, the thoroughfare types of each country's
postal addressing guide (Deutsche Post, La Poste, Poste Italiane, Correos, CTT, PostNL, PostNord, Poczta Polska).
"""

from __future__ import annotations

# English street types, written after the street's name ("12 Acacia Avenue", "690 Sanchez Union"); Australia Post's
# and NZ Post's further thoroughfare types; Indian locality and road words ("Hayre Marg", "Sant Nagar").
_TYPES_AFTER = """
    Alley Annex Arcade Avenue Ave Av Bayou Beach Bend Bluff Bluffs Bottom Boulevard Blvd Branch Bridge Brook Brooks
    Burg Burgs Bypass Camp Canyon Cape Causeway Center Centers Circle Circles Cir Circuit Cliff Cliffs Close Club
    Common Commons Corner Corners Course Court Courts Ct Cove Coves Creek Crescent Cres Crest Crossing Crossroad Curve
    Dale Dam Divide Drive Drives Dr Esplanade Estate Estates Expressway Extension Extensions Fall Falls Ferry Field
    Fields Flat Flats Ford Fords Forest Forge Forges Fork Forks Fort Freeway Garden Gardens Gateway Glen Glens Green
    Greens Grove Groves Harbor Harbors Haven Heights Highway Hwy Hill Hills Hollow Inlet Island Islands Isle Junction
    Junctions Key Keys Knoll Knolls Lake Lakes Land Landing Lane Ln Light Lights Loaf Lock Locks Lodge Loop Mall
    Manor Manors Meadow Meadows Mews Mill Mills Mission Motorway Mount Mountain Mountains Neck Orchard Oval Overpass
    Parade Park Parks Centreway Ramble Boulevarde Chase Fairway Laneway Pathway Quadrant Ridgeway Wharf
    Thoroughfare Crossway Concourse Quay Promenade Boardwalk Outlook Lookout Retreat Grange
    Glade Parkway Parkways Pkwy Pass Passage Path Pike Pine Pines Place Pl Plain Plains Plaza Point
    Points Port Ports Prairie Radial Ramp Ranch Rapid Rapids Rest Ridge Ridges Rise River Road Roads Rd Route Row
    Rue Run Shoal Shoals Shore Shores Skyway Spring Springs Spur Spurs Square Squares Sq Station Stravenue Stream
    Street Streets St Summit Terrace Ter Throughway Trace Track Trafficway Trail Trl Trailer Tunnel Turnpike
    Underpass Union Unions Vale Valley Valleys Viaduct View Views Village Villages Ville Vista Walk Walks Wall Way
    Ways Well Wells Wynd
    Access Amble Anchorage Approach Artery Brace Brow Cluster Copse Cross Cutting Driveway Easement Edge End
    Entrance Firetrail Follow Frontage Gap Gate Highroad Interchange Link Meander Nook Pocket Quays Reach Reserve
    Ride Round Serviceway Steps Strand Strip Subway Tarn Tollway Top Tor Turn Walkway Circlet Trunkway
    Marg Nagar Chowk Ganj Colony Zila Gali Bazar Bagh Enclave Vihar Layout
"""
STREET_TYPES_AFTER = frozenset(_TYPES_AFTER.split())

# Thoroughfare types written before the name ("Rue de Samson", "Via Roma", "ul. Jana", "Calle Mayor").
_TYPES_BEFORE = """
    rue avenue av boulevard bd bld chemin allée impasse place quai route cours passage square sentier voie
    via viale piazza piazzale corso largo vicolo strada contrada borgo lungomare galleria
    rang montée côte croissant terrasse
    incrocio canale stretto rotonda via viale piazzetta salita discesa traversa
    calzada circuito cerrada privada prolongación retorno periférico andador viaducto corredor continuación peatonal
    diagonal eje
    jalan jl gg gang lorong lr komplek
    calle avenida avda plaza paseo camino carrer carretera ronda travesía pasaje glorieta rambla cañada urbanización
    pasadizo callejón vía
    rua travessa praça largo alameda estrada rodovia avenida beco viela vila ladeira parque
    ul ulica al aleja pl plac os osiedle
    boulevard circunvalación acceso conjunto quadra setor loteamento núcleo chácara sítio vereda trecho viaduto
    residencial condomínio esplanada trevo ampliación vial
    strada str bulevardul bd calea aleea splaiul șoseaua soseaua intrarea piața drumul fundătura fundatura pasajul
    náměstí nám třída námestie trieda
"""
STREET_TYPES_BEFORE = frozenset(_TYPES_BEFORE.split())
# Of those, the ones that are also English words or abbreviations: they count only capitalised.
ENGLISH_LOOKING_TYPES = frozenset(
    {"via", "place", "route", "passage", "square", "cours", "voie", "largo", "parque", "plaza", "av", "bd", "bld"}
    | {"al", "pl", "os", "str", "strada", "vila", "beco", "corso", "borgo", "calea", "trieda", "nám"}
)

# Compound endings of street names in Germanic, Nordic, Dutch, Finnish and Slavic languages ("Stettlerstrasse",
# "Kvarngatan", "Sundholmsgade", "Stefansteeg", "Ahvenkoskenkuja"), and the same types written apart.
STREET_ENDINGS: tuple[str, ...] = (
    "straße",
    "strasse",
    "str.",
    "weg",
    "gasse",
    "allee",
    "platz",
    "ring",
    "damm",
    "ufer",
    "chaussee",
    "steig",
    "pfad",
    "markt",
    "hof",
    "plassen",
    "plass",
    "veg",
    "vegen",
    "stien",
    "bakken",
    "torget",
    "gatan",
    "vägen",
    "väg",
    "gränd",
    "gata",
    "gate",
    "gaten",
    "veien",
    "vei",
    "gade",
    "vej",
    "stræde",
    "allé",
    "straat",
    "steeg",
    "laan",
    "plein",
    "gracht",
    "kade",
    "dijk",
    "singel",
    "dreef",
    "katu",
    "kuja",
    "tie",
    "polku",
    "kaari",
    "utca",
    "út",
    "tér",
    "ulica",
    "cesta",
    "trg",
    "ulice",
    "nabrežje",
    "šetalište",
    "obala",
    "sokak",
    "caddesi",
    "pot",
    "put",
    "odvojak",
    "prilaz",
)

# Words that continue an address line after the house number.
_UNITS = (
    "Suite Ste Apt Apt. Apartment Unit Flat Floor Fl Piso Puerta Depto. Depto Edif. Bl. Sc. Ap. Et. Etg. Piano Int. "
    "Box Bus Stg. Dpto. Casa Lote Bloco Appartamento Interno Scala Studio H.No. Level Interior Apto. Oficina Local "
    "Bodega Torre Etapa Manzana Bloque"
)
UNIT_WORDS = frozenset(_UNITS.split())

# Secondary lines of a postal block that say nothing alone ("RD 2", "Bodega 85", "Torre 4 apartamento 50"): they
# join an address next to them, and are never one by themselves.
_SECONDARY = "RD Level Bodega Oficina Local Casa Torre Etapa Manzana Bloque Interior Lote Apto. Piso"
SECONDARY_WORDS = tuple(_SECONDARY.split())
# Post-office boxes in the languages of the corpus's postal guides.
PO_BOXES = (
    r"P\.?\s?O\.?\s?Box|Post Office Box|GPO Box|Private Bag|Locked Bag|Postfach|Caixa Postal|Apartado de Correos|"
    r"Apartado|Casilla de Correo|Casilla|Boîte postale|Postboks|Postbox|Postbus"
)

# Cyrillic abbreviations of settlement and street kinds, written with a dot before the name (a town, a street, a
# house), and the same kinds written out, from Russian and Ukrainian postal usage.
_CYRILLIC_ABBREVIATIONS = "г п д с пос ул пр просп бул пер ш наб пл к ст х рп пгт смт м вул пров"
CYRILLIC_ABBREVIATIONS = tuple(_CYRILLIC_ABBREVIATIONS.split())
_CYRILLIC_KINDS = "село місто селище город деревня посёлок поселок станица хутор улица вулиця проспект"
CYRILLIC_KINDS = tuple(_CYRILLIC_KINDS.split())
# Vietnamese administrative and street words (city, ward, district, commune, province, street, lane, number).
_VIETNAMESE_KINDS = "thành phố|tp.|phường|quận|huyện|xã|tỉnh|thị xã|đường|phố|ngõ|hẻm|số"
VIETNAMESE_KINDS = tuple(_VIETNAMESE_KINDS.split("|"))
