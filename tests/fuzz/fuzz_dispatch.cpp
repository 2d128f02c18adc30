// libFuzzer: a client's frames dispatched by the server's real session logic (hello, tokens,
// roles, the rate limit, subscriptions, log follows, audit) into a real engine that runs a
// small config. Only the transport is left out: the frames a session writes are collected.
//
// Input: the first byte picks who is connected (0: a master without tokens, so admin;
// 1/2/3: a viewer/operator/admin token said hello first; 4: tokens and no hello), the rest is
// frames separated by newlines. Besides crashes, sanitizer findings and escaping exceptions,
// it checks that every frame the session writes is one a client can read, and that a closed
// session leaves nothing behind in the hub.
#include "config/loader.h"
#include "engine/engine.h"
#include "remote/session.h"
#include "remote/tokens.h"
#include "remote/wire.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

using namespace drover;
namespace asio = boost::asio;
using nlohmann::json;

class FuzzSession final : public remote::Session
{
public:
    FuzzSession(std::shared_ptr<remote::Hub> hub, asio::io_context &io)
        : Session(std::move(hub), "fuzz")
        , m_io(io)
    {}
    void close(remote::CloseCode, const std::string &) override
    {
        asio::post(m_io,
                   [self = shared_from_this()] { static_cast<FuzzSession &>(*self).closed(); });
    }
    std::vector<std::string> frames;

protected:
    void write(std::shared_ptr<const std::string> frame, std::function<void(bool)> done) override
    {
        frames.push_back(*frame);
        asio::post(m_io, [done = std::move(done)] { done(true); });
    }

private:
    asio::io_context &m_io;
};

struct World
{
    asio::io_context io{1};
    std::string dir;
    std::unique_ptr<engine::Engine> engine;
    std::shared_ptr<remote::Hub> open;    ///< no tokens: every session is admin
    std::shared_ptr<remote::Hub> guarded; ///< tokens needed
    std::string tokens[3];                ///< viewer, operator, admin

    World()
    {
        spdlog::set_level(spdlog::level::off);
        char base[] = "/tmp/drover-fuzz-dispatch-XXXXXX";
        if (!::mkdtemp(base))
            std::abort();
        dir = base;
        const std::string file = dir + "/drover.yaml";
        // Workers that cannot run long: whatever the fuzzer does, nothing lingers.
        const std::string text = "version: 1\nmaster:\n  state_dir: \"" + dir +
                                 "/state\"\npools:\n"
                                 "  - name: w\n    command: [\"true\"]\n    replicas: 2\n"
                                 "    restart: {policy: never}\n"
                                 "  - name: gone\n    command: [\"/nonexistent/worker\"]\n"
                                 "    restart: {policy: never}\n";
        FILE *f = std::fopen(file.c_str(), "w");
        if (!f)
            std::abort();
        std::fputs(text.c_str(), f);
        std::fclose(f);
        auto loaded = config::loadFile(file);
        if (!loaded.ok())
            std::abort();
        engine::EngineOptions options;
        options.cgroups = false;
        for (char **e = environ; *e; ++e)
            options.masterEnv.emplace_back(*e);
        engine = std::make_unique<engine::Engine>(io, options);
        if (!engine->start(std::make_shared<config::Config>(std::move(*loaded.config))).ok())
            std::abort();
        const char *roles[] = {"viewer", "operator", "admin"};
        for (int i = 0; i < 3; ++i) {
            auto role = api::parseRole(roles[i]);
            auto token = remote::TokenStore::create(dir + "/state", {}, roles[i], *role);
            if (!token.ok())
                std::abort();
            tokens[i] = *token;
        }
        auto store = remote::TokenStore::load(dir + "/state", {});
        if (!store.ok())
            std::abort();
        remote::ServerOptions serverOptions;
        open = std::make_shared<remote::Hub>(*engine, serverOptions, nullptr, nullptr);
        guarded = std::make_shared<remote::Hub>(
            *engine, serverOptions, std::make_shared<remote::TokenStore>(std::move(*store)),
            nullptr);
    }

    /// At the fuzzer's exit: the workers stopped, the temp dir removed.
    ~World()
    {
        open.reset();
        guarded.reset();
        bool done = false;
        engine->shutdown([&done] { done = true; });
        for (int i = 0; i < 500 && !done; ++i)
            io.run_for(std::chrono::milliseconds(10));
        engine.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }

    /// Runs what is ready now (replies, written frames, exits of `true`), without waiting long.
    void settle()
    {
        io.restart();
        for (int i = 0; i < 64 && io.poll() > 0; ++i) {
        }
    }

    static World &world()
    {
        static World w;
        return w;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    World &world = World::world();
    if (size == 0)
        return 0;
    const int who = data[0] % 5;
    std::string_view rest(reinterpret_cast<const char *>(data) + 1, size - 1);

    auto hub = who == 0 ? world.open : world.guarded;
    auto session = std::make_shared<FuzzSession>(hub, world.io);
    hub->sessions.insert(session);
    ++hub->connections;
    if (who >= 1 && who <= 3)
        session->onMessage(
            json{{"id", "h"}, {"op", "hello"}, {"token", world.tokens[who - 1]}}.dump(), true);
    int frames = 0;
    while (!rest.empty() && frames < 32) {
        std::size_t nl = rest.find('\n');
        std::string_view frame = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        session->onMessage(std::string(frame), true);
        ++frames;
        world.settle();
    }
    world.settle();

    // Every frame written is one a client can read.
    for (const std::string &f : session->frames) {
        if (!remote::decodeServerFrame(f).ok())
            std::abort();
    }
    session->closed();
    world.settle();
    if (hub->sessions.count(session) != 0)
        std::abort();
    return 0;
}
