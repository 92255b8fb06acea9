# tests/install/install.mk - first-contact tests: make install/uninstall into
# a DESTDIR (tests/install/run.sh) and arr-report's outputs (tests/report/).

.PHONY: check-install-uninstall check-report
check-install-uninstall: real-all
	@MAKE="$(MAKE)" BUILD=$(BUILD) CC="$(CC)" tests/install/run.sh

CHECK_TARGETS += check-install-uninstall
