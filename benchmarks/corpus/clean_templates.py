"""PII-free text of the kind data scientists send: code, traces, SQL, instructions, model and library names."""
# ruff: noqa: E501  (template lines are kept whole so each reads as the text it produces)

from __future__ import annotations

import random
from collections.abc import Callable

CleanTemplate = Callable[[random.Random], str]
CLEAN_TEMPLATES: list[tuple[str, str, CleanTemplate]] = []  # (name, kind, template)


def clean(name: str, kind: str) -> Callable[[CleanTemplate], CleanTemplate]:
    def register(fn: CleanTemplate) -> CleanTemplate:
        CLEAN_TEMPLATES.append((name, kind, fn))
        return fn

    return register


LIBRARIES = (
    "pandas",
    "polars",
    "numpy",
    "scikit-learn",
    "XGBoost",
    "LightGBM",
    "CatBoost",
    "PyTorch",
    "TensorFlow",
    "JAX",
    "Keras",
    "statsmodels",
    "SciPy",
    "matplotlib",
    "seaborn",
    "plotly",
    "Altair",
    "DuckDB",
    "PySpark",
    "Dask",
    "Ray",
    "Hugging Face transformers",
    "sentence-transformers",
    "spaCy",
    "NLTK",
    "Optuna",
    "MLflow",
    "Weights & Biases",
    "LangChain",
    "LlamaIndex",
    "Prophet",
    "pyarrow",
    "SQLAlchemy",
    "FastAPI",
    "Streamlit",
)
MODELS = (
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-4.1",
    "o3-mini",
    "claude-3-5-sonnet",
    "claude-3-haiku",
    "Llama-3.1-8B",
    "Llama-3.1-70B-Instruct",
    "Mistral-7B-Instruct-v0.3",
    "Mixtral-8x7B",
    "Qwen2.5-7B",
    "Phi-3-mini",
    "gemma-2-9b",
    "BERT-base",
    "RoBERTa-large",
    "DistilBERT",
    "T5-small",
    "ResNet-50",
    "ViT-B/16",
    "YOLOv8",
    "all-MiniLM-L6-v2",
    "text-embedding-3-small",
    "whisper-large-v3",
    "DeepSeek-V3",
    "gemini-1.5-pro",
)
HF_IDS = (
    "meta-llama/Llama-3.1-8B-Instruct",
    "mistralai/Mistral-7B-v0.1",
    "sentence-transformers/all-MiniLM-L6-v2",
    "google-bert/bert-base-uncased",
    "openai/whisper-small",
    "Qwen/Qwen2.5-7B-Instruct",
    "microsoft/phi-2",
    "facebook/bart-large-cnn",
    "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
    "BAAI/bge-small-en-v1.5",
)
COLUMNS = (
    "customer_id",
    "signup_date",
    "churned",
    "plan_tier",
    "monthly_spend",
    "last_login_at",
    "n_sessions",
    "avg_basket_value",
    "is_active",
    "region_code",
    "order_total",
    "discount_pct",
    "label",
    "score",
    "created_at",
    "updated_at",
    "product_sku",
    "category",
    "revenue_usd",
    "event_type",
    "session_length_s",
    "device_type",
    "feature_7",
    "target",
    "pred_proba",
    "fold",
    "cohort_month",
    "ltv_90d",
    "tenure_months",
    "support_tickets",
)
METRICS = (
    "accuracy",
    "F1",
    "ROC AUC",
    "PR AUC",
    "RMSE",
    "MAE",
    "log loss",
    "recall",
    "precision",
    "R²",
    "BLEU",
    "perplexity",
    "NDCG@10",
    "MAPE",
)
VERBS = (
    "Tokenize",
    "Summarize",
    "Summarise",
    "Plot",
    "Merge",
    "Explain",
    "Refactor",
    "Translate",
    "Classify",
    "Rewrite",
    "Vectorize",
    "Normalize",
    "Deduplicate",
    "Parse",
    "Compare",
    "Optimize",
    "Profile",
    "Debug",
    "Document",
    "Benchmark",
    "Cluster",
    "Impute",
    "Pivot",
    "Resample",
    "Visualize",
    "Convert",
    "Validate",
    "Generate",
    "Extract",
    "Detect",
    "Fix",
    "Train",
    "Evaluate",
    "Tune",
    "Label",
    "Sort",
    "Filter",
    "Aggregate",
    "Encode",
    "Lemmatize",
)
PHRASES = (
    "'The quick brown fox jumps over the lazy dog'",
    "'Colorless green ideas sleep furiously'",
    "'To be or not to be'",
    "'Hello world'",
    "'I loved the battery life but the screen is dim'",
    "'Lorem ipsum dolor sit amet'",
    "'the cat sat on the mat'",
    "'Shipping was fast and the product works'",
)
ERRORS = (
    ("KeyError", "'customer_id'"),
    ("ValueError", "Input contains NaN, infinity or a value too large for dtype('float64')."),
    ("RuntimeError", "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)"),
    ("TypeError", "unsupported operand type(s) for +: 'int' and 'str'"),
    ("IndexError", "index 128 is out of bounds for axis 0 with size 128"),
    ("ModuleNotFoundError", "No module named 'sklearn.externals.joblib'"),
    ("AttributeError", "'DataFrame' object has no attribute 'append'"),
    ("RuntimeError", "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"),
    ("pyarrow.lib.ArrowInvalid", "Could not convert '12,5' with type str: tried to convert to double"),
    ("sqlalchemy.exc.OperationalError", "(psycopg2.OperationalError) server closed the connection unexpectedly"),
)
PATHS = (
    "data/raw/events_2024-06.parquet",
    "notebooks/02_features.ipynb",
    "/mnt/data/train.csv",
    "models/xgb_v3.json",
    "s3://analytics-bucket/exports/daily/",
    "~/projects/churn/src/features.py",
    "C:\\Users\\analyst\\Downloads\\report.xlsx",
    "gs://ml-artifacts/checkpoints/epoch_12.pt",
    "./outputs/confusion_matrix.png",
)
DOC_URLS = (
    "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.merge.html",
    "https://scikit-learn.org/stable/modules/cross_validation.html",
    "https://pytorch.org/docs/stable/nn.html",
    "https://docs.python.org/3/library/asyncio.html",
    "https://huggingface.co/docs/transformers/main_classes/trainer",
    "https://xgboost.readthedocs.io/en/stable/parameter.html",
    "https://duckdb.org/docs/sql/functions/window_functions",
)


