"""The recognizer registry: Presidio's predefined recognizers, made offline, plus aigov's own."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import tldextract
from presidio_analyzer import EntityRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpEngine
from presidio_analyzer.predefined_recognizers import EmailRecognizer

from jupyter_aigov.redaction.addresses import AddressRecognizer
from jupyter_aigov.redaction.cards import CardNumberRecognizer
from jupyter_aigov.redaction.iban import CheckDigitIbanRecognizer
from jupyter_aigov.redaction.lexicon import Lexicon
from jupyter_aigov.redaction.names import NameFieldRecognizer, NameRecognizer
from jupyter_aigov.redaction.nlp import LANGUAGE
from jupyter_aigov.redaction.people import location_recognizer, person_recognizer
from jupyter_aigov.redaction.phone import PhoneNumberRecognizer
from jupyter_aigov.redaction.place_cues import CuedPlaceRecognizer
from jupyter_aigov.redaction.place_fields import PlaceFieldRecognizer
from jupyter_aigov.redaction.places import PlaceRecognizer, build_gazetteer, english_words
from jupyter_aigov.redaction.secrets import SecretRecognizer
from jupyter_aigov.redaction.ssn import BareSsnRecognizer

# Recognizers whose findings follow a postal or record structure, not a name's shape: the name filter leaves them whole.
SHAPED_RECOGNIZERS = frozenset({"AigovAddressRecognizer", "AigovPlaceFieldRecognizer", NameFieldRecognizer.NAME})


@cache
def offline_tld_extractor() -> tldextract.TLDExtract:
    """A suffix-list parser that uses the snapshot bundled with tldextract: no fetch, no cache file."""
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email recognizer, validating domains against the bundled suffix list instead of fetching it."""

    def validate_result(self, pattern_text: str) -> bool:
        """True when the address ends in a known public suffix."""
        return offline_tld_extractor()(pattern_text).fqdn != ""


def build_registry(
    nlp_engine: NlpEngine, lexicon: Lexicon, extra: Iterable[EntityRecognizer] = ()
) -> RecognizerRegistry:
    """Every predefined English recognizer (so a policy can ask for any Presidio entity), patched and extended,
    then the `extra` ones (the policy's plugins')."""
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    registry.load_predefined_recognizers(languages=[LANGUAGE], nlp_engine=nlp_engine)
    registry.remove_recognizer("EmailRecognizer")
    registry.remove_recognizer("PhoneRecognizer")
    registry.remove_recognizer("CreditCardRecognizer")
    # Presidio's IBAN patterns want each country's exact length and, as shipped, swallow a following word
    # ("held") into the candidate; aigov's decides by the check digits, whole or grouped.
    registry.remove_recognizer("IbanRecognizer")
    registry.add_recognizer(CheckDigitIbanRecognizer())
    registry.add_recognizer(BareSsnRecognizer())
    registry.add_recognizer(OfflineEmailRecognizer())
    registry.add_recognizer(PhoneNumberRecognizer())
    registry.add_recognizer(CardNumberRecognizer())
    registry.add_recognizer(SecretRecognizer())
    registry.add_recognizer(person_recognizer())
    registry.add_recognizer(NameRecognizer(lexicon))
    registry.add_recognizer(NameFieldRecognizer(lexicon))
    registry.add_recognizer(location_recognizer())
    registry.add_recognizer(CuedPlaceRecognizer(lexicon))
    pipeline = (getattr(nlp_engine, "nlp", None) or {}).get(LANGUAGE)
    nouns = english_words(pipeline, ("noun",))
    other_words = english_words(pipeline, ("verb", "adj", "adv"))
    gazetteer = build_gazetteer(nouns, other_words)
    registry.add_recognizer(PlaceRecognizer(gazetteer))
    registry.add_recognizer(AddressRecognizer(gazetteer, nouns, other_words))
    registry.add_recognizer(PlaceFieldRecognizer())
    for recognizer in extra:
        registry.add_recognizer(recognizer)
    return registry
