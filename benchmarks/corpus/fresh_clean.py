"""PII-free shapes for the fresh held-out corpus, written apart from clean_templates.py.

No names of people or places, no eponyms (methods named after people), no e-mail addresses, IP addresses,
phone-like or card-like digit runs: nothing here should be labelled.
"""
# ruff: noqa: E501  (template lines are kept whole so each reads as the text it produces)

from __future__ import annotations

import random
from collections.abc import Callable

CleanTemplate = Callable[[random.Random], str]
CLEAN: list[tuple[str, str, CleanTemplate]] = []  # (name, kind, template)


def clean(name: str, kind: str) -> Callable[[CleanTemplate], CleanTemplate]:
    def register(fn: CleanTemplate) -> CleanTemplate:
        CLEAN.append((name, kind, fn))
        return fn

    return register


TOOLS = (
    "Ray",
    "Dask",
    "Polars",
    "Prophet",
    "DuckDB",
    "PyArrow",
    "Airflow",
    "Dagster",
    "Prefect",
    "Kedro",
    "MLflow",
    "Optuna",
    "Hydra",
    "Streamlit",
    "Gradio",
    "FastAPI",
    "Pydantic",
    "Celery",
    "Redis",
    "Postgres",
    "ClickHouse",
    "Spark",
    "Trino",
    "dbt",
    "Snowflake",
    "BigQuery",
    "LightGBM",
    "XGBoost",
    "CatBoost",
    "PyTorch",
    "TensorFlow",
    "JAX",
    "Flax",
    "Keras",
    "scikit-learn",
    "statsmodels",
    "SciPy",
    "NumPy",
    "Matplotlib",
    "Plotly",
    "Bokeh",
    "Transformers",
    "Diffusers",
    "PEFT",
    "vLLM",
    "Ollama",
    "LangChain",
    "LlamaIndex",
    "Haystack",
    "Faiss",
    "Chroma",
    "Weaviate",
    "Qdrant",
    "Milvus",
    "Evidently",
    "Pandera",
    "Great Expectations",
    "Feast",
    "DVC",
    "ZenML",
    "Metaflow",
    "Kubeflow",
    "BentoML",
    "Ray Tune",
    "Ray Serve",
    "DeepSpeed",
    "ONNX Runtime",
    "TensorRT",
    "Numba",
    "sktime",
    "Darts",
    "NeuralProphet",
    "PyMC",
    "Ibis",
    "Modin",
    "cuDF",
    "Hypothesis",
    "Ruff",
    "Poetry",
    "Mamba",
    "Docker",
    "Kubernetes",
    "Terraform",
    "JupyterLab",
)
MODELS = (
    "Llama-3.1-8B-Instruct",
    "Mistral-7B-Instruct-v0.3",
    "Qwen2.5-14B",
    "Phi-3.5-mini",
    "Falcon-7B",
    "GPT-4o",
    "gpt-4.1-mini",
    "o3-mini",
    "DeepSeek-R1",
    "Mixtral-8x22B",
    "StarCoder2-15B",
    "CodeLlama-34B",
    "Stable Diffusion XL",
    "CLIP ViT-L/14",
    "DINOv2",
    "YOLOv8n",
    "ResNet-152",
    "EfficientNet-B0",
    "ConvNeXt-T",
    "DistilBERT",
    "DeBERTa-v3-base",
    "ELECTRA-small",
    "Flan-T5-large",
    "Whisper-medium",
    "BGE-M3",
    "E5-large-v2",
)
COLUMNS = (
    "account_age_days",
    "basket_size",
    "conversion_flag",
    "dwell_time_ms",
    "first_purchase_ts",
    "gross_margin",
    "impressions",
    "is_weekend",
    "item_count",
    "latency_p95_ms",
    "model_version",
    "net_revenue",
    "num_returns",
    "page_views",
    "price_bucket",
    "refund_amount",
    "retention_d30",
    "sku_category",
    "sentiment_score",
    "shipping_days",
    "token_count",
    "traffic_source",
    "unit_price",
    "weekday",
    "y_true",
    "y_pred",
    "cluster_id",
    "embedding_norm",
    "text_len",
    "split",
)
TABLES = ("stg_orders", "fct_sessions", "dim_products", "int_events", "fct_refunds", "stg_page_views", "dim_campaigns")
FILES = (
    "data/raw/clicks.parquet",
    "data/interim/sessions_v2.parquet",
    "features/train.feather",
    "exports/weekly_kpis.csv",
    "artifacts/model.onnx",
    "s3://lake/curated/orders/",
    "gs://bucket-ml/eval/preds.jsonl",
)
PROJECT_WORDS = ("featurize", "evalkit", "lakeload", "tabcheck", "promptlab", "churnctl", "dedupe-cli", "vectorsync")
VERBS = (
    "Tokenize",
    "Plot",
    "Merge",
    "Deduplicate",
    "Impute",
    "Resample",
    "Backfill",
    "Bucketize",
    "Stratify",
    "Calibrate",
    "Quantize",
    "Distill",
    "Profile",
    "Cache",
    "Snapshot",
    "Vectorize",
    "Embed",
    "Rerank",
    "Chunk",
    "Ablate",
    "Pin",
    "Upgrade",
    "Archive",
    "Benchmark",
    "Refactor",
    "Document",
    "Normalise",
    "Standardize",
    "Shard",
)
OBJECTS = (
    "the review text",
    "the weekly cohort table",
    "the label column",
    "every feature with more than 5% missing values",
    "the evaluation set",
    "the embeddings before indexing",
    "the retrieval results",
    "the daily partitions",
    "the notebook outputs",
    "the training config",
    "the outlier rows",
    "the confusion matrix",
    "the learning-rate schedule",
    "the tokenizer vocabulary",
    "the holdout predictions",
)


