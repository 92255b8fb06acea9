# tests/dask/dask.mk - arrdbg.dask (python/arrdbg/dask.py): a real
# LocalCluster(processes=True, n_workers=2), `dask scheduler` + `dask worker
# --preload arrdbg.dask`, `python3 -m arrdbg run --dask`, and dask's local
# schedulers, on Debian's dask/distributed.
#
#   make check-dask      tests/dask/run.sh (each test bounded by timeout, in
#                        its own session, every process it starts killed)

DEB_PACKAGES += python3-dask python3-distributed

.PHONY: check-dask
check-dask: $(ARRDBG_PY_TREE)
	@ARRDBG_BUILD=$(BUILD) ARRDBG_PYTHON=$(ARRDBG_PYTHON) bash tests/dask/run.sh

CHECK_TARGETS += check-dask

# make bench's arrdbg.dask row (bench/dask_bench.py); alone: make bench-dask
.PHONY: bench-dask
bench: $(ARRDBG_PY_TREE)
bench-dask: $(ARRDBG_PY_TREE)
	$(BENCH_PYTHON) bench/dask_bench.py --build $(BUILD) $(if $(filter 1,$(BENCH_QUICK)),--quick)
