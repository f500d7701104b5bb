# jahs - GNU Makefile.
#
#   make                 build/release/jahs and build/release/libjahs.a
#   make test            build and run the test suite (release)
#   make check           the same tests under ASan + UBSan (build/asan)
#   make test-gpu        the GPU tests only (skip without CUDA or a GPU)
#   make gpu-bundle      a folder to carry to a GPU machine (REPRODUCE.md)
#   make bench           build and run the benchmarks in bench/
#   make tables          tables/nb201_{cifar10,cifar100,imagenet16}.h5 from
#                        $(NB201_DIR)/nb201_<dataset>.csv.gz
#   make deps            install the Debian packages jahs needs (apt-get)
#   make deps-mpi        install Open MPI too (for MPI=1; CI runs it)
#   make install PREFIX=/usr/local DESTDIR=
#   make clean
#
# Variables you may override: CC, CFLAGS, LDFLAGS, PKG_CONFIG, GSL_CFLAGS,
# GSL_LIBS, HDF5_CFLAGS, HDF5_LIBS, ZLIB_CFLAGS, ZLIB_LIBS, JANSSON_CFLAGS,
# JANSSON_LIBS, YAML_CFLAGS, YAML_LIBS, IMAGE_CFLAGS, IMAGE_LIBS (libpng +
# libjpeg), BLAS_LIBS,
# CUDA (auto|0), NVCC, CUDA_HOME, MPI (auto|0|1), MPI_CFLAGS, MPI_LIBS,
# SHARED (the shared data directory), BLAS (openblas|gsl),
# NB201_DIR, WERROR=1 (warnings are errors; CI sets it).
# Targets that need the libraries run `make deps` first when they are missing.

.DEFAULT_GOAL := all
SHELL := /bin/bash

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
V          ?= release
B          := build/$(V)$(if $(filter gsl,$(BLAS)),-gslblas,)
SHARED     ?= ../shared
PKG_CONFIG ?= pkg-config

# ---- libraries (pkg-config, overridable) --------------------------------
PKGS        := gsl hdf5 zlib jansson yaml-0.1 libpng libjpeg
GSL_CFLAGS  ?= $(shell $(PKG_CONFIG) --cflags gsl 2>/dev/null)
GSL_LIBS    ?= $(shell $(PKG_CONFIG) --libs gsl 2>/dev/null)
HDF5_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags hdf5 2>/dev/null)
HDF5_LIBS   ?= $(shell $(PKG_CONFIG) --libs hdf5 2>/dev/null)
ZLIB_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags zlib 2>/dev/null)
ZLIB_LIBS   ?= $(shell $(PKG_CONFIG) --libs zlib 2>/dev/null)
JANSSON_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags jansson 2>/dev/null)
JANSSON_LIBS   ?= $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null)
# libyaml (Debian libyaml-dev): NEPS pipeline-space YAML (src/space/space_file.c)
YAML_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags yaml-0.1 2>/dev/null)
YAML_LIBS   ?= $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null)
# image folders (src/data/image.c): PNG through libpng, JPEG through
# libjpeg-turbo (Debian's libjpeg62-turbo-dev provides pkg-config's libjpeg)
IMAGE_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags libpng libjpeg 2>/dev/null)
IMAGE_LIBS   ?= $(shell $(PKG_CONFIG) --libs libpng libjpeg 2>/dev/null)
# CBLAS under GSL and for the trainer's GEMMs: BLAS=openblas (the default,
# when installed: libopenblas-dev is in DEB_PACKAGES; 4x faster Cholesky for
# the GP, the trainer's convolutions) or BLAS=gsl (GSL's reference CBLAS,
# -lgslcblas; objects go to build/<variant>-gslblas).  Code includes
# gsl/gsl_cblas.h either way.
BLAS        ?= openblas
BLAS_CPPFLAGS :=
ifneq ($(BLAS),gsl)
BLAS_LIBS   ?= $(shell $(PKG_CONFIG) --libs openblas 2>/dev/null)
ifneq ($(strip $(BLAS_LIBS)),)
GSL_LIBS    := $(filter-out -lgslcblas,$(GSL_LIBS)) $(BLAS_LIBS)
BLAS_CPPFLAGS := -DJAHS_BLAS_OPENBLAS=1
endif
endif

DEB_PACKAGES := pkg-config libgsl-dev libhdf5-dev hdf5-tools zlib1g-dev \
                libopenblas-dev libjansson-dev libyaml-dev gnuplot-nox dataset-fashion-mnist \
                libpng-dev libjpeg62-turbo-dev libdnnl-dev

DEPS_OK := $(shell $(PKG_CONFIG) --exists $(PKGS) 2>/dev/null && echo yes)

