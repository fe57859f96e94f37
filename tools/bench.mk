# bench.mk: `make bench`, the message-ring benchmarks under QEMU.
#
# Boots the image twice through tools/bench.py (tools/qemu.py's Boot): once
# under multi-threaded TCG and once in QEMU's deterministic icount mode
# (booted twice there, and the two outputs compared), each running `bench`
# (the table) and `benchcsv` (the same as CSV) at auth utility, then powers
# off.  Saves build/bench/tcg.txt and build/bench/icount.txt (the kernel's
# boot report and what bench printed) and the serial logs next to them.
# CORES (default 4) and MEM apply; BENCH_MODES=tcg or icount runs one mode.
# See docs/benchmarks.md.

BENCH_MODES ?= tcg,icount

.PHONY: bench
bench: deps
	$(Q)$(MAKE) --no-print-directory image
	$(Q)python3 tools/bench.py --image $(IMAGE) --out $(BUILD)/bench --modes $(BENCH_MODES) \
		--cores $(CORES) --mem $(MEM) --repeat 2
