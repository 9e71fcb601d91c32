# The two commands a new machine needs:
#   make build   install everything (system packages, .venv) and build the default guide
#   make test    the same set-up, then the whole test suite
#
# System packages come from Debian's archive (we are root on these machines;
# elsewhere sudo is used). Python packages go into .venv.

VENV        := .venv
BIN         := $(VENV)/bin
PYTHON      ?= python3
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# libharfbuzz-subset0: without it WeasyPrint subsets fonts ten times slower.
# fonts-inter: the theme's typeface; fonts-noto-core and fonts-noto-cjk: sans-serif fallbacks with a bold
# for other scripts (Arabic, Hebrew, Devanagari, Thai...; Chinese, Japanese, Korean), for names on rosters;
# fonts-dejavu-core: symbols and anything else.
# fonts-lato, fonts-manrope: the northwind and bergwerk examples' brand fonts;
# fonts-ebgaramond: copied into companies/lumen/fonts/ (an example of a company's own font files).
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
                fontconfig fonts-inter fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-lato fonts-manrope fonts-ebgaramond
# The browser tests run the web edition and `serve` in Debian's own Chromium, driven through its chromedriver.
TEST_APT_PACKAGES := chromium chromium-driver
# `make previews` prints the example workbook with LibreOffice Calc for the README's picture of it.
PREVIEW_APT_PACKAGES := libreoffice-calc-nogui
LUMEN_FONTS  := $(addprefix companies/lumen/fonts/,EBGaramond12-Regular.otf EBGaramond12-Italic.otf EBGaramond12-Bold.otf)

.PHONY: build test setup system-deps browser-deps lint previews clean

build: setup
	$(BIN)/careerguide build

# One test worker per CPU (a file's tests stay on one worker). The suite is bound by layout work, not by
# waiting: an extra worker only made the CPUs switch more (2 CPUs: 107 s with 2 workers, 114-120 s with 3).
WORKERS := $(shell nproc)
test: setup browser-deps
	$(BIN)/pytest -n $(WORKERS) --dist loadfile

setup: system-deps $(VENV)/.installed $(LUMEN_FONTS)

# The lumen example brings its own font files; they come from an installed
# package, never from the repository.
companies/lumen/fonts/%.otf: | system-deps
	mkdir -p $(dir $@)
	cp /usr/share/fonts/opentype/ebgaramond/$(notdir $@) $@

# Installs whichever of the packages are missing (dpkg says which), with one apt-get update.
define apt_install
	@missing=$$(for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:" $$missing; \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=300 update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $$missing >/dev/null && \
	  fc-cache -f >/dev/null; \
	fi
endef

system-deps:
	$(call apt_install,$(APT_PACKAGES))

browser-deps:
	$(call apt_install,$(TEST_APT_PACKAGES))

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Refresh the PNG previews shown in the README.
previews: setup browser-deps
	$(call apt_install,$(PREVIEW_APT_PACKAGES))
	$(BIN)/careerguide build --all --web
	$(BIN)/careerguide onboard --company northwind --roster docs/sample-roster.csv
	$(BIN)/careerguide build --company northwind --card-size a6 --card-backs --cards-per-sheet 4 --sheet a3 --out build/print
	$(BIN)/python docs/make_previews.py build docs

clean:
	rm -rf build $(VENV) .pytest_cache .ruff_cache