# ---- oneDNN (detected, never required) ------------------------------------
# DNNL=auto builds the trainer's oneDNN convolutions (src/nn/conv_dnnl.c)
# when pkg-config knows dnnl or oneapi/dnnl/dnnl.h is installed (Debian's
# libdnnl-dev 2.6 ships no .pc file); DNNL=1 insists, DNNL=0 never (the
# im2col reference only).  Its CPU runtime is OpenMP: -lgomp for
# omp_set_num_threads (gcc's omp.h).
DNNL        ?= auto
DNNL_FOUND  := $(if $(or $(shell $(PKG_CONFIG) --exists dnnl 2>/dev/null && echo y),$(wildcard /usr/include/oneapi/dnnl/dnnl.h)),1,)
HAVE_DNNL   := $(if $(filter 0,$(DNNL)),,$(if $(filter 1,$(DNNL)),1,$(DNNL_FOUND)))
DNNL_LIBS   ?= $(or $(shell $(PKG_CONFIG) --libs dnnl 2>/dev/null),-ldnnl) -lgomp
ifeq ($(DNNL)$(DNNL_FOUND),1)
$(warning DNNL=1 but neither pkg-config dnnl nor oneapi/dnnl/dnnl.h is found: run 'make deps')
endif

# ---- CUDA (detected, never required) -------------------------------------
CUDA      ?= auto
CUDA_HOME ?= /usr/local/cuda
NVCC      ?= $(or $(shell command -v nvcc 2>/dev/null),$(wildcard $(CUDA_HOME)/bin/nvcc))
CU_SRC    := $(wildcard kernels/*.cu)
HAVE_CUDA := $(if $(filter 0,$(CUDA)),,$(if $(and $(NVCC),$(wildcard $(CUDA_HOME)/include/cudnn.h),$(CU_SRC)),1,))

# ---- MPI (optional; README "Running on a cluster") ---------------------------
# MPI=auto builds the MPI driver into jahs when pkg-config knows mpi-c and
# mpirun is on PATH; MPI=1 insists, MPI=0 never.  Without it jahs builds and
# runs as before (mpirun of a jahs without MPI is refused, not repeated).
MPI        ?= auto
MPIRUN     ?= $(shell command -v mpirun 2>/dev/null)
MPI_FOUND  := $(if $(and $(shell $(PKG_CONFIG) --exists mpi-c 2>/dev/null && echo y),$(MPIRUN)),1,)
HAVE_MPI   := $(if $(filter 0,$(MPI)),,$(if $(filter 1,$(MPI)),1,$(MPI_FOUND)))
MPI_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags mpi-c 2>/dev/null)
MPI_LIBS   ?= $(shell $(PKG_CONFIG) --libs mpi-c 2>/dev/null)
MPI_DEB_PACKAGES := libopenmpi-dev openmpi-bin
ifeq ($(MPI)$(MPI_FOUND),1)
$(warning MPI=1 but pkg-config finds no mpi-c or mpirun is missing: run 'make deps-mpi')
endif

# ---- flags ----------------------------------------------------------------
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifeq ($(V),asan)
OPT  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
        -fno-sanitize-recover=undefined
SAN_LDFLAGS := -fsanitize=address,undefined
HAVE_CUDA :=
else ifeq ($(V),fuzz)
# libFuzzer (clang): the library instrumented for coverage, ASan and UBSan
OPT  := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
        -fno-sanitize-recover=undefined
SAN_LDFLAGS := -fsanitize=address,undefined
HAVE_CUDA :=
HAVE_MPI :=
HAVE_DNNL :=
else
OPT  := -O2 -g
SAN_LDFLAGS :=
endif
CPPFLAGS_ALL := -Isrc -D_GNU_SOURCE -DJAHS_VERSION='"$(VERSION)"' \
                -DJAHS_SRCDIR='"$(CURDIR)"' \
                $(GSL_CFLAGS) $(HDF5_CFLAGS) $(ZLIB_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) \
                $(IMAGE_CFLAGS) $(BLAS_CPPFLAGS) $(CPPFLAGS)
# user CFLAGS come first; the warnings cannot be dropped (-w is filtered out)
CFLAGS_ALL := -std=c11 $(OPT) $(filter-out -w,$(CFLAGS)) $(WARN) -MMD -MP -pthread
LIBS := $(HDF5_LIBS) $(GSL_LIBS) $(ZLIB_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(IMAGE_LIBS) -lm -lpthread -ldl

ifeq ($(HAVE_CUDA),1)
CPPFLAGS_ALL += -DJAHS_HAVE_CUDA=1 -I$(CUDA_HOME)/include -Ikernels
CUDART ?= -lcudart
LIBS += -L$(CUDA_HOME)/lib64 -lcudnn $(CUDART) -lstdc++
NVCCFLAGS ?= -O3 -std=c++17 -gencode arch=compute_90,code=sm_90 \
             -gencode arch=compute_80,code=compute_80
NVCC_WARN := -Xcompiler -Wall,-Wextra $(if $(filter 1,$(WERROR)),--Werror all-warnings,)
endif

ifeq ($(HAVE_DNNL),1)
CPPFLAGS_ALL += -DJAHS_HAVE_DNNL=1
LIBS += $(DNNL_LIBS)
endif
ifeq ($(HAVE_MPI),1)
CPPFLAGS_ALL += -DJAHS_HAVE_MPI=1 $(MPI_CFLAGS)
LIBS += $(MPI_LIBS)
endif

# ---- sources --------------------------------------------------------------
LIB_SRC   := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/*.c))
BENCH_SRC := $(sort $(filter-out $(if $(HAVE_MPI),,bench/bench_mpi.c),$(wildcard bench/*.c)))

LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
CU_OBJ    := $(if $(HAVE_CUDA),$(CU_SRC:%.cu=$(B)/obj/%.o),)
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/obj/%.o)
# the CLI's command functions (everything but main) are linked into the tests
CLI_LIB_OBJ := $(filter-out $(B)/obj/src/cli/main.o,$(CLI_OBJ))
TEST_OBJ  := $(TEST_SRC:%.c=$(B)/obj/%.o)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

LIBJAHS := $(B)/libjahs.a
JAHS    := $(B)/jahs
TESTBIN := $(B)/jahs-test

.PHONY: all lib test check fuzz fuzz-run test-gpu gpu-bundle bench tables deps deps-mpi install \
        uninstall clean help \
        reproduce reproduce-table1 reproduce-speedup reproduce-ablation \
        reproduce-beyond reproduce-importance reproduce-sensitivity docs-keys pin-baseline \
        pin-journals

# The tabular benchmark's tables (build products, git-ignored), one per NB201
# dataset: rebuilt when its CSV or the jahs binary changes.  TABLE is the
# CIFAR-100 table, the only one the paper's experiments read today.
NB201_DIR ?= $(SHARED)/data/nb201
DATASETS  := cifar10 cifar100 imagenet16
TABLES    := $(DATASETS:%=tables/nb201_%.h5)
TABLE     := tables/nb201_cifar100.h5
.SECONDARY:

# The objects that read JAHS_HAVE_MPI are rebuilt when it changes.
MPI_FLAG := $(B)/mpi.flag
ifneq ($(filter-out clean help deps deps-mpi uninstall,$(or $(MAKECMDGOALS),all)),)
$(shell mkdir -p $(B) && (echo '$(HAVE_MPI)' | cmp -s - $(MPI_FLAG) || echo '$(HAVE_MPI)' > $(MPI_FLAG)))
endif
$(patsubst %.c,$(B)/obj/%.o,$(wildcard src/exp/mpi*.c)): $(MPI_FLAG)
# likewise the GPU backend's objects and JAHS_HAVE_CUDA
CUDA_FLAG := $(B)/cuda.flag
ifneq ($(filter-out clean help deps deps-mpi uninstall,$(or $(MAKECMDGOALS),all)),)
$(shell mkdir -p $(B) && (echo '$(HAVE_CUDA)' | cmp -s - $(CUDA_FLAG) || echo '$(HAVE_CUDA)' > $(CUDA_FLAG)))
endif
$(patsubst %.c,$(B)/obj/%.o,$(wildcard src/gpu/*.c)): $(CUDA_FLAG)
# likewise the oneDNN convolutions (and who reads JAHS_HAVE_DNNL) and HAVE_DNNL
DNNL_FLAG := $(B)/dnnl.flag
ifneq ($(filter-out clean help deps deps-mpi uninstall,$(or $(MAKECMDGOALS),all)),)
$(shell mkdir -p $(B) && (echo '$(HAVE_DNNL)' | cmp -s - $(DNNL_FLAG) || echo '$(HAVE_DNNL)' > $(DNNL_FLAG)))
endif
$(patsubst %.c,$(B)/obj/%.o,$(shell grep -l JAHS_HAVE_DNNL src/*/*.c tests/*.c bench/*.c 2>/dev/null)): $(DNNL_FLAG)

ifeq ($(DEPS_OK),yes)

all: $(JAHS) $(LIBJAHS)
lib: $(LIBJAHS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c $< -o $@

# the trainer's CPU kernels: -O3 vectorises their element-wise loops (the
# build stays portable x86-64; bench/README.md, "Live trainer (CPU)")
NN_O3 := conv batchnorm elementwise pooling blk16
$(NN_O3:%=$(B)/obj/src/nn/%.o): CFLAGS_ALL += -O3

$(B)/obj/%.o: %.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) $(NVCC_WARN) -MMD -MP -Isrc -c $< -o $@

$(LIBJAHS): $(LIB_OBJ) $(CU_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(JAHS): $(CLI_OBJ) $(LIBJAHS)
	$(CC) $(CFLAGS_ALL) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBJAHS) $(LIBS)

$(TESTBIN): $(TEST_OBJ) $(CLI_LIB_OBJ) $(LIBJAHS)
	$(CC) $(CFLAGS_ALL) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJ) $(CLI_LIB_OBJ) $(LIBJAHS) $(LIBS)

$(B)/bench/%: $(B)/obj/bench/%.o $(LIBJAHS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIBJAHS) $(LIBS)

# Tests run from the repository root; they find the binary and data here.
TEST_ENV := JAHS_BIN=$(JAHS) JAHS_SHARED=$(SHARED) JAHS_QUIET=1 \
            ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# the tables the shared NB201 CSVs can make, so that a clean checkout's
# tests that read tables/ (install, locator) run instead of skipping
TEST_TABLES := $(foreach d,$(DATASETS),$(if $(wildcard $(NB201_DIR)/nb201_$(d).csv.gz),tables/nb201_$(d).h5))
test: $(JAHS) $(TESTBIN) $(B)/bench/bench_train $(TEST_TABLES)
	$(TEST_ENV) $(TESTBIN) $(if $(T),-t $(T),)

check:
	@$(MAKE) --no-print-directory V=asan test

# libFuzzer targets (tests/fuzz/fuzz_*.c, one per reader) built with clang
# in build/fuzz and run FUZZ_SECONDS each (default 10: a smoke; the issue
# asks 600), one after the other, on corpora made here from real inputs
# (nothing binary is committed): experiments/*.exp for the parser, the
# journal of tests/fuzz/seed.exp's synthetic run, the first lines of the
# NB201 CSVs, tables/nb201_cifar10.h5 (the smallest valid table), and what
# tests/fuzz/corpus.c writes with the project's writers (a dataset HDF5,
# IDX files, CIFAR-100 .bin files tarred and gzipped here, checkpoints of a
# tiny trainer, PNGs and JPEGs).  The HDF5 readers have two targets each:
# fuzz_X on the raw bytes (stopped by the jahs checksum, core/h5.h) and
# fuzz_X_sealed, which seals each input first (a forged file) and so
# reaches libhdf5; both start from the same seeds.  FUZZ_TARGETS="a b"
# picks fuzz_a and fuzz_b, or by substring where no target has that
# exact name (FUZZ_TARGETS=sealed: the three sealed ones).  Findings are left as build/fuzz/<target>-crash-*.
# Needs clang (Debian 'clang').
FUZZ_SECONDS ?= 10
FUZZ_TARGETS ?=
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_ALL := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
# a name picks fuzz_<name> when there is one (checkpoint: not
# checkpoint_sealed), else every target containing it (sealed: all three)
FUZZ_PICK = $(or $(filter $(B)/fuzz/fuzz_$(1),$(FUZZ_ALL)),$(foreach f,$(FUZZ_ALL),$(if $(findstring $(1),$(notdir $(f))),$(f))))
FUZZ_BIN := $(if $(FUZZ_TARGETS),$(sort $(foreach t,$(FUZZ_TARGETS),$(call FUZZ_PICK,$(t)))),$(FUZZ_ALL))
FUZZ_CORPUS := $(B)/fuzz-corpus
FZ := build/fuzz/corpus
$(FUZZ_CORPUS): $(B)/obj/tests/fuzz/corpus.o $(B)/obj/tests/fixture_images.o $(LIBJAHS)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS) $(SAN_LDFLAGS) -o $@ $^ $(LIBS)

fuzz: $(JAHS) $(FUZZ_CORPUS) $(if $(filter %/fuzz_table %/fuzz_table_sealed,$(FUZZ_BIN)),tables/nb201_cifar10.h5)
	@command -v clang >/dev/null || { echo "jahs: make fuzz needs clang (apt-get install clang)"; exit 1; }
	rm -rf $(FZ) && mkdir -p $(FZ)/experiment $(FZ)/journal $(FZ)/nb201_csv $(FZ)/table $(FZ)/table_sealed $(FZ)/cifar
	cp experiments/*.exp $(FZ)/experiment/
	JAHS_NO_PLOTS=1 $(JAHS) run tests/fuzz/seed.exp --out build/fuzz/seedrun --quiet --fresh
	cp build/fuzz/seedrun/runs/random/seed0.csv $(FZ)/journal/
	for d in $(DATASETS); do if [ -f $(NB201_DIR)/nb201_$$d.csv.gz ]; then \
	  gzip -dc $(NB201_DIR)/nb201_$$d.csv.gz | head -n 6 > $(FZ)/nb201_csv/$$d.csv; \
	  else echo "jahs: make fuzz: $(NB201_DIR)/nb201_$$d.csv.gz absent: its lines are not in fuzz_nb201_csv's corpus"; fi; done
	if [ -f tables/nb201_cifar10.h5 ]; then cp tables/nb201_cifar10.h5 $(FZ)/table/; cp tables/nb201_cifar10.h5 $(FZ)/table_sealed/; fi
	$(FUZZ_CORPUS) $(FZ)
	tar -C $(FZ)/cifar-src -cf $(FZ)/cifar/cifar100.tar train.bin test.bin
	gzip -c $(FZ)/cifar/cifar100.tar > $(FZ)/cifar/cifar100.tar.gz
	@$(MAKE) --no-print-directory V=fuzz CC=clang fuzz-run FUZZ_TARGETS="$(FUZZ_TARGETS)"

# Every target runs even when one fails (a finding must not hide the next
# target's); an input slower than FUZZ_TIMEOUT s is a finding (timeout-*).
# HDF5 inputs are parsed by a reading process (core/h5.c); one that has not
# answered in FUZZ_H5_TIMEOUT s is killed and the read is an error, which
# is what a user gets (with the default JAHS_H5_TIMEOUT, 300 s).
FUZZ_TIMEOUT ?= 10
FUZZ_H5_TIMEOUT ?= 5
fuzz-run: $(FUZZ_BIN)
	@test -n "$(FUZZ_BIN)" || { echo "jahs: make fuzz: no target matches FUZZ_TARGETS='$(FUZZ_TARGETS)' (tests/fuzz/fuzz_*.c)"; exit 1; }
	@bad=; for f in $(FUZZ_BIN); do t=$$(basename $$f | sed 's/fuzz_//'); \
	  echo "== $$f: $(FUZZ_SECONDS) s on build/fuzz/corpus/$$t"; \
	  JAHS_H5_TIMEOUT=$(FUZZ_H5_TIMEOUT) $$f -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	      -artifact_prefix=build/fuzz/$$t- -print_final_stats=1 \
	      build/fuzz/corpus/$$t 2>&1 | \
	      grep -E 'stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Done|Test unit written|jahs-fuzz:' ; \
	  test $${PIPESTATUS[0]} -eq 0 || bad="$$bad $$t"; done; \
	if [ -n "$$bad" ]; then echo "jahs: make fuzz: findings in:$$bad (build/fuzz/<target>-crash-*, -leak-*, -timeout-*, -oom-*)"; exit 1; fi

$(B)/fuzz/%: $(B)/obj/tests/fuzz/%.o $(LIBJAHS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $< $(LIBJAHS) $(LIBS)

# The GPU tests only (tests/test_train_gpu.c: every GPU operation against
# the CPU reference, the augmented batch, training runs).  Without a CUDA
# build or a GPU they skip, and this says so first.
test-gpu: $(JAHS) $(TESTBIN)
	@$(JAHS) version | grep '^gpu:' | sed 's/^gpu: none/jahs: no GPU: the GPU tests skip/'
	$(TEST_ENV) $(TESTBIN) -t gpu

# A folder to carry to a GPU machine (../shared/DEVICE.md): jahs, the test
# binary and bench_gpu built here with GSL and its CBLAS, jansson, libyaml,
# libpng, libjpeg and cudart linked statically (the GPU machine has no GSL; OpenBLAS is not
# needed), HDF5, zlib and cuDNN dynamically, without MPI or oneDNN (the GPU
# machine has neither; the CPU path there is the im2col reference); debug symbols
# stripped; with bench/gpu_check.sh and bench/torch_ref.py.  Run there:
#   bash build/gpu-bundle/gpu_check.sh
GPU_BUNDLE ?= build/gpu-bundle
GPU_BUNDLE_B := build/gpubundle-gslblas
MULTIARCH := /usr/lib/x86_64-linux-gnu
gpu-bundle:
	@test -n "$(HAVE_CUDA)" || { echo "jahs: gpu-bundle needs nvcc and cuDNN (not found, or CUDA=0)"; exit 1; }
	$(MAKE) --no-print-directory V=gpubundle BLAS=gsl MPI=0 DNNL=0 \
	    GSL_LIBS="$(MULTIARCH)/libgsl.a $(MULTIARCH)/libgslcblas.a" \
	    JANSSON_LIBS="$(MULTIARCH)/libjansson.a" YAML_LIBS="$(MULTIARCH)/libyaml.a" \
	    IMAGE_LIBS="$(MULTIARCH)/libpng16.a $(MULTIARCH)/libjpeg.a -lz" \
	    CUDART="-lcudart_static -lrt" \
	    $(GPU_BUNDLE_B)/jahs $(GPU_BUNDLE_B)/jahs-test $(GPU_BUNDLE_B)/bench/bench_gpu
	rm -rf $(GPU_BUNDLE)
	mkdir -p $(GPU_BUNDLE)
	cp $(GPU_BUNDLE_B)/jahs $(GPU_BUNDLE_B)/jahs-test $(GPU_BUNDLE_B)/bench/bench_gpu $(GPU_BUNDLE)/
	strip --strip-debug $(GPU_BUNDLE)/jahs $(GPU_BUNDLE)/jahs-test $(GPU_BUNDLE)/bench_gpu
	cp bench/gpu_check.sh bench/torch_ref.py $(GPU_BUNDLE)/
	@du -sh $(GPU_BUNDLE); ldd $(GPU_BUNDLE)/jahs | sed 's/^/  /'

bench: $(JAHS) $(BENCH_BIN) $(TABLE)
	@for b in $(BENCH_BIN); do echo "== $$b"; JAHS_SHARED=$(SHARED) $$b || exit 1; done

tables: $(TABLES)

# The paper's artefacts (REPRODUCE.md): each builds jahs and the table first.
REPRO_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
REPRO_RUN   = $(JAHS) run experiments/$(1).exp --jobs $(REPRO_JOBS) --out results/$(1)

# The poster's table twice: first (the headline) with its priors carried
# over from CIFAR-100 to ImageNet16-120 and CIFAR-10, as the poster carried
# them to DeepWeedsX (transfer.exp, beside in-task oracle rows), then on
# CIFAR-100 with CIFAR-100's own priors (table1.exp: in-task, an oracle).
# REPRODUCE.md, "Datasets and transfer".
reproduce-table1: $(JAHS) $(TABLES)
	$(call REPRO_RUN,transfer)
	$(call REPRO_RUN,table1)
	@echo; echo "==== 1. the headline: priors transferred from CIFAR-100 (results/transfer/) ===="; echo
	@cat results/transfer/table.md
	@echo; echo "==== 2. in-task: CIFAR-100 searched with CIFAR-100's priors, an oracle (results/table1/) ===="; echo
	@cat results/table1/table.md
	@echo; echo "jahs: the headline: results/transfer/table.md (claims: results/transfer/claims.md)"
	@echo "jahs: the in-task table: results/table1/table.md (claims: results/table1/claims.md)"

reproduce-speedup: $(JAHS) $(TABLE)
	$(call REPRO_RUN,speedup)
	@echo "jahs: speedup curves: results/speedup/curves.csv, speedup.csv, curves.svg"

reproduce-ablation: $(JAHS) $(TABLE)
	$(call REPRO_RUN,ablation)
	@echo "jahs: prior-fraction ablation: results/ablation/ablation.csv, ablation.svg"

reproduce-beyond: $(JAHS) $(TABLE)
	$(call REPRO_RUN,beyond)
	@echo "jahs: beyond the poster: results/beyond/table.md"

# The sensitivity matrix (REPRODUCE.md, "The poster's claims"): at 30 seeds,
# table1 (C1-C7) and the ablation's two poster rows (C8, C9) under each
# convention that moves a verdict, one at a time from the paper-faithful one
# (NEPS promotion, NEPS's MOBSTER, NEPS-form arch prior), and beyond (C10,
# C11) under the paper-faithful one; then results/sensitivity/claims.md.
# The MOBSTER column reuses the ablation and beyond runs: MOBSTER:... changes
# none of their claims' rows.  Then table1 on ImageNet16-120 and CIFAR-10
# with CIFAR-100's priors (transferred) and with their own (in-task: an
# oracle), NEPS form, and the ImageNet16-120 pair in the frequency form
# (where the source's whole table matters; NEPS's form keeps only each
# edge's mode, which the three tables share).  All columns at 30 seeds;
# `make reproduce` is about 290 s of CPU time (REPRODUCE.md, "The artefacts
# at a glance").
SENS_SEEDS ?= 0..29
SENS_DIR    = results/sensitivity
SENS_RUN    = $(JAHS) run experiments/$(1).exp --jobs $(REPRO_JOBS) --quiet \
              --set seeds=$(SENS_SEEDS) --out $(SENS_DIR)/$(2) $(3)
SENS_ABL    = --rows "ASHA- Priors"
reproduce-sensitivity: $(JAHS) $(TABLES)
	$(call SENS_RUN,table1,neps,)
	$(call SENS_RUN,ablation,neps-ablation,$(SENS_ABL))
	$(call SENS_RUN,beyond,neps-beyond,)
	$(call SENS_RUN,table1,promotion-li,--set promotion=li)
	$(call SENS_RUN,ablation,promotion-li-ablation,$(SENS_ABL) --set promotion=li)
	$(call SENS_RUN,table1,promotion-synetune,--set promotion=synetune)
	$(call SENS_RUN,ablation,promotion-synetune-ablation,$(SENS_ABL) --set promotion=synetune)
	$(call SENS_RUN,table1,mobster-synetune,--set MOBSTER:optimizer=mobster)
	$(call SENS_RUN,table1,arch-frequencies,--set arch_prior_form=frequencies)
	$(call SENS_RUN,ablation,arch-frequencies-ablation,$(SENS_ABL) --set arch_prior_form=frequencies)
	$(call SENS_RUN,table1,imagenet16-transferred,--set dataset=imagenet16)
	$(call SENS_RUN,table1,imagenet16-in-task,--set dataset=imagenet16 --set prior_source=imagenet16)
	$(call SENS_RUN,table1,cifar10-transferred,--set dataset=cifar10)
	$(call SENS_RUN,table1,cifar10-in-task,--set dataset=cifar10 --set prior_source=cifar10)
	$(call SENS_RUN,table1,imagenet16-frequencies-transferred,--set dataset=imagenet16 --set arch_prior_form=frequencies)
	$(call SENS_RUN,table1,imagenet16-frequencies-in-task,--set dataset=imagenet16 --set prior_source=imagenet16 --set arch_prior_form=frequencies)
	$(JAHS) claims --out $(SENS_DIR)/claims.md \
	    "paper-faithful (NEPS)=$(SENS_DIR)/neps,$(SENS_DIR)/neps-ablation,$(SENS_DIR)/neps-beyond" \
	    "promotion li=$(SENS_DIR)/promotion-li,$(SENS_DIR)/promotion-li-ablation" \
	    "promotion synetune=$(SENS_DIR)/promotion-synetune,$(SENS_DIR)/promotion-synetune-ablation" \
	    "MOBSTER Syne Tune=$(SENS_DIR)/mobster-synetune,$(SENS_DIR)/neps-ablation,$(SENS_DIR)/neps-beyond" \
	    "arch prior frequencies=$(SENS_DIR)/arch-frequencies,$(SENS_DIR)/arch-frequencies-ablation" \
	    "ImageNet16-120 transferred=$(SENS_DIR)/imagenet16-transferred" \
	    "ImageNet16-120 in-task=$(SENS_DIR)/imagenet16-in-task" \
	    "CIFAR-10 transferred=$(SENS_DIR)/cifar10-transferred" \
	    "CIFAR-10 in-task=$(SENS_DIR)/cifar10-in-task" \
	    "ImageNet16-120 transferred, frequencies=$(SENS_DIR)/imagenet16-frequencies-transferred" \
	    "ImageNet16-120 in-task, frequencies=$(SENS_DIR)/imagenet16-frequencies-in-task"
	@echo "jahs: the sensitivity matrix: $(SENS_DIR)/claims.md (each claim at 3 and 30 seeds: $(SENS_DIR)/neps*/claims.md)"

