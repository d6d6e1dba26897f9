"""PERSON from given names, initials, cue words and name columns, on the real model and the shipped lexicon."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction import DEFAULT_DETECTED, DetectionEngine


def _found(engine: DetectionEngine, text: str) -> set[str]:
    return {text[f.start : f.end] for f in engine.analyze(text, DEFAULT_DETECTED) if f.entity == "PERSON"}


def _covered(engine: DetectionEngine, text: str, value: str) -> bool:
    start = text.index(value)
    spans = [(f.start, f.end) for f in engine.analyze(text, DEFAULT_DETECTED) if f.entity == "PERSON"]
    return all(any(s <= i < e for s, e in spans) for i in range(start, start + len(value)))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Customer Leigha C Mackay called about a double charge.", "Leigha C Mackay"),
        ("Please summarise this email from J. R. Kupko about the invoice.", "J. R. Kupko"),
        ("Hi Motoko,\n\nthe export is ready.", "Motoko"),
        ("Thanks Csanád! I will check the transfer.", "Csanád"),
        ("The numbers look right.\n\nBest,\nDénes", "Dénes"),
        ("From: Šárka H Staněk\nSubject: churn model", "Šárka H Staněk"),
        ("Ticket 4812 assigned to Radosław Zbrożek; due Friday.", "Radosław Zbrożek"),
        ("id,first_name,last_name,plan\n17,Siegrun,Geisel,gold", "Geisel"),
        ('{"customer": "Ľudmila Murín", "balance": 1200.5}', "Ľudmila Murín"),
        ("Contact Ravi T da Mota for access to the tables.", "Ravi T da Mota"),
        ("Tiziana Sforza-Raurica reported a stale dashboard.", "Tiziana Sforza-Raurica"),
        ("Zoé: yes, sending it now", "Zoé"),
        ("Decisions:\n- Karin owns the data pipeline.", "Karin"),
        ("Miss Megan Rhodes moved to North Emily.", "Miss Megan Rhodes"),
        ("The reviews started at Alexander's suggestion.", "Alexander"),
        ('df = pd.DataFrame({"name": ["Adya Nathan Patil", "Nidra U Dash"]})', "Nidra U Dash"),
        ("Attendees: Georges Z. Marcotte, Alexandre Champagne\nLocation: office", "Alexandre Champagne"),
        ("customer_id,name,email\n8260,Tola Kościelak,tk@onet.pl", "Tola Kościelak"),
        ("Ship to:\nMrs Lea-Sophie Ferdinand Jandl\nNicolai-Schuler-Straße 6", "Mrs Lea-Sophie Ferdinand Jandl"),
        (
            "Please summarise the voicemail: caller Gading Digdaya Prasasta asked us to ring back.",
            "Gading Digdaya Prasasta",
        ),
        ("INSERT INTO customers (name, city) VALUES\n  ('Raf van der Kint', 'Diepenveen'),", "Raf van der Kint"),
        ("Ship to:\nDra. Vitor Garcia\nSítio de Fogaça, 59", "Dra. Vitor Garcia"),
        ("| Name | Phone |\n|---|---|\n| Zoltan Koch II | 06089238755 |", "Zoltan Koch II"),
        ("The on-call engineer, Nihai İhsanoğlu, rotated the credentials.", "Nihai İhsanoğlu"),
        ("Paul: thanks! also ping Christian about the dashboard", "Christian"),
        ("Mariano: did you get the export?\nGuy: yes, sending it now", "Guy"),
        ("Amparo: did you get the export?\nEdilberto: yes, sending it now", "Edilberto"),  # no dictionary has him
        ("Kyara here - app charged my card twice", "Kyara"),
        ("<customer id='5'>\n  <name>Kusuma Waluyo</name>\n</customer>", "Kusuma Waluyo"),
        ('{"ticket": "47364", "from": "Tarzícius Janová"}', "Tarzícius Janová"),
        ("Yours sincerely,\nTörök Piroska\nCustomer Relations", "Török Piroska"),
        (
            "                 name       city\n0  Natalia G. Dumitrescu  Gilau\n1  Maksymilian Berek  Wągrowiec",
            "Maksymilian Berek",
        ),
        ("SHIP TO:\nSANTIAGO QUINTEROS\nMATTA 7", "SANTIAGO QUINTEROS"),  # capitals, as on labels
        ("{'cardholder': 'NADINE LINDEN', 'exp': '09/29'}", "NADINE LINDEN"),
        ("Wells, Timothy        Legal\nHARRISON George     Research", "HARRISON George"),  # family name first
        ("Wells, Timothy        Legal\nHARRISON George     Research", "Wells, Timothy"),
        ('raw = [\n    "+353 85 974 5787",  # Conor\n]', "Conor"),
        ("Spouse's first name and middle initial: Lee L.    Last name: Wilcox", "Wilcox"),
        ("Who?\n\nCONTRERAS GARRIDO Eliana  Sales Ops     +56 600 236 771", "CONTRERAS GARRIDO Eliana"),  # a roster
        ("Chair: Bhekani Sikobi\nPresent: Ana Ruiz", "Bhekani Sikobi"),
        ("Gunnbjörn thanked Svend for the audit preparation.", "Svend"),
        ("Signed, Ana Ruiz", "Ana Ruiz"),  # a sign-off, not a family name before a comma
    ],
)
def test_when_text_names_a_person_then_the_whole_name_is_found(
    model_engine: DetectionEngine, text: str, value: str
) -> None:
    assert _covered(model_engine, text, value), _found(model_engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "Tokenize 'The quick brown fox jumps over the lazy dog' and count the tokens.",
        "Summarize the attached notebook in three bullet points.",
        "Plot revenue by region as a stacked bar chart.",
        "Merge df_a and df_b on customer_id.",
        "Use XGBoost with early stopping.",
        "Ask Claude to rewrite this docstring.",
        "first_name,last_name,city,country,signup_date",
        "Name,City,Country\n",
        'Traceback (most recent call last):\n  File "train.py", line 42, in <module>\nValueError: Input contains NaN.',
        "SELECT region, SUM(amount) FROM orders GROUP BY region;",
        "Why does scikit-learn warn about convergence in LogisticRegression?",
        "Benchmark Polars against pandas on the parquet file.",
        "Run Black and Ruff on the repository.",
        "Compare Llama 3 8B, Mistral 7B and Gemini Flash on this task.",
        "The Adam optimizer with a cosine schedule works better than SGD here.",
        "Jordan normal form: explain it with a 3x3 example.",
        "Calculate the Gini coefficient for the income distribution.",
        "Refactor this pandas groupby into a pivot_table call.",
        "Translate the column descriptions into German.",
        "Benchmark 'The quick brown fox' with the tokenizer and count the tokens.",
        "Split the address column into street and city.",
        "Use Xavier Initialization for the dense layers.",
        "Run Monte Carlo dropout at inference.",
        "Notes:\n- June sales dropped\n- May is the busiest month\n- Faith in the model is low",
        "Args:\n    x: the input\nReturns:\n    Kwargs: passed on\nRaises:\n    Dtype: on a bad type",
        "Note: this runs nightly\nTodo: add the tests",
        "            model  accuracy\n0          XGBoost      0.91\n1  random forest      0.88",
        "Colab here: the notebook runs on a T4.",
        "SELECT NAME, CITY FROM USERS WHERE ID = 1",
        "AWS Lambda and GCP Functions run the jobs.",
        "- [x] Tokenize the daily partitions\n- [ ] Profile the run with Kedro",
        "Online Inference moved to Kedro last quarter, and Search to Weaviate.",
        "Model Name     Accuracy  F1\nRandom Forest  0.91      0.88\nGradient Boosting  0.93  0.90",
    ],
)
def test_when_text_is_data_science_work_then_no_person_or_place_is_found(
    model_engine: DetectionEngine, text: str
) -> None:
    found = [f for f in model_engine.analyze(text, DEFAULT_DETECTED) if f.entity in ("PERSON", "LOCATION")]
    assert found == [], [(f.entity, text[f.start : f.end]) for f in found]
