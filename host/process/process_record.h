// Internal to ProcessSupervisor: the record kept for one supervised process.
#pragma once

#include "process/output_tail.h"
#include "process/process_supervisor.h"

#include <string>
#include <sys/types.h>

namespace wdh {

// One supervised guard process. Fields marked (thread) belong to the watcher thread; the
// others are guarded by the supervisor's mutex (id and pid are fixed at registration; owner changes
// only under the mutex).
struct ProcessSupervisor::Process {
  Id id = 0;
  std::string owner;
  pid_t pid = -1;
  int outFd = -1; // (thread) read end of the stdout+stderr pipe, non-blocking
  int pidFd = -1; // (thread) readable when the guard exits; -1: check waitpid every 50 ms
  OutputTail output;
  ProcessState state;       // published when ended
  bool reaped = false;      // waitpid succeeded: the pid may be reused, never signal it again
  bool ended = false;       // reaped, output drained, fds closed
  bool terminating = false; // terminate() owns its end: no exit listener
  bool background = false;  // its tree runs at idle priority
  bool hurried = false;     // someone waits for it: never in the background again
};

} // namespace wdh
