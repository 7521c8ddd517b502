#ifndef BRAMBLE_CBUILDINFO_H
#define BRAMBLE_CBUILDINFO_H

/// The git revision this binary was built from, as Package.swift received it in
/// BRAMBLE_GIT_REVISION (scripts/package sets it), or "unknown revision" for a plain
/// `swift build`. A function rather than a macro in this header, so the value is compiled
/// into build_info.c alone: a new revision rebuilds that one file and relinks, nothing else.
const char *bramble_git_revision(void);

#endif