def hexsha(rng: random.Random, n: int = 7) -> str:
    """A short commit id with at least one letter, so it never reads as a number."""
    while True:
        sha = "".join(rng.choice("0123456789abcdef") for _ in range(n))
        if any(c.isalpha() for c in sha) and not sha[0].isdigit():
            return sha


def cols(rng: random.Random, k: int) -> list[str]:
    return rng.sample(COLUMNS, k)


@clean("r_tidyverse", "code")
def r_tidyverse(rng: random.Random) -> str:
    a, b, c = cols(rng, 3)
    fn = rng.choice(("mean", "median", "sd", "max"))
    geom = rng.choice(("geom_col()", "geom_point(alpha = 0.4)", "geom_boxplot()", "geom_line()"))
    question = rng.choice(
        (
            "Why does summarise() print a message about regrouping the output?",
            "How do I keep the rows where the group has fewer than 30 observations?",
            "Translate this to pandas.",
            "The plot comes out empty, what's wrong?",
        )
    )
    return (
        f'library(dplyr)\nlibrary(ggplot2)\n\ndf <- readr::read_csv("{rng.choice(FILES[:4])}")\n'
        f"summary_tbl <- df |>\n  filter(!is.na({a})) |>\n  group_by({b}) |>\n"
        f"  summarise(stat = {fn}({c}, na.rm = TRUE), n = n()) |>\n  arrange(desc(stat))\n\n"
        f"ggplot(summary_tbl, aes(x = {b}, y = stat)) +\n  {geom} +\n  theme_minimal()\n\n{question}"
    )


@clean("typescript_fetch", "code")
def typescript_fetch(rng: random.Random) -> str:
    a, b = cols(rng, 2)
    window = rng.choice(("7d", "28d", "90d", "1d"))
    return (
        f"type Row = {{ {a}: number; {b}: string }};\n\n"
        "async function loadRows(url: string): Promise<Row[]> {\n"
        "  const res = await fetch(url);\n"
        "  if (!res.ok) throw new Error(`HTTP ${res.status}`);\n"
        "  return (await res.json()) as Row[];\n}\n\n"
        f'const rows = await loadRows("/api/metrics?window={window}");\n'
        f"const byKey = Object.groupBy(rows, (r) => r.{b});\n"
        f"console.table(Object.entries(byKey).map(([k, v]) => ({{ k, n: v?.length ?? 0 }})));\n\n"
        + rng.choice(
            (
                "TypeScript says Property 'groupBy' does not exist on type 'ObjectConstructor'. Which lib setting do I need?",
                "Rewrite this with a plain reduce so it runs on older runtimes.",
                "Add a retry with exponential backoff to loadRows.",
            )
        )
    )


