# docs/docs.mk - the man pages and documentation: install, uninstall.
#
#   make install-docs     man pages into $(MANDIR), the READMEs into $(DOCDIR)
#   make uninstall-docs   removes them
# The pages are plain man(7) source, read as is by man(1); tests/install
# renders each with `man --warnings -l`.

MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/arrdbg
MAN_PAGES := $(sort $(wildcard docs/man/*.[0-9]))
# Installed documents: source -> name in DOCDIR.
DOC_FILES := README.md:README.md docs/DESIGN.md:DESIGN.md docs/ADOPTING.md:ADOPTING.md \
             valgrind/README.md:arrcheck.md gdb/README.md:gdb.md samples/README.md:samples.md
DOCS_INSTALLED := $(foreach m,$(MAN_PAGES),$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
                  $(foreach d,$(DOC_FILES),$(DOCDIR)/$(lastword $(subst :, ,$(d))))

.PHONY: install-docs uninstall-docs
install-docs:
	@set -e; for m in $(MAN_PAGES); do s=$${m##*.}; \
	  echo "install -D -m 644 $$m \"$(DESTDIR)$(MANDIR)/man$$s/$${m##*/}\""; \
	  install -D -m 644 $$m "$(DESTDIR)$(MANDIR)/man$$s/$${m##*/}"; done
	@set -e; for d in $(DOC_FILES); do \
	  echo "install -D -m 644 $${d%%:*} \"$(DESTDIR)$(DOCDIR)/$${d##*:}\""; \
	  install -D -m 644 $${d%%:*} "$(DESTDIR)$(DOCDIR)/$${d##*:}"; done
uninstall-docs:
	@$(call rm_installed,$(DOCS_INSTALLED))
	@$(call rmdir_up,$(sort $(patsubst %/,%,$(dir $(DOCS_INSTALLED)))))

INSTALL_TARGETS += install-docs
UNINSTALL_TARGETS += uninstall-docs