reproduce: reproduce-table1 reproduce-speedup reproduce-ablation reproduce-beyond \
           reproduce-sensitivity

tables/nb201_%.h5: $(NB201_DIR)/nb201_%.csv.gz $(JAHS)
	$(JAHS) table build --dataset $* --from $< --out $@

# Hyperparameter importance (LPI) of the runs behind the table; needs the
# table's run directory, which reproduce-table1 writes (REPRODUCE.md,
# "Hyperparameter importance").
reproduce-importance: reproduce-table1 $(JAHS)
	$(JAHS) analyze importance results/table1 --out results/importance

# REPRODUCE.md's table of experiment-file keys, made from the key table in
# src/exp/experiment.c (`make test` fails while they differ).
docs-keys: $(JAHS)
	@$(JAHS) run --keys --markdown > $(B)/keys.md
	@awk -v f=$(B)/keys.md '/^<!-- keys: begin/ { print; while ((getline l < f) > 0) print l; skip = 1; next } \
	     /^<!-- keys: end/ { skip = 0 } !skip' REPRODUCE.md > $(B)/REPRODUCE.md
	@mv $(B)/REPRODUCE.md REPRODUCE.md && echo "jahs: REPRODUCE.md's key table regenerated"

# Outputs pinned byte for byte across a change (tests/pin_journals.sh): with
# the code before it, make pin-baseline PIN_BASE=DIR; with the code after,
# make pin-journals PIN_BASE=DIR (runs everything again into PIN_NEW and
# diffs).  About 3 minutes each on 2 cores (live-smoke trains for 90 s).
PIN_BASE ?= build/pin-base
PIN_NEW  ?= build/pin-new
pin-baseline: $(JAHS) $(TABLE)
	rm -rf $(PIN_BASE) && tests/pin_journals.sh run $(JAHS) $(PIN_BASE)

