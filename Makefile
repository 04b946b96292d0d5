# Set-up, demo, tests, releases and benchmarks. `make demo` then `make test` on a fresh machine.
#
# The environment is built from the system Python (not one under /root): sandboxed workers run as
# an unprivileged user when grading as root, and that user must be able to run the interpreter.
# bubblewrap gives each worker its default-deny sandbox (see the README's threat model).

PYTHON_BASE ?= /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
# Every solutions/<a>/assignment.toml is an assignment (docs/new_assignment.md).
ASSIGNMENTS := $(sort $(patsubst solutions/%/assignment.toml,%,$(wildcard solutions/*/assignment.toml)))
DEBIAN_PACKAGES := python3-venv bubblewrap dataset-fashion-mnist chromium chromium-driver shellcheck

.PHONY: setup system-packages data demo test engine-tests validate validate-numerics redteam release bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@$(MAKE) --no-print-directory system-packages
	$(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing Debian packages:$$missing"; apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (install them with apt-get as root)"; fi; \
	fi

data: setup
	$(PY) -c "from utils.data import load_fashion_mnist; load_fashion_mnist('train'); load_fashion_mnist('test')"

# The demo grades each reference and each untouched handout and prints the tables. It fails when a grade is wrong
# (the reference short of full marks, points for the handout, a grader error); a stale committed handout is the
# instructors' check (`make validate`, `make test`) and only a note here.
demo: setup data
	@for a in $(ASSIGNMENTS); do $(PY) -m autograder validate $$a --stale-is-a-note || exit 1; done

test: setup data engine-tests validate validate-numerics redteam

engine-tests:
	$(PY) -m pytest tests/engine -q

# --notebooks: each notebook edition too, filled with the reference and untouched, run in a headless kernel and graded
# from the saved notebook, test by test as the .py files (validate-numerics and the demo grade the .py files alone).
validate:
	@for a in $(ASSIGNMENTS); do $(PY) -m autograder validate $$a --notebooks || exit 1; done

# Another CPU, simulated: every assignment validated on the generic path (non-AVX kernels, one thread); see autograder/numerical_paths.py.
validate-numerics: setup data
	$(PY) -m autograder.numerical_paths validate $(ASSIGNMENTS) --path generic

# The hostile-submission corpus: every entry must get its expected score, leave no process and change nothing.
redteam: setup data
	$(PY) tests/redteam/run.py

release: setup
	@for a in $(ASSIGNMENTS); do $(PY) -m autograder release $$a || exit 1; done

bench: setup data
	$(PY) -m autograder.bench fashion_mnist

clean:
	rm -rf dist out
