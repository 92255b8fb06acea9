# tests/install/install.mk - first-contact tests: make install/uninstall into
# a DESTDIR (tests/install/run.sh), arr-report's outputs (tests/report/kinds.c),
# what make demo says (tests/report/check_demo.sh) and the README
# walkthrough's output (tests/report/check_readme.py; --update rewrites its
# blocks after a deliberate change), and gdb's `arr vgdb` attach right after
# valgrind starts (tests/install/vgdb_attach.sh).

.PHONY: check-install-uninstall check-report check-demo check-readme check-vgdb-attach
CHECK_TARGETS += check-install-uninstall check-report check-demo check-readme check-vgdb-attach

# arr-report on a real profile of tests/report/kinds.c (needs the tool).
$(BUILD)/tests/report/kinds: tests/report/kinds.c $(LIBARR_A) libarr/arr.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -g -O0 -fno-inline -Wall -Wextra -Werror -Ilibarr $< -o $@ $(LIBARR_A) -pthread -lm

ifeq ($(SANITIZE),1)
# These run the plain build (the installed tool and library, the demo and
# the README's programs are not ASan's).
check-install-uninstall check-report check-demo check-readme check-vgdb-attach:
	@$(MAKE) --no-print-directory SANITIZE=0 $@
else
check-install-uninstall: real-all
	@MAKE="$(MAKE)" BUILD=$(BUILD) CC="$(CC)" tests/install/run.sh

check-report: $(BUILD)/tests/report/kinds $(if $(AC_LIBDIR),$(AC_LIBDIR)/.stamp)
	@/usr/bin/python3 tests/report/check_report.py $(BUILD)

check-demo: samples-build
	@BUILD=$(BUILD) tests/report/check_demo.sh

# Every command README.md shows output of: the samples, leaky, the tests'
# memcheck programs, the tool, the tour.
check-readme: samples-build $(NATIVE_BIN) $(BUILD)/tests/valgrind/mc_quarantine $(BUILD)/tests/valgrind/mc_leaked_copy \
              $(ARRDBG_GENERATED) $(if $(AC_LIBDIR),$(AC_LIBDIR)/.stamp)
	@/usr/bin/python3 tests/report/check_readme.py $(BUILD)

# `arr vgdb` against valgrind's gdbserver right after start (the race).
check-vgdb-attach: $(BUILD)/tests/gdb/vgdb $(ARRDBG_GENERATED) $(if $(AC_LIBDIR),$(AC_LIBDIR)/.stamp)
	@BUILD=$(BUILD) tests/install/vgdb_attach.sh
endif
