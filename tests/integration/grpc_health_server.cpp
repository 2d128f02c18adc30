// A real gRPC server for the grpc probe's tests: grpc++'s default health service
// (grpc.health.v1.Health), no generated code and no other service.
//
//   grpc_health_server [--port N] [--service NAME] [--not-serving-after S] [--start-delay S]
//
// --port 0 (the default) picks a free port. Once serving it prints `listening on <port>`
// (flushed) on stdout. The overall "" service and NAME are SERVING until --not-serving-after,
// then both are NOT_SERVING. --start-delay waits before listening at all. SIGTERM or SIGINT
// shuts the server down and exits 0.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <memory>
#include <optional>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void usage(const char *why)
{
    std::fprintf(stderr,
                 "grpc_health_server: %s\n"
                 "usage: grpc_health_server [--port N] [--service NAME] "
                 "[--not-serving-after S] [--start-delay S]\n",
                 why);
    std::exit(2);
}

double parseSeconds(const char *text)
{
    char *end = nullptr;
    double s = std::strtod(text, &end);
    if (end == text || *end != '\0' || s < 0)
        usage("a duration is a number of seconds");
    return s;
}

/// Waits up to `seconds` (forever when negative) for SIGTERM or SIGINT, which the caller has
/// blocked. True when one came.
bool waitForSignal(const sigset_t &signals, double seconds)
{
    auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(seconds < 0 ? 0 : seconds));
    for (;;) {
        int rc = 0;
        if (seconds < 0) {
            int sig = 0;
            rc = sigwait(&signals, &sig) == 0 ? sig : -1;
        } else {
            auto left = deadline - Clock::now();
            if (left <= Clock::duration::zero())
                return false;
            auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
            timespec ts{static_cast<time_t>(ns / 1'000'000'000),
                        static_cast<long>(ns % 1'000'000'000)};
            rc = sigtimedwait(&signals, nullptr, &ts);
        }
        if (rc > 0)
            return true;
        if (rc < 0 && errno != EAGAIN && errno != EINTR)
            return false;
    }
}

} // namespace

int main(int argc, char **argv)
{
    int port = 0;
    std::string service;
    std::optional<double> notServingAfter;
    double startDelay = 0;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (i + 1 >= argc)
            usage(("missing value after " + arg).c_str());
        const char *value = argv[++i];
        if (arg == "--port") {
            char *end = nullptr;
            long p = std::strtol(value, &end, 10);
            if (end == value || *end != '\0' || p < 0 || p > 65535)
                usage("--port takes 0..65535");
            port = int(p);
        } else if (arg == "--service") {
            service = value;
        } else if (arg == "--not-serving-after") {
            notServingAfter = parseSeconds(value);
        } else if (arg == "--start-delay") {
            startDelay = parseSeconds(value);
        } else {
            usage(("unknown option " + arg).c_str());
        }
    }

    // Blocked before grpc++ starts its threads, so they inherit the mask and only sigwait
    // below sees the signals.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    if (startDelay > 0 && waitForSignal(signals, startDelay))
        return 0;

    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    // grpc++ refuses to start a server without one service of its own; this one answers
    // UNIMPLEMENTED to every method but the health service's.
    grpc::CallbackGenericService unimplemented;
    builder.RegisterCallbackGenericService(&unimplemented);
    int selectedPort = 0;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                             &selectedPort);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || selectedPort == 0) {
        std::fprintf(stderr, "grpc_health_server: cannot listen on 127.0.0.1:%d\n", port);
        return 1;
    }
    grpc::HealthCheckServiceInterface *health = server->GetHealthCheckService();
    health->SetServingStatus("", true);
    if (!service.empty())
        health->SetServingStatus(service, true);
    std::printf("listening on %d\n", selectedPort);
    std::fflush(stdout);

    bool stop = waitForSignal(signals, notServingAfter.value_or(-1));
    if (!stop) {
        health->SetServingStatus("", false);
        if (!service.empty())
            health->SetServingStatus(service, false);
        std::printf("not serving\n");
        std::fflush(stdout);
        waitForSignal(signals, -1);
    }
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server->Wait();
    return 0;
}
