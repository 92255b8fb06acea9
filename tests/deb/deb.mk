# tests/deb/deb.mk - the Debian packages (debian/) and their test.
#
#   make deb         dpkg-buildpackage -us -uc -b on a copy of the tree in
#                    $(DEB_OUT)/arrdbg-VERSION (the .debs land in $(DEB_OUT));
#                    then lintian, which must report no error
#   make check-deb   make deb, then tests/deb/run.sh: installs the packages,
#                    runs valgrind --tool=arrcheck, gdb and python3 -m arrdbg
#                    on small programs, purges them and checks nothing is left
#                    (as root with the Debian tooling; otherwise it says why
#                    it skips)

DEB_PACKAGES += debhelper dh-python dpkg-dev fakeroot lintian python3-all-dev python3-setuptools
DEB_OUT := $(BUILD)/debs
DEB_TOOLS := dpkg-buildpackage dh lintian fakeroot

.PHONY: deb check-deb
deb:
	@for t in $(DEB_TOOLS); do command -v $$t >/dev/null || { echo "make deb: $$t is missing (make deps)"; exit 1; }; done
	@rm -rf $(DEB_OUT) && mkdir -p $(DEB_OUT)/arrdbg-$(ARR_VERSION)
	@# The tree as git knows it (tracked and new files, not build/ or
	@# ignored ones), or all but build/ outside a git checkout.
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -z -co --exclude-standard | grep -z -v '^build/' | \
	    xargs -0 cp --parents -P -t $(DEB_OUT)/arrdbg-$(ARR_VERSION); \
	else tar -c --exclude=./build . | tar -x -C $(DEB_OUT)/arrdbg-$(ARR_VERSION); fi
	cd $(DEB_OUT)/arrdbg-$(ARR_VERSION) && DEB_BUILD_OPTIONS="parallel=2 $(DEB_BUILD_OPTIONS)" \
	  dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || { tail -30 ../build.log; exit 1; }
	@ls $(DEB_OUT)/*.deb
	lintian --fail-on error $(DEB_OUT)/*.changes

# In make check: no -dbgsym packages (time); under SANITIZE=1 not again
# (the packages are built without sanitizers; the plain make check has it).
check-deb:
	@if [ "$(SANITIZE)" = 1 ]; then echo "deb: skipped under SANITIZE=1 (the plain make check runs it)"; \
	elif ! command -v $(DEB_TOOLS) >/dev/null 2>&1; then \
	  echo "deb: skipped: the Debian tooling ($(DEB_TOOLS)) is not installed (make deps)"; \
	else mkdir -p $(BUILD) && $(MAKE) --no-print-directory deb DEB_BUILD_OPTIONS=noautodbgsym >$(BUILD)/deb.log 2>&1 || \
	  { tail -30 $(BUILD)/deb.log; exit 1; }; \
	  grep -e '^[EW]: ' $(BUILD)/deb.log; BUILD=$(BUILD) DEB_OUT=$(DEB_OUT) bash tests/deb/run.sh; fi

CHECK_TARGETS += check-deb