def pick(rng: random.Random, seq: tuple[str, ...], k: int = 1) -> list[str]:
    return rng.sample(seq, k)


@clean("verb_first_instruction", "instruction")
def verb_first_instruction(rng: random.Random) -> str:
    verb = rng.choice(VERBS)
    tails = (
        f"{rng.choice(PHRASES)} with the {rng.choice(MODELS)} tokenizer and count the tokens.",
        f"the columns {', '.join(pick(rng, COLUMNS, 3))} by {rng.choice(COLUMNS)}.",
        f"the results of the last {rng.randint(3, 20)} runs in a table with {rng.choice(METRICS)} and {rng.choice(METRICS)}.",
        f"this function so it works with {rng.choice(LIBRARIES)} {rng.randint(1, 3)}.{rng.randint(0, 12)}.",
        f"{rng.choice(PATHS)} and report rows with missing {rng.choice(COLUMNS)}.",
    )
    return f"{verb} {rng.choice(tails)}"


@clean("instruction_chain", "instruction")
def instruction_chain(rng: random.Random) -> str:
    verbs = pick(rng, VERBS, 3)
    return (
        f"{verbs[0]} the dataframe, then {verbs[1].lower()} it by {rng.choice(COLUMNS)}. {verbs[2]} the output "
        f"and show the {rng.choice(METRICS)} per fold. Use {rng.choice(LIBRARIES)} if possible."
    )


@clean("pandas_code", "code")
def pandas_code(rng: random.Random) -> str:
    a, b, c = pick(rng, COLUMNS, 3)
    return (
        f'import pandas as pd\n\ndf = pd.read_parquet("{rng.choice(PATHS)}")\n'
        f'df["{a}"] = pd.to_datetime(df["{a}"], errors="coerce")\n'
        f'out = df.groupby("{b}").agg({c}_mean=("{c}", "mean"), n=("{c}", "size"))\n'
        f'print(out.sort_values("n", ascending=False).head({rng.randint(5, 50)}))\n\n'
        f"Why is {c}_mean NaN for some groups?"
    )


