#include "engine/runtime.h"

#include <sys/wait.h>

namespace drover::engine {

api::Result<SpawnedProcess> NativeRuntime::spawn(const SpawnRequest &request)
{
    return spawnProcess(request);
}

ExitStatus NativeRuntime::reap(int pidfd)
{
    ExitStatus status{"exited", false};
    siginfo_t info{};
    if (::waitid(P_PIDFD, unsigned(pidfd), &info, WEXITED | WNOHANG) == 0 && info.si_pid) {
        if (info.si_code == CLD_EXITED) {
            status.how = "exit:" + std::to_string(info.si_status);
            status.clean = info.si_status == 0;
        } else {
            status.how = "signal:" + signalName(info.si_status);
        }
    }
    return status;
}

} // namespace drover::engine
