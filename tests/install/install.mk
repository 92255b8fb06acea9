# tests/install/install.mk - first-contact tests: make install/uninstall into
# a DESTDIR (tests/install/run.sh), arr-report's outputs, what make demo says
# and the README walkthrough's output (tests/report/).

.PHONY: check-install-uninstall check-report
ifeq ($(SANITIZE),1)
# Installs the plain build (the installed tool and library are not ASan's).
check-install-uninstall:
	@$(MAKE) --no-print-directory SANITIZE=0 check-install-uninstall
else
check-install-uninstall: real-all
	@MAKE="$(MAKE)" BUILD=$(BUILD) CC="$(CC)" tests/install/run.sh
endif

CHECK_TARGETS += check-install-uninstall

# arr-report on a real profile of tests/report/kinds.c (needs the tool).
$(BUILD)/tests/report/kinds: tests/report/kinds.c $(LIBARR_A) libarr/arr.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -g -O0 -fno-inline -Wall -Wextra -Werror -Ilibarr $< -o $@ $(LIBARR_A) -pthread -lm

ifeq ($(SANITIZE),1)
check-report:
	@$(MAKE) --no-print-directory SANITIZE=0 check-report
else
check-report: $(BUILD)/tests/report/kinds $(if $(AC_LIBDIR),$(AC_LIBDIR)/.stamp)
	@/usr/bin/python3 tests/report/check_report.py $(BUILD)
endif

CHECK_TARGETS += check-report

# What make demo shows (tests/report/check_demo.sh).
.PHONY: check-demo
ifeq ($(SANITIZE),1)
check-demo:
	@$(MAKE) --no-print-directory SANITIZE=0 check-demo
else
check-demo: samples-build
	@BUILD=$(BUILD) tests/report/check_demo.sh
endif
CHECK_TARGETS += check-demo

# README's walkthrough shows current output (tests/report/check_readme.py;
# --update rewrites the blocks after a deliberate change).
.PHONY: check-readme
ifeq ($(SANITIZE),1)
check-readme:
	@$(MAKE) --no-print-directory SANITIZE=0 check-readme
else
check-readme: samples-build
	@/usr/bin/python3 tests/report/check_readme.py $(BUILD)
endif
CHECK_TARGETS += check-readme