@clean("sklearn_code", "code")
def sklearn_code(rng: random.Random) -> str:
    est = rng.choice(
        ("RandomForestClassifier", "GradientBoostingClassifier", "LogisticRegression", "HistGradientBoostingRegressor")
    )
    return (
        f"from sklearn.model_selection import train_test_split, cross_val_score\nfrom sklearn.ensemble import {est}\n\n"
        f"X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.{rng.randint(1, 3)}, random_state={rng.randint(0, 99)})\n"
        f"clf = {est}(n_estimators={rng.choice((100, 200, 500))}, max_depth={rng.randint(3, 12)})\n"
        f'scores = cross_val_score(clf, X_train, y_train, cv={rng.randint(3, 10)}, scoring="roc_auc")\n'
        f"print(scores.mean())\n\nIs this leaking the target through {rng.choice(COLUMNS)}?"
    )


@clean("torch_code", "code")
def torch_code(rng: random.Random) -> str:
    return (
        f"import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        f"        self.fc1 = nn.Linear({rng.choice((64, 128, 256))}, {rng.choice((32, 64))})\n        self.drop = nn.Dropout(0.{rng.randint(1, 5)})\n"
        f"        self.fc2 = nn.Linear({rng.choice((32, 64))}, {rng.randint(2, 10)})\n\n"
        f"    def forward(self, x):\n        return self.fc2(self.drop(torch.relu(self.fc1(x))))\n\n"
        f"optimizer = torch.optim.AdamW(model.parameters(), lr={rng.choice(('1e-3', '3e-4', '5e-5'))})\n"
        f"Training loss plateaus at {rng.uniform(0.2, 1.5):.3f} after epoch {rng.randint(2, 30)}. What should I try?"
    )


@clean("stack_trace", "trace")
def stack_trace(rng: random.Random) -> str:
    kind, message = rng.choice(ERRORS)
    frames = "".join(
        f'  File "{rng.choice(("/opt/conda/lib/python3.11/site-packages/pandas/core/frame.py", "src/train.py", "/usr/lib/python3.12/asyncio/base_events.py", "features/build.py"))}", '
        f"line {rng.randint(10, 4000)}, in {rng.choice(('__getitem__', 'fit', 'run_until_complete', 'transform', '_call_impl'))}\n"
        for _ in range(rng.randint(2, 5))
    )
    return f"Traceback (most recent call last):\n{frames}{kind}: {message}\n\nWhat does this mean and how do I fix it?"


@clean("sql_query", "sql")
def sql_query(rng: random.Random) -> str:
    a, b, c = pick(rng, COLUMNS, 3)
    return (
        f"SELECT {a}, COUNT(*) AS n, AVG({b}) AS avg_{b}\nFROM analytics.{rng.choice(('events', 'orders', 'sessions', 'subscriptions'))}\n"
        f"WHERE {c} >= DATE '2024-0{rng.randint(1, 9)}-01'\nGROUP BY {a}\nHAVING COUNT(*) > {rng.randint(5, 500)}\nORDER BY n DESC;\n\n"
        f"{rng.choice(('Optimise', 'Explain', 'Rewrite'))} this query for {rng.choice(('DuckDB', 'BigQuery', 'Snowflake', 'PostgreSQL 16'))}."
    )


@clean("column_list", "schema")
def column_list(rng: random.Random) -> str:
    cols = pick(rng, COLUMNS, rng.randint(5, 12))
    return f"My dataframe has columns: {', '.join(cols)}. Which ones should I drop before training a churn model?"


@clean("model_comparison", "instruction")
def model_comparison(rng: random.Random) -> str:
    m1, m2 = pick(rng, MODELS, 2)
    return (
        f"Compare {m1} and {m2} on our eval set: {rng.choice(METRICS)} {rng.uniform(0.5, 0.99):.3f} vs "
        f"{rng.uniform(0.5, 0.99):.3f}, latency p95 {rng.randint(80, 2000)} ms vs {rng.randint(80, 2000)} ms. "
        f"Which would you deploy, and is the difference significant at n={rng.randint(200, 20000)}?"
    )


@clean("hf_loading", "code")
def hf_loading(rng: random.Random) -> str:
    hf = rng.choice(HF_IDS)
    return (
        f"from transformers import AutoTokenizer, AutoModelForSequenceClassification\n\n"
        f'tok = AutoTokenizer.from_pretrained("{hf}")\nmodel = AutoModelForSequenceClassification.from_pretrained("{hf}", num_labels={rng.randint(2, 20)})\n'
        f'batch = tok(["great product", "terrible support"], padding=True, truncation=True, return_tensors="pt")\n'
        f"Why do I get a warning about newly initialized weights?"
    )