@clean("rust_or_go", "code")
def rust_or_go(rng: random.Random) -> str:
    a = rng.choice(COLUMNS)
    if rng.random() < 0.5:
        return (
            "use std::error::Error;\n\n"
            f"fn mean_{a}(path: &str) -> Result<f64, Box<dyn Error>> {{\n"
            "    let mut rdr = csv::Reader::from_path(path)?;\n"
            "    let mut total = 0.0;\n    let mut n = 0usize;\n"
            "    for rec in rdr.records() {\n"
            f"        let v: f64 = rec?[{rng.randint(1, 6)}].parse()?;\n"
            "        total += v;\n        n += 1;\n    }\n"
            "    Ok(total / n as f64)\n}\n\n"
            + rng.choice(
                (
                    "error[E0277]: the `?` operator can only be used in a function that returns `Result`\nWhat does this mean here?",
                    "How would I do this with the polars crate instead?",
                    "This returns NaN for an empty file. Return an error instead.",
                )
            )
        )
    return (
        'package main\n\nimport (\n\t"encoding/csv"\n\t"fmt"\n\t"os"\n\t"strconv"\n)\n\n'
        "func main() {\n"
        f'\tf, err := os.Open("{rng.choice(FILES[:4]).replace(".parquet", ".csv")}")\n'
        "\tif err != nil {\n\t\tpanic(err)\n\t}\n\tdefer f.Close()\n"
        "\trows, _ := csv.NewReader(f).ReadAll()\n\tsum := 0.0\n"
        "\tfor _, r := range rows[1:] {\n"
        f"\t\tv, _ := strconv.ParseFloat(r[{rng.randint(1, 6)}], 64)\n\t\tsum += v\n\t}}\n"
        f'\tfmt.Printf("mean {a}: %.3f\\n", sum/float64(len(rows)-1))\n}}\n\n'
        + rng.choice(
            (
                "Why do I silently get zeros for bad rows?",
                "Stream the file instead of ReadAll.",
                "Add a flag for the column index.",
            )
        )
    )


@clean("polars_duckdb", "code")
def polars_duckdb(rng: random.Random) -> str:
    a, b, c = cols(rng, 3)
    if rng.random() < 0.5:
        return (
            "import polars as pl\n\n"
            f'lf = pl.scan_parquet("{rng.choice(FILES[:3])}")\n'
            f'out = (\n    lf.filter(pl.col("{a}") > {rng.randint(0, 50)})\n'
            f'    .group_by("{b}")\n    .agg(pl.col("{c}").{rng.choice(("mean", "median", "std", "sum"))}().alias("{c}_agg"), pl.len())\n'
            f'    .sort("{c}_agg", descending=True)\n    .collect()\n)\n\n'
            + rng.choice(
                (
                    "Polars raises ColumnNotFoundError although the column is in the file. Why?",
                    "Is the lazy plan pushing the filter down into the scan? How do I check?",
                    "Convert this to Dask for comparison.",
                )
            )
        )
    return (
        "import duckdb\n\n"
        f'rel = duckdb.sql("""\n    SELECT {b}, avg({c}) AS avg_{c}, count(*) AS n\n'
        f"    FROM read_parquet('{rng.choice(FILES[:3])}')\n    WHERE {a} IS NOT NULL\n"
        f'    GROUP BY ALL\n    ORDER BY avg_{c} DESC\n""")\ndf = rel.df()\n\n'
        + rng.choice(
            (
                "Is DuckDB faster than Polars for this?",
                "How do I write the result back as partitioned parquet?",
                "Explain GROUP BY ALL.",
            )
        )
    )


