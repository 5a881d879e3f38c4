// Small helpers for starting processes: an owned fd, executable checks, environment merging.
#pragma once

#include "core/status.h"
#include "process/environment_allowlist.h"
#include "process/unique_fd.h"

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace wdh {

// Ok when `path` is an absolute path to an executable regular file; otherwise
// SessionNotCreated with a message naming `what` and the path.
Status checkExecutable(const std::string& path, std::string_view what);

// A child's environment: the host's variables that `allowed` lets through (none unless
// `inherit`), with every "NAME=value" of `overrides` (the plugin's own) replacing or extending
// them; InvalidArgument when an override is not NAME=value.
Status mergeEnvironment(const EnvironmentAllowlist& allowed,
                        const std::vector<std::string>& overrides, std::vector<std::string>* out,
                        bool inherit = true);

// Renumbers `fd` to a close-on-exec descriptor >= minFd (closing the old number) unless it
// already is >= minFd; returns the result, or -1 (fd closed) on failure.
int moveFdAtLeast(int fd, int minFd) noexcept;

// Starts `guardPath` with `args` in a new process group via posix_spawn: empty signal mask,
// default dispositions, `environment` as its environment, stdin `stdinFd` (a descriptor above 2)
// or /dev/null when it is -1, stdout+stderr to a new pipe whose non-blocking close-on-exec read
// end goes to *output, `lifelineFd` duplicated onto fd `lifelineTarget` (which must differ from
// it), and `passFd` (-1: none) onto `passTarget` (both above every other descriptor named
// here). SessionNotCreated on failure.
Status spawnInGroup(const std::string& guardPath, std::vector<std::string> args,
                    std::vector<std::string> environment, int lifelineFd, int lifelineTarget,
                    pid_t* pid, UniqueFd* output, int stdinFd = -1, int passFd = -1,
                    int passTarget = -1);

} // namespace wdh