@clean("versions_env", "environment")
def versions_env(rng: random.Random) -> str:
    libs = pick(
        rng,
        ("numpy", "pandas", "scikit-learn", "torch", "transformers", "xgboost", "pyarrow", "scipy", "matplotlib"),
        4,
    )
    lines = "\n".join(f"{lib}=={rng.randint(0, 3)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}" for lib in libs)
    return f"pip freeze says:\n{lines}\npython 3.{rng.randint(9, 13)}.{rng.randint(0, 9)}\nAre these compatible? I get an ABI error on import."


@clean("metrics_report", "report")
def metrics_report(rng: random.Random) -> str:
    rows = "\n".join(
        f"{cls:<12}{rng.uniform(0.4, 1):.2f}      {rng.uniform(0.4, 1):.2f}      {rng.uniform(0.4, 1):.2f}      {rng.randint(50, 5000)}"
        for cls in ("class_0", "class_1", "class_2")[: rng.randint(2, 3)]
    )
    return (
        f"              precision    recall  f1-score   support\n{rows}\n\nThe run on {rng.randint(2023, 2025)}-0{rng.randint(1, 9)}-{rng.randint(10, 28)} "
        f"took {rng.randint(2, 90)} minutes. Explain why class_1 recall is low."
    )


@clean("docs_question", "instruction")
def docs_question(rng: random.Random) -> str:
    return (
        f"According to {rng.choice(DOC_URLS)} what is the difference between the two options? "
        f"I'm on {rng.choice(LIBRARIES)} {rng.randint(0, 3)}.{rng.randint(0, 20)}."
    )


@clean("plot_request", "instruction")
def plot_request(rng: random.Random) -> str:
    a, b = pick(rng, COLUMNS, 2)
    return (
        f"Plot {a} against {b} as a {rng.choice(('scatter plot', 'hexbin', 'line chart', 'box plot'))} with "
        f"{rng.choice(('matplotlib', 'seaborn', 'plotly', 'Altair'))}, log scale on the y axis, and save it to {rng.choice(PATHS)}."
    )


@clean("shell_session", "log")
def shell_session(rng: random.Random) -> str:
    return (
        f"$ python -m train --epochs {rng.randint(1, 50)} --batch-size {rng.choice((16, 32, 64))} --lr 3e-4\n"
        f"epoch 1/{rng.randint(5, 50)}  loss={rng.uniform(0.3, 2):.4f}  val_loss={rng.uniform(0.3, 2):.4f}\n"
        f"epoch 2  loss={rng.uniform(0.3, 2):.4f}  val_loss={rng.uniform(0.3, 2):.4f}\n"
        f"[W {rng.randint(10, 23)}:{rng.randint(10, 59)}:{rng.randint(10, 59)}] Warning: grad norm {rng.uniform(10, 900):.1f} exceeds clip value\n"
        "Is the learning rate too high?"
    )


@clean("json_config", "json")
def json_config(rng: random.Random) -> str:
    return (
        f'{{"model": "{rng.choice(MODELS)}", "temperature": {rng.uniform(0, 1):.1f}, "max_tokens": {rng.choice((256, 512, 1024))}, '
        f'"batch_size": {rng.choice((8, 16, 32))}, "features": ["{rng.choice(COLUMNS)}", "{rng.choice(COLUMNS)}"], '
        f'"seed": {rng.randint(0, 9999)}}}\nWhy does the job ignore max_tokens?'
    )


@clean("regex_help", "instruction")
def regex_help(rng: random.Random) -> str:
    return (
        f"Write a regex that matches ISO dates like 2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)} and version strings like "
        f"v{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}-rc{rng.randint(1, 4)}, and explain each group."
    )


@clean("spark_code", "code")
def spark_code(rng: random.Random) -> str:
    a, b = pick(rng, COLUMNS, 2)
    return (
        f'from pyspark.sql import functions as F\n\nagg = (spark.table("warehouse.{rng.choice(("events", "orders"))}")\n'
        f'       .filter(F.col("{a}").isNotNull())\n       .groupBy("{b}")\n       .agg(F.approx_count_distinct("{a}").alias("n")))\n'
        f'agg.write.mode("overwrite").parquet("{rng.choice(PATHS)}")\nThe job spills {rng.randint(2, 300)} GB to disk. How do I tune partitions?'
    )