pin-journals: $(JAHS) $(TABLE)
	rm -rf $(PIN_NEW) && tests/pin_journals.sh run $(JAHS) $(PIN_NEW)
	tests/pin_journals.sh diff $(PIN_BASE) $(PIN_NEW)

# make install: the binary, libjahs.a, the headers (include/jahs/<layer>/*.h:
# -I<prefix>/include/jahs), jahs.pc (pkg-config; Libs carries every library
# this build links, CUDA / cuDNN / MPI included when built with them), and
# under share/jahs the experiment files, the paper's tables and the NB201
# tables that are built (an installed jahs finds them there:
# jahs_table_locate in src/eval/nb201_table.h).
$(B)/jahs.pc: Makefile
	@mkdir -p $(B)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
	  'includedir=$${prefix}/include' 'datadir=$${prefix}/share/jahs' '' \
	  'Name: jahs' \
	  'Description: joint architecture and hyperparameter search with expert priors' \
	  'Version: $(VERSION)' 'Cflags: -I$${includedir}/jahs $(strip $(HDF5_CFLAGS) $(GSL_CFLAGS) $(JANSSON_CFLAGS))' \
	  'Libs: -L$${libdir} -ljahs $(strip $(LIBS))' > $@.tmp && mv $@.tmp $@

install: $(JAHS) $(LIBJAHS) $(B)/jahs.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/jahs \
	  $(DESTDIR)$(PREFIX)/share/jahs/experiments/command $(DESTDIR)$(PREFIX)/share/jahs/tables/paper
	install -m 0755 $(JAHS) $(DESTDIR)$(PREFIX)/bin/jahs
	install -m 0644 $(LIBJAHS) $(DESTDIR)$(PREFIX)/lib/libjahs.a
	install -m 0644 $(B)/jahs.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/jahs.pc
	cd src && for h in */*.h; do install -D -m 0644 $$h $(DESTDIR)$(PREFIX)/include/jahs/$$h; done
	install -m 0644 experiments/*.exp $(DESTDIR)$(PREFIX)/share/jahs/experiments/
	install -m 0755 experiments/command/train.py $(DESTDIR)$(PREFIX)/share/jahs/experiments/command/
	install -m 0644 tables/paper/*.csv $(DESTDIR)$(PREFIX)/share/jahs/tables/paper/
	for t in $(TABLES); do if [ -f $$t ]; then install -m 0644 $$t $(DESTDIR)$(PREFIX)/share/jahs/$$t; fi; done

else

# Libraries missing: install them, then run the requested target again.
all lib test check test-gpu gpu-bundle bench tables install reproduce reproduce-table1 \
reproduce-speedup reproduce-ablation reproduce-beyond reproduce-importance \
docs-keys pin-baseline pin-journals:
	@echo "jahs: missing libraries ($(PKGS) via $(PKG_CONFIG)); running 'make deps' first"
	$(MAKE) deps
	$(MAKE) $@

endif

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/jahs $(DESTDIR)$(PREFIX)/lib/libjahs.a $(DESTDIR)$(PREFIX)/lib/pkgconfig/jahs.pc
	rm -rf $(DESTDIR)$(PREFIX)/include/jahs $(DESTDIR)$(PREFIX)/share/jahs

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	echo "jahs: installing Debian packages: $(DEB_PACKAGES)"; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $(DEB_PACKAGES)

deps-mpi:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	echo "jahs: installing Debian packages: $(MPI_DEB_PACKAGES)"; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $(MPI_DEB_PACKAGES)

clean:
	rm -rf build

help:
	@sed -n '2,22p' Makefile | sed 's/^# \{0,1\}//'

-include $(LIB_OBJ:.o=.d) $(CU_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_SRC:bench/%.c=$(B)/obj/bench/%.d)
# the fuzz targets' and the corpus writer's (a sealed target includes its
# raw one: without these it kept a stale object when fuzz_util.h changed)
-include $(FUZZ_SRC:tests/%.c=$(B)/obj/tests/%.d) $(B)/obj/tests/fuzz/corpus.d
