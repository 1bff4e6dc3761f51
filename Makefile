# Developer shortcuts. The two commands that matter are in the README:
#   ./scripts/demo   sets everything up and serves the demo study
#   ./scripts/test   sets everything up and runs lint and the whole test suite

.PHONY: test lint format docs serve demo bench lock

test:
	./scripts/test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/cog --check docs/cli.md docs/errors.md

format:
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

docs:
	.venv/bin/cog -r docs/cli.md docs/errors.md

serve:
	.venv/bin/sociaparis serve --reload

demo:
	./scripts/demo

bench:
	for script in benchmarks/*.py; do .venv/bin/python "$$script" || exit 1; done

# requirements.lock: every dependency of pyproject.toml (and the test extra) pinned
# with its hashes, for every platform and Python >= 3.11 (docs/install.md).
lock:
	.venv/bin/python -m pip install --quiet uv
	.venv/bin/uv pip compile pyproject.toml --extra test --universal \
		--python-version 3.11 --generate-hashes --no-header --quiet -o requirements.lock.new
	{ printf '%s\n' \
		'# The exact packages (and their hashes) a clean clone installs: generated from' \
		'# pyproject.toml by `make lock`; docs/install.md says how to audit them.'; \
	  cat requirements.lock.new; } > requirements.lock
	rm requirements.lock.new