@clean("numbered_steps", "instruction")
def numbered_steps(rng: random.Random) -> str:
    verbs = pick(rng, VERBS, rng.randint(3, 6))
    steps = "\n".join(
        f"{i + 1}. {verb} the {rng.choice(('data', 'features', 'labels', 'predictions', 'embeddings', 'outliers'))} "
        f"{rng.choice(('by ' + rng.choice(COLUMNS), 'with ' + rng.choice(LIBRARIES), 'per fold', 'for the test split'))}"
        for i, verb in enumerate(verbs)
    )
    return f"Write the code for these steps:\n{steps}"


@clean("title_case_columns", "schema")
def title_case_columns(rng: random.Random) -> str:
    cols = [c.replace("_", " ").title() for c in pick(rng, COLUMNS, rng.randint(4, 8))]
    return f"The Excel export has the headers {', '.join(cols)}. Rename them to snake_case and tell me which are dates."


@clean("k8s_yaml", "config")
def k8s_yaml(rng: random.Random) -> str:
    return (
        f"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: train-{rng.choice(('xgb', 'bert', 'prophet'))}-{rng.randint(1, 99)}\n"
        f"spec:\n  template:\n    spec:\n      containers:\n        - name: trainer\n          image: registry.example.com/ml/trainer:{rng.randint(1, 9)}.{rng.randint(0, 20)}\n"
        f"          resources:\n            limits:\n              nvidia.com/gpu: {rng.randint(1, 8)}\n              memory: {rng.choice((16, 32, 64))}Gi\n"
        f"      restartPolicy: Never\nThe pod is OOMKilled at step {rng.randint(100, 9000)}. What should I change?"
    )


@clean("short_questions", "question")
def short_questions(rng: random.Random) -> str:
    return rng.choice(
        (
            f"How do I compute a rolling {rng.randint(3, 30)}-day average in {rng.choice(('pandas', 'polars', 'DuckDB'))}?",
            f"What's the difference between {rng.choice(METRICS)} and {rng.choice(METRICS)}?",
            f"Is {rng.choice(MODELS)} better than {rng.choice(MODELS)} for summarisation?",
            f"Why is my {rng.choice(LIBRARIES)} install taking {rng.randint(2, 40)} minutes?",
            f"Can {rng.choice(LIBRARIES)} read {rng.choice(PATHS)} directly?",
            f"When should I use stratified k-fold instead of a time split for {rng.choice(COLUMNS)}?",
        )
    )


@clean("git_diff", "code")
def git_diff(rng: random.Random) -> str:
    a, b = pick(rng, COLUMNS, 2)
    return (
        f"diff --git a/src/features.py b/src/features.py\nindex {rng.getrandbits(28):07x}..{rng.getrandbits(28):07x} 100644\n"
        f"--- a/src/features.py\n+++ b/src/features.py\n@@ -{rng.randint(10, 200)},6 +{rng.randint(10, 200)},7 @@ def build(df):\n"
        f'-    df["{a}"] = df["{a}"].fillna(0)\n+    df["{a}"] = df["{a}"].fillna(df["{a}"].median())\n'
        f'+    df["{b}_log"] = np.log1p(df["{b}"])\n     return df\n\nReview this change.'
    )


@clean("notebook_json", "json")
def notebook_json(rng: random.Random) -> str:
    return (
        f'{{"cells": [{{"cell_type": "code", "execution_count": {rng.randint(1, 60)}, "id": "{rng.getrandbits(32):08x}", '
        f'"metadata": {{}}, "outputs": [], "source": ["import {rng.choice(("pandas as pd", "numpy as np", "torch"))}\\n", '
        f'"df = load(\\"{rng.choice(PATHS)}\\")"]}}], "metadata": {{"kernelspec": {{"name": "python3"}}}}, "nbformat": 4, '
        f'"nbformat_minor": 5}}\nWhy won\'t this notebook open?'
    )


@clean("markdown_headings", "document")
def markdown_headings(rng: random.Random) -> str:
    sections = pick(
        rng,
        (
            "Data Sources",
            "Feature Engineering",
            "Target Encoding",
            "Model Selection",
            "Error Analysis",
            "Next Steps",
            "Open Questions",
            "Hyperparameter Search",
            "Data Quality",
            "Deployment Plan",
        ),
        4,
    )
    body = "\n\n".join(
        f"## {s}\n{rng.choice(('TBD.', 'See the appendix.', 'Done in sprint ' + str(rng.randint(1, 20)) + '.', 'Needs review by the platform team.'))}"
        for s in sections
    )
    return f"# {rng.choice(('Churn Model', 'Demand Forecast', 'Fraud Scoring'))} v{rng.randint(1, 5)}\n\n{body}\n\nTighten the wording of this design doc."
