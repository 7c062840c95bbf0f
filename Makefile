# tweann_nif: build, test, benchmark. See README.md.
REBAR ?= rebar3
CARGO ?= cargo

.PHONY: all compile demo test test-rust test-erlang check-avx check-celeron bench bench-quick \
        dist release-checksums test-packaging lint dialyzer docs clean

all: compile

compile:
	$(REBAR) compile

demo: compile
	escript scripts/demo.escript

test: lint test-rust test-erlang check-avx docs

test-rust:
	$(CARGO) test --release --locked --workspace

# Plain `rebar3 eunit`: every test (test/*.erl, test/packaging/*.erl), no
# benchmark (they are the bench profile's, rebar.config).
test-erlang: compile
	$(REBAR) eunit
	$(REBAR) xref

# The Celeron invariant: no AVX/AVX2/AVX-512/FMA/BMI/LZCNT in the built library.
check-avx: compile
	sh scripts/check_avx.sh priv/tweann_nif.so

check-celeron:
	sh scripts/check_celeron.sh

# The benchmark suite, an EUnit suite of its own profile: test/benchmark/bench_*.erl,
# bench_report last (it writes bench/results/). One module:
#   rebar3 as bench eunit --module=bench_forward_pass
bench: compile
	$(REBAR) as bench eunit

bench-quick: compile
	TWEANN_BENCH_QUICK=1 $(REBAR) as bench eunit

dialyzer: compile
	$(REBAR) dialyzer

# The edoc pages in doc/ (overview: docs/overview.edoc), rebuilt from
# scratch; fails on any edoc warning, on a link of the pages to a missing
# page or anchor, on a broken link of the Markdown documents, or on a
# document cited anywhere in the tree that does not exist
# (scripts/check_docs.escript).
docs: compile
	rm -rf doc
	$(REBAR) edoc > _build/edoc.log 2>&1 || { cat _build/edoc.log; rm -f _build/edoc.log; exit 1; }
	@if grep -i 'warning' _build/edoc.log; then rm -f _build/edoc.log; echo "docs: edoc warnings" >&2; exit 1; fi
	@rm -f _build/edoc.log
	escript scripts/check_docs.escript

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --locked --workspace --all-targets -- -D warnings

# Precompiled artifacts: dist/libtweann_nif-v<vsn>-nif-<nif>-<target>.so.tar.gz
# and dist/checksums.sha256 (docs/packaging.md).
dist:
	sh scripts/dist.sh dist

# Ship the manifest of the artifacts in dist/ with the package (a release):
# scripts/build_nif.sh then trusts it over any manifest beside the artifacts.
release-checksums: dist/checksums.sha256
	cp dist/checksums.sha256 checksums.sha256

# A consumer project built from exactly the package's files (the .app.src
# `files`), from source and from a precompiled artifact with no cargo on PATH;
# corrupted or replaced artifacts refused; the glibc floor (~1.5 min).
test-packaging:
	sh test/packaging/run.sh

clean:
	$(REBAR) clean
	$(CARGO) clean
	rm -f priv/*.so priv/*.sha256