PKG_FRAMES = (
    (
        "pyarrow/table.pxi",
        "pyarrow.lib.Table.from_pandas",
        "pyarrow.lib.ArrowTypeError: ('Expected bytes, got a \\'float\\' object', 'Conversion failed for column {c} with type object')",
    ),
    ("pandas/core/indexes/base.py", "get_loc", "KeyError: '{c}'"),
    ("sklearn/utils/validation.py", "check_array", "ValueError: Input X contains NaN."),
    (
        "torch/nn/modules/module.py",
        "_call_impl",
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (32x{n} and {m}x64)",
    ),
    ("polars/lazyframe/frame.py", "collect", "polars.exceptions.ColumnNotFoundError: {c}"),
)


@clean("chained_traceback", "trace")
def chained_traceback(rng: random.Random) -> str:
    c = rng.choice(COLUMNS)
    first, second = rng.sample(PKG_FRAMES, 2)
    n, m = rng.randint(100, 900), rng.randint(100, 900)
    fmt = {"c": c, "n": n, "m": m}
    mod = rng.choice(("features", "pipeline", "train", "etl"))
    return (
        "Traceback (most recent call last):\n"
        f'  File "/opt/conda/lib/python3.11/site-packages/{first[0]}", line {rng.randint(40, 4000)}, in {first[1]}\n'
        f"{first[2].format(**fmt)}\n\n"
        "During handling of the above exception, another exception occurred:\n\n"
        "Traceback (most recent call last):\n"
        f'  File "/home/jovyan/work/src/{mod}.py", line {rng.randint(10, 300)}, in build_{rng.choice(("features", "dataset", "batches"))}\n'
        f"    out = step(df[{c!r}])\n"
        f'  File "/opt/conda/lib/python3.11/site-packages/{second[0]}", line {rng.randint(40, 4000)}, in {second[1]}\n'
        f"{second[2].format(**fmt)}\n\n"
        + rng.choice(
            ("Which of the two errors is the real cause?", "Explain this traceback.", "How do I fix the second error?")
        )
    )


@clean("sql_cte_window", "sql")
def sql_cte_window(rng: random.Random) -> str:
    a, b, c = cols(rng, 3)
    grain = rng.choice(("week", "month", "day"))
    return (
        f"with base as (\n    select {a}, {b}, {c}, date_trunc('{grain}', created_at) as period\n"
        f"    from {{{{ ref('{rng.choice(TABLES)}') }}}}\n    where created_at >= '2024-0{rng.randint(1, 9)}-01'\n),\n"
        f"ranked as (\n    select *, row_number() over (partition by {a} order by period desc) as rn\n    from base\n)\n"
        f"select period, count(*) as n, avg({c}) as avg_{c}\nfrom ranked\nwhere rn = 1\ngroup by 1\norder by 1;\n\n"
        + rng.choice(
            (
                "Why do I get fewer rows than expected after the rn = 1 filter?",
                "Make this incremental in dbt.",
                "Rewrite with QUALIFY.",
                "Explain what the window function does.",
            )
        )
    )


DTYPES = ("int64", "float64", "object", "bool", "datetime64[ns]", "category")


