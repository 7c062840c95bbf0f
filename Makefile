# tweann_nif: build, test, benchmark. See README.md.
REBAR ?= rebar3
CARGO ?= cargo

empty :=
space := $(empty) $(empty)
comma := ,
# EUnit modules of `make test`: every test/*_tests.erl (not test/benchmark/).
TEST_MODULES := $(subst $(space),$(comma),$(strip $(basename $(notdir $(wildcard test/*_tests.erl)))))
# `make bench`: every test/benchmark/bench_*.erl except the shared helpers.
BENCH_MODULES := $(subst $(space),$(comma),$(strip $(filter-out bench_common,$(basename $(notdir $(wildcard test/benchmark/bench_*.erl))))))

.PHONY: all compile demo test test-rust test-erlang check-avx check-celeron bench bench-quick \
        dist test-packaging lint dialyzer clean

all: compile

compile:
	$(REBAR) compile

demo: compile
	escript scripts/demo.escript

test: lint test-rust test-erlang check-avx

test-rust:
	$(CARGO) test --release --locked --workspace

test-erlang: compile
	$(REBAR) eunit --module=$(TEST_MODULES)
	$(REBAR) xref

# The Celeron invariant: no AVX/AVX2/AVX-512/FMA/BMI/LZCNT in the built library.
check-avx: compile
	sh scripts/check_avx.sh priv/tweann_nif.so

check-celeron:
	sh scripts/check_celeron.sh

bench: compile
	$(REBAR) eunit --module=$(subst $(space),$(comma),$(strip $(filter-out bench_report bench_memory_growth,$(subst $(comma),$(space),$(BENCH_MODULES))) bench_report))

bench-quick: compile
	TWEANN_BENCH_QUICK=1 $(REBAR) eunit --module=$(subst $(space),$(comma),$(strip $(filter-out bench_report bench_memory_growth,$(subst $(comma),$(space),$(BENCH_MODULES))) bench_report))

dialyzer: compile
	$(REBAR) dialyzer

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --locked --workspace --all-targets -- -D warnings

# Precompiled artifacts: dist/libtweann_nif-v<vsn>-nif-<nif>-<target>.so.tar.gz
# and dist/checksums.sha256 (docs/packaging.md).
dist:
	sh scripts/dist.sh dist

# A consumer project built from source and from a precompiled artifact with
# no cargo on PATH; corrupted artifact and tampered library refused (~1.5 min).
test-packaging:
	sh test/packaging/run.sh

clean:
	$(REBAR) clean
	$(CARGO) clean
	rm -f priv/*.so priv/*.sha256
