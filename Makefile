# Self-documenting: `make` or `make help` lists every target (the `## ` line above each).
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
INPUT  ?= data/raw
OUTPUT ?= data/processed
WORK   ?= data/interim
SHARED ?= ../shared
# Accuracy floors for eval-check: a point or two under the development figures reached (README "Accuracy"), so
# noise passes and a real regression fails; the GVA floors never go under 85 / 80 / 75 / 85.
FLOOR_TIMEBANK ?= 83
FLOOR_AQUAINT  ?= 76.5
FLOOR_GVA      ?= --min-killed 85.2 --min-killed-nonzero 80 --min-injured 75.7 --min-date 85.5
FLOOR_NEWS     ?= --min-casualty-f1 0.85 --min-event-date 0.81 --min-dateline 0.9 --min-timex-f1 0.96
# Exit code 1 means "finished, with rejects": outputs are written, the rejects table says why. Every failure has a
# code of its own (README "Exit codes"), so 0 and 1 are the only successes.
ALLOW_REJECTS = || [ $$? -eq 1 ]

.DEFAULT_GOAL := help
.PHONY: help setup run test ingest temporal extract validate export timeline docs eval eval-check bench bench-temporal clean

## help: list every target
help:
	@awk 'BEGIN {FS = ": "} /^## / {sub(/^## /, ""); split($$0, a, ": "); printf "  %-16s %s\n", a[1], substr($$0, length(a[1]) + 3)}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

## setup: create .venv (when missing) and install the pinned dependencies of requirements.lock
setup: $(STAMP)

## run: run every stage on data/raw/ into data/processed/ (INPUT=..., OUTPUT=... to change)
run: setup
	$(PY) -m pipeline run --input $(INPUT) --output $(OUTPUT) $(ALLOW_REJECTS)

## test: set up and run the test suite
test: setup
	$(PY) -m pytest -q

## ingest: stage 1, read raw articles into data/interim/
ingest: setup
	$(PY) -m pipeline ingest --input $(INPUT) --work $(WORK)

## temporal: stage 2, normalise temporal expressions (reads data/interim/)
temporal: setup
	$(PY) -m pipeline temporal --work $(WORK)

## extract: stage 3, extract dated events and casualty figures (reads data/interim/)
extract: setup
	$(PY) -m pipeline extract --work $(WORK)

## validate: stage 4, run the Great Expectations suites of schemas/ and quarantine failing rows
validate: setup
	$(PY) -m pipeline validate --work $(WORK)

## export: stage 5, write Parquet, CSV and manifest.json into data/processed/
export: setup
	$(PY) -m pipeline export --work $(WORK) --output $(OUTPUT) $(ALLOW_REJECTS)

## timeline: draw data/processed/timeline.png (events over time by place, coloured by type, sized by casualties)
timeline: setup
	$(PY) -m pipeline timeline --output $(OUTPUT)

## docs: regenerate docs/data-dictionary.md (from schemas/) and docs/settings.md (from the settings table)
docs: setup
	$(PY) -m pipeline.datadict
	$(PY) -m pipeline.settings

## eval: accuracy on the shared annotated corpora (TimeML temporal, casualty figures, real scraped news)
eval: setup
	$(PY) -m pipeline eval timeml $(SHARED)/corpora/timeml/timebank $(SHARED)/corpora/timeml/aquaint
	$(PY) -m pipeline eval casualties $(SHARED)/corpora/casualties/gva_dev.jsonl
	$(PY) -m pipeline eval news $(SHARED)/corpora/news_dev

## eval-check: the evaluations with floors a point or two under the figures reached (CI runs it; fails on a regression)
eval-check: setup
	$(PY) -m pipeline eval timeml $(SHARED)/corpora/timeml/timebank --worst 0 --min-value-f1 $(FLOOR_TIMEBANK)
	$(PY) -m pipeline eval timeml $(SHARED)/corpora/timeml/aquaint --worst 0 --min-value-f1 $(FLOOR_AQUAINT)
	$(PY) -m pipeline eval casualties $(SHARED)/corpora/casualties/gva_dev.jsonl --worst 0 $(FLOOR_GVA)
	$(PY) -m pipeline eval news $(SHARED)/corpora/news_dev --worst 0 $(FLOOR_NEWS)

## bench: whole-pipeline speed and memory on generated articles (ARTICLES=20000) against dateparser
ARTICLES ?= 20000
bench: setup
	$(PY) -m pipeline bench pipeline --articles $(ARTICLES)

## bench-temporal: speed of the temporal stage against dateparser's search_dates on TimeBank
bench-temporal: setup
	$(PY) -m pipeline bench temporal $(SHARED)/corpora/timeml/timebank

## clean: remove generated outputs and the work folder (keeps .venv)
clean:
	rm -rf $(WORK) $(OUTPUT)/*.parquet $(OUTPUT)/*.csv $(OUTPUT)/manifest.json $(OUTPUT)/validation_report.txt
