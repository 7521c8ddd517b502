#include "CBuildInfo.h"

/* Package.swift defines it only when BRAMBLE_GIT_REVISION is set. */
#ifndef BRAMBLE_GIT_REVISION
#define BRAMBLE_GIT_REVISION "unknown revision"
#endif

const char *bramble_git_revision(void) { return BRAMBLE_GIT_REVISION; }