@clean("dataframe_info", "schema")
def dataframe_info(rng: random.Random) -> str:
    names = cols(rng, rng.randint(4, 8))
    if rng.random() < 0.3:
        listed = ", ".join(repr(x) for x in names)
        return f">>> df.columns\nIndex([{listed}],\n      dtype='object')\n\n" + rng.choice(
            (
                "Which of these columns leak the target?",
                "Rename these to Title Case for the report.",
                "Group these columns by type.",
            )
        )
    rows = rng.randint(1000, 99999)
    width = max(len(x) for x in names) + 2
    lines = [
        "<class 'pandas.core.frame.DataFrame'>",
        f"RangeIndex: {rows} entries, 0 to {rows - 1}",
        f"Data columns (total {len(names)} columns):",
        f" #   {'Column'.ljust(width)}Non-Null Count  Dtype",
        f"---  {'------'.ljust(width)}--------------  -----",
    ]
    counts: dict[str, int] = {}
    for i, name in enumerate(names):
        dt = rng.choice(DTYPES)
        counts[dt] = counts.get(dt, 0) + 1
        nn = rows - rng.choice((0, 0, rng.randint(1, rows // 3)))
        lines.append(f" {i:<3} {name.ljust(width)}{f'{nn} non-null'.ljust(16)}{dt}")
    lines.append("dtypes: " + ", ".join(f"{k}({v})" for k, v in sorted(counts.items())))
    lines.append(f"memory usage: {rng.uniform(0.2, 90):.1f}+ MB")
    ask = rng.choice(
        (
            "Which columns should I cast to reduce memory?",
            "Which of these columns have missing values and how would you impute them?",
            "Suggest a validation schema for this frame.",
        )
    )
    return "\n".join(lines) + "\n\n" + ask


SECTIONS = (
    "Executive Summary",
    "Problem Statement",
    "Data Sources And Quality",
    "Feature Engineering",
    "Model Selection",
    "Evaluation Results",
    "Error Analysis",
    "Risks And Mitigations",
    "Deployment Plan",
    "Monitoring And Alerting",
    "Open Questions",
    "Next Steps",
    "Appendix: Hyperparameter Search",
)
TITLES = (
    "Quarterly Model Review",
    "Churn Forecast Post-Mortem",
    "Search Relevance Experiment",
    "Demand Planning Refresh",
    "Retrieval Quality Audit",
    "Pricing Elasticity Study",
)


@clean("title_case_outline", "document")
def title_case_outline(rng: random.Random) -> str:
    picked = sorted(rng.sample(range(len(SECTIONS)), rng.randint(4, 7)))
    lines = [f"# {rng.choice(TITLES)}", ""]
    for i in picked:
        lines += [f"## {SECTIONS[i]}", rng.choice(("TODO", "- draft", "(see notebook 03)", "")), ""]
    ask = rng.choice(
        (
            f"Write the {SECTIONS[picked[0]]} section in four sentences.",
            "Suggest two more sections for this outline.",
            "Turn this outline into slide titles.",
        )
    )
    return "\n".join(lines).rstrip() + "\n\n" + ask


@clean("task_checklist", "instruction")
def task_checklist(rng: random.Random) -> str:
    items = []
    for verb in rng.sample(VERBS, rng.randint(3, 6)):
        tail = rng.choice(
            (
                f"{rng.choice(OBJECTS)} with {rng.choice(TOOLS)}",
                f"{rng.choice(OBJECTS)} before the {rng.choice(('Monday', 'Friday'))} sync",
                f"{rng.choice(OBJECTS)} by {rng.choice(COLUMNS)}",
                f"{rng.choice(OBJECTS)} for {rng.choice(MODELS)}",
                rng.choice(OBJECTS),
            )
        )
        items.append(f"{verb} {tail}.")
    if rng.random() < 0.4:
        return " ".join(items)
    boxes = [f"- [{rng.choice((' ', ' ', 'x'))}] {item[:-1]}" for item in items]
    head = rng.choice(
        ("Prioritise this list for a two-day sprint:", "Estimate each task in hours:", "Group these tasks into themes:")
    )
    return head + "\n\n" + "\n".join(boxes)


@clean("training_output", "output")
def training_output(rng: random.Random) -> str:
    epochs = rng.randint(3, 6)
    steps = rng.randint(100, 900)
    lines = []
    loss, acc = rng.uniform(0.6, 1.2), rng.uniform(0.5, 0.7)
    for e in range(1, epochs + 1):
        loss *= rng.uniform(0.7, 0.95)
        acc = min(0.99, acc + rng.uniform(0.01, 0.08))
        lines.append(f"Epoch {e}/{epochs}")
        lines.append(
            f"{steps}/{steps} ━━━━━━━━━━━━━━━━━━━━ {rng.randint(8, 60)}s {rng.randint(10, 90)}ms/step - accuracy: {acc:.4f} - loss: {loss:.4f} - val_accuracy: {acc - rng.uniform(0, 0.05):.4f} - val_loss: {loss + rng.uniform(0, 0.1):.4f}"
        )
    warn = rng.choice(
        (
            "/opt/conda/lib/python3.11/site-packages/torch/utils/data/dataloader.py:617: UserWarning: This DataLoader will create 8 worker processes in total. Our suggested max number of worker in current system is 4.",
            "FutureWarning: DataFrameGroupBy.apply operated on the grouping columns. This behavior is deprecated.",
            "UserWarning: X does not have valid feature names, but the estimator was fitted with feature names",
        )
    )
    bar = f"100%|██████████| {steps}/{steps} [00:{rng.randint(10, 59)}<00:00, {rng.uniform(2, 40):.2f}it/s]"
    ask = rng.choice(
        (
            "Is this model overfitting?",
            "Why is validation loss higher than training loss from the first epoch?",
            "Should I stop earlier?",
        )
    )
    return "\n".join([*lines, bar, warn]) + "\n\n" + ask


@clean("config_file", "config")
def config_file(rng: random.Random) -> str:
    kind = rng.randint(0, 2)
    if kind == 0:
        return (
            f'[project]\nname = "{rng.choice(PROJECT_WORDS)}"\nversion = "0.{rng.randint(1, 20)}.{rng.randint(0, 9)}"\nrequires-python = ">=3.10"\n'
            f'dependencies = [\n    "polars>=1.{rng.randint(0, 9)}",\n    "duckdb>=1.{rng.randint(0, 2)}",\n    "{rng.choice(("lightgbm", "xgboost", "catboost"))}>={rng.randint(1, 4)}.0",\n]\n\n'
            f'[tool.ruff]\nline-length = {rng.choice((88, 100, 120))}\n\n[tool.pytest.ini_options]\naddopts = "-q --strict-markers"\n\n'
            + rng.choice(
                (
                    "Why does pip resolve an older duckdb?",
                    "Add an optional dependency group for plotting.",
                    "Convert this to a requirements.txt.",
                )
            )
        )
    if kind == 1:
        return (
            "defaults:\n  - model: "
            + rng.choice(("lgbm", "mlp", "linear"))
            + "\n  - data: "
            + rng.choice(("daily", "hourly"))
            + "\n  - _self_\n\n"
            f"trainer:\n  max_epochs: {rng.randint(5, 100)}\n  precision: {rng.choice(('bf16-mixed', '16-mixed', '32'))}\n  accumulate_grad_batches: {rng.choice((1, 2, 4, 8))}\n"
            f"optimizer:\n  lr: {rng.choice(('3e-4', '1e-3', '5e-5'))}\n  weight_decay: {rng.choice(('0.01', '0.0', '0.1'))}\n"
            f"seed: {rng.randint(0, 9999)}\n\n"
            + rng.choice(
                (
                    "How do I override the learning rate from the command line with Hydra?",
                    "What does _self_ do in the defaults list?",
                    "Run a sweep over lr and weight_decay.",
                )
            )
        )
    return (
        "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
        f"    rev: v0.{rng.randint(3, 9)}.{rng.randint(0, 9)}\n    hooks:\n      - id: ruff\n        args: [--fix]\n      - id: ruff-format\n"
        "  - repo: https://github.com/pre-commit/pre-commit-hooks\n"
        f"    rev: v{rng.randint(4, 5)}.{rng.randint(0, 6)}.0\n    hooks:\n      - id: check-added-large-files\n        args: [--maxkb={rng.choice((500, 1000, 2048))}]\n      - id: end-of-file-fixer\n\n"
        + rng.choice(
            (
                "The ruff hook changes files on every commit, why?",
                "Add a hook that strips notebook outputs.",
                "Explain each hook.",
            )
        )
    )


@clean("cli_help", "cli")
def cli_help(rng: random.Random) -> str:
    tool = rng.choice(PROJECT_WORDS)
    subs = rng.sample(("build", "validate", "push", "diff", "serve", "export", "prune"), 3)
    desc = {
        "build": "Compute features and write them to the offline store.",
        "validate": "Check the tables against the schema and the row-count bounds.",
        "push": "Upload the latest snapshot to the registry.",
        "diff": "Show what changed between two snapshots.",
        "serve": "Start the local preview server.",
        "export": "Write a table to CSV or Parquet.",
        "prune": "Delete snapshots older than the retention window.",
    }
    lines = [
        f"usage: {tool} [-h] [--input PATH] [--window DAYS] [--dry-run] {{{','.join(subs)}}} ...",
        "",
        rng.choice(
            (
                "Build and check the feature tables.",
                "Manage evaluation snapshots.",
                "Load curated tables into the warehouse.",
            )
        ),
        "",
        "positional arguments:",
        f"  {{{','.join(subs)}}}",
    ]
    lines += [f"    {s:<10}  {desc[s]}" for s in subs]
    lines += [
        "",
        "options:",
        "  -h, --help        show this help message and exit",
        f"  --input PATH      Parquet file or folder to read (default: {rng.choice(FILES[:3])})",
        f"  --window DAYS     Rolling window in days (default: {rng.choice((7, 14, 28, 90))})",
        "  --dry-run         Print the plan without writing anything",
    ]
    return (
        "\n".join(lines)
        + "\n\n"
        + rng.choice(
            (
                "Write a README section from this help text.",
                "Add a --verbose flag in the same style.",
                "Port this CLI from argparse to Typer.",
            )
        )
    )


CHANGES = {
    "Added": (
        "`Dataset.sample()` accepts `stratify=`",
        "Support for reading partitioned Parquet folders",
        "A `--dry-run` flag for every command",
        "Progress bars for long-running exports",
        "Optional GPU inference through ONNX Runtime",
    ),
    "Changed": (
        "The default window is now 28 days",
        "Minimum supported version of Polars is 1.0",
        "Log messages are structured JSON",
        "Snapshots are compressed with zstd",
    ),
    "Fixed": (
        "Parquet files with empty row groups no longer crash the reader",
        "Timezone-naive timestamps are no longer shifted on export",
        "The validator reported the wrong column in range errors",
        "Memory leak when iterating over large batches",
    ),
    "Deprecated": ('`load_legacy()`; use `load()` with `format="v1"`', "The `--fast` flag, which had no effect"),
}


@clean("release_notes", "changelog")
def release_notes(rng: random.Random) -> str:
    major, minor = rng.randint(0, 3), rng.randint(0, 20)
    lines = [f"## [{major}.{minor}.0] - 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
    for section in rng.sample(sorted(CHANGES), rng.randint(2, 4)):
        lines += ["", f"### {section}"]
        lines += [f"- {x}." for x in rng.sample(CHANGES[section], rng.randint(1, min(3, len(CHANGES[section]))))]
    ask = rng.choice(
        (
            "Write a short announcement from these release notes.",
            "Is this a breaking release under semantic versioning?",
            "Translate these notes into plain language for users.",
        )
    )
    return "\n".join(lines) + "\n\n" + ask


COMMITS = (
    "feat(features): add rolling 28-day spend",
    "fix(loader): handle empty row groups",
    "refactor: split train.py into data and model modules",
    "chore(deps): bump polars to 1.9",
    "docs: explain the evaluation protocol",
    "test: cover the null-handling branch",
    "perf: cache tokenizer outputs between epochs",
    "fix(eval): use the holdout split for calibration",
    "feat(cli): add --dry-run to push",
    "ci: run notebooks in the test matrix",
    "revert: drop experimental quantization path",
    "style: apply ruff format",
)


@clean("commit_log", "vcs")
def commit_log(rng: random.Random) -> str:
    picked = rng.sample(COMMITS, rng.randint(4, 8))
    lines = [f"{hexsha(rng)} {msg}" for msg in picked]
    ask = rng.choice(
        (
            "Write release notes from these commits.",
            "Which of these commits could change model results?",
            "Squash these into three logical commits.",
        )
    )
    return "$ git log --oneline -n " + str(len(lines)) + "\n" + "\n".join(lines) + "\n\n" + ask


EXPLANATIONS = (
    "The standard error of the mean is s / sqrt(n), so quadrupling the sample size halves it. A 95% confidence interval is roughly the estimate plus or minus 1.96 standard errors when the sampling distribution is close to normal.",
    "Regularisation adds a penalty to the loss: an L1 penalty pushes some coefficients to exactly zero, while an L2 penalty shrinks all of them towards zero. Both trade a little bias for lower variance.",
    "Cross-entropy loss for a binary label is -[y log p + (1 - y) log(1 - p)]. It punishes confident wrong predictions much more than uncertain ones, which is why it pairs well with a sigmoid output.",
    "For an A/B test on conversion rates, the difference in proportions divided by its pooled standard error gives a z statistic. With many simultaneous tests the false discovery rate should be controlled.",
    "The bootstrap resamples the observed data with replacement many times and recomputes the statistic on each resample. The spread of those estimates approximates the sampling distribution without a closed form.",
    "Maximum likelihood picks the parameters under which the observed data are most probable. For a normal model with known variance this gives the sample mean as the estimate of the mean.",
    "The central limit theorem says the mean of many independent draws with finite variance is approximately normal, whatever the shape of the original distribution.",
    "Principal component analysis rotates the data onto orthogonal directions of decreasing variance; keeping the first k components gives the best rank-k approximation in squared error.",
    "Heteroscedasticity means the variance of the residuals changes with the fitted values. Coefficient estimates stay unbiased, but the usual standard errors are wrong; robust standard errors fix that.",
    "The p-value is the probability, under the null hypothesis, of a result at least as extreme as the one observed. It is not the probability that the null hypothesis is true.",
)


@clean("stats_explanation", "explanation")
def stats_explanation(rng: random.Random) -> str:
    first, second = rng.sample(EXPLANATIONS, 2)
    ask = rng.choice(
        (
            "Is this explanation correct? Rewrite it for a non-technical audience:\n\n",
            "Check the maths in these two paragraphs:\n\n",
            "Turn these notes into two quiz questions with answers:\n\n",
        )
    )
    n = rng.choice((25, 50, 100, 200, 400, 800, 1600))
    sd = rng.randint(2, 40)
    example = rng.choice(
        (
            f"Example: with a standard deviation of {sd} and n = {n}, the standard error is {sd / n**0.5:.2f}.",
            f"Example: a conversion rate of {rng.randint(2, 30)}% on {n} visitors.",
            f"Example: {n} resamples of a sample of size {rng.randint(20, 300)}.",
            "",
        )
    )
    return ask + first + "\n\n" + second + ("\n\n" + example if example else "")


PHRASES = (
    "Feature Store",
    "Retrieval Augmented Generation",
    "Mixed Precision Training",
    "Model Registry",
    "Data Contracts",
    "Semantic Layer",
    "Vector Database",
    "Online Inference",
    "Batch Scoring",
    "Time Series Forecasting",
    "Active Learning",
    "Prompt Engineering",
    "Continuous Training",
    "Data Lakehouse",
    "Change Data Capture",
    "Reinforcement Learning From Human Feedback",
    "Gradient Boosted Trees",
    "Large Language Models",
)


@clean("tech_stack_prose", "prose")
def tech_stack_prose(rng: random.Random) -> str:
    p = rng.sample(PHRASES, 4)
    t = rng.sample(TOOLS, 6)
    return (
        f"Our {p[0]} runs on {t[0]} and {t[1]}; for {p[1]} we use {t[2]} with {t[3]} for preprocessing. "
        f"{p[2]} moved to {t[4]} last quarter, and {p[3]} is still a prototype on {t[5]}. "
        + rng.choice(
            (
                "Which of these would you replace first, and why?",
                "Draw this stack as a layered diagram in Mermaid.",
                "What are the main operational risks of this setup?",
                f"Compare {t[0]} and {t[4]} for this workload.",
            )
        )
    )
