#include "remote/session.h"

#include "api/clock.h"
#include "api/version.h"
#include "engine/engine.h"
#include "remote/audit.h"
#include "remote/tokens.h"
#include "remote/wire.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace drover::remote {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

using api::nowMs;

/// The request's args for the audit log: a config's text reduced to its size, the whole at
/// most 1 KiB (a refused request must not fill the disk).
std::string auditArgs(const json &args)
{
    constexpr std::size_t kMax = 1024;
    json copy = args;
    if (copy.is_object()) {
        copy.erase("token");
        if (auto text = copy.find("text"); text != copy.end() && text->is_string())
            *text = "<" + std::to_string(text->get_ref<const std::string &>().size()) + " bytes>";
    }
    std::string out = copy.dump(-1, ' ', false, json::error_handler_t::replace);
    if (out.size() > kMax)
        out = json("<" + std::to_string(out.size()) + " bytes: " + out.substr(0, 200) + "...>")
                  .dump(-1, ' ', false, json::error_handler_t::replace);
    return out;
}

/// Log lines waiting for a slow client: past this share of maxQueuedBytes they are dropped
/// (and counted in the next log frame's `skipped`).
constexpr std::size_t kLogShare = 4;
/// Requests refused for want of a valid token before the connection is closed.
constexpr int kMaxUnauthorized = 64;
/// Log follows one session may have at once.
constexpr std::size_t kMaxFollows = 32;

} // namespace

// ---- Hub ----------------------------------------------------------------------------------

Hub::Hub(engine::Engine &engine, ServerOptions options, std::shared_ptr<TokenStore> tokens,
         std::shared_ptr<AuditLog> audit)
    : engine(engine)
    , options(std::move(options))
    , tokens(std::move(tokens))
    , audit(std::move(audit))
{}

Hub::~Hub() = default;

std::shared_ptr<const std::string> Hub::deltaFrame(const api::Delta &delta)
{
    if (!m_cachedFrame || m_cachedSeq != delta.seq) {
        m_cachedFrame = std::make_shared<const std::string>(encodeDelta(delta));
        m_cachedSeq = delta.seq;
    }
    return m_cachedFrame;
}

std::shared_ptr<const std::string> Hub::snapshotFrame(const api::Snapshot &snapshot, api::Role role)
{
    // The state at one seq is the same for everyone of a role: clients that subscribe at
    // once (a master's restart, 100 consoles) cost one encoding each role, not one each.
    auto &[seq, frame] = m_cachedSnapshots[std::size_t(role)];
    if (!frame || seq != snapshot.seq) {
        frame = std::make_shared<const std::string>(encodeSnapshot(snapshot, role));
        seq = snapshot.seq;
    }
    return frame;
}

bool Hub::tokensRequired()
{
    if (options.refreshTokens) {
        if (auto fresh = options.refreshTokens()) {
            spdlog::info("tokens.reloaded count={}", fresh->entries().size());
            tokens = std::move(fresh);
        }
    }
    return tokens && !tokens->empty();
}

void Hub::audited(const std::string &token, api::Role role, const std::string &peer,
                  const ClientFrame &frame, const api::Reply &reply)
{
    AuditEntry entry;
    entry.timeMs = nowMs();
    entry.token = token;
    entry.role = std::string(api::toString(role));
    entry.peer = peer;
    entry.op = frame.op;
    entry.args = auditArgs(frame.args);
    entry.result = reply.ok() ? "ok" : std::string(api::toString(reply.error().code));
    entry.message = reply.ok() ? std::string() : reply.error().message;
    if (audit) {
        if (auto written = audit->write(entry); !written.ok())
            spdlog::error("audit.write error=\"{}\"", written.error().message);
    }
    std::string who = token.empty() ? peer : token + " (" + peer + ")";
    engine.addEvent("audit", frame.op,
                    frame.op + " by " + who + ": " +
                        (reply.ok() ? std::string("ok") : entry.result + ": " + entry.message),
                    reply.ok() ? "allowed" : entry.result);
}

// ---- the engine's stream to one session ---------------------------------------------------

struct Session::Listener : api::StreamListener
{
    std::weak_ptr<Session> session;
    api::Role role = api::Role::Viewer;
    bool stopped = false; ///< the session's stream ended; the engine may still call

    void onSnapshot(const api::Snapshot &s) override
    {
        if (stopped)
            return;
        if (auto self = session.lock())
            self->send(self->m_hub->snapshotFrame(s, role), Frame::Snapshot);
    }
    void onDelta(const api::Delta &d) override
    {
        if (stopped)
            return;
        if (auto self = session.lock())
            self->send(self->m_hub->deltaFrame(d), Frame::Delta);
    }
    void onMetrics(const api::MetricBatch &batch) override
    {
        if (stopped)
            return;
        if (auto self = session.lock())
            self->sendMetrics(std::make_shared<const std::string>(encodeMetrics(batch)));
    }
};

// ---- Session ------------------------------------------------------------------------------

Session::Session(std::shared_ptr<Hub> hub, std::string peer)
    : m_hub(std::move(hub))
    , m_peer(std::move(peer))
    , m_tokens(m_hub->options.burst)
    , m_refilled(Clock::now())
{
    if (!m_hub->tokensRequired())
        m_role = api::Role::Admin; // no tokens: loopback only (Server::start checks), trusted
}

Session::~Session() = default;

void Session::reply(const json &id, const api::Reply &r)
{
    send(std::make_shared<const std::string>(encodeReply(id, r)));
}

void Session::send(std::shared_ptr<const std::string> frame, Frame kind)
{
    if (m_closed)
        return;
    if (isStream(kind)) {
        m_queuedDeltaBytes += frame->size();
        if (m_queuedDeltaBytes > m_hub->options.maxQueuedBytes) {
            resync();
            return;
        }
    } else if (kind == Frame::Log) {
        m_queuedLogBytes += frame->size();
    }
    m_queue.emplace_back(std::move(frame), kind);
    writeNext();
}

void Session::resync()
{
    // A slow consumer: its stream stops here (never the master); the deltas not yet on their
    // way are dropped and it is told to take a new snapshot. This may run inside the engine's
    // call of our listener: the engine allows unsubscribing there.
    spdlog::warn("session.resync peer={} queued_bytes={}", m_peer, m_queuedDeltaBytes);
    unsubscribe();
    decltype(m_queue) kept;
    if (m_writing && !m_queue.empty())
        kept.push_back(std::move(m_queue.front())); // the frame being written
    for (auto &entry : m_queue) {
        if (entry.first && !isStream(entry.second))
            kept.push_back(std::move(entry)); // replies and log lines stay
    }
    m_queue.swap(kept);
    m_queuedDeltaBytes = 0;
    for (auto &entry : m_queue) {
        if (isStream(entry.second))
            m_queuedDeltaBytes += entry.first->size();
    }
    m_queue.emplace_back(std::make_shared<const std::string>(
                             encodeResync("the client did not keep up with the stream")),
                         Frame::Reply);
    writeNext();
}

void Session::sendMetrics(std::shared_ptr<const std::string> frame)
{
    if (m_closed)
        return;
    m_metrics = std::move(frame); // a batch still waiting is dropped: the newest is kept
    writeNext();
}

void Session::sendLog(std::uint64_t follow, api::LogLines lines)
{
    auto it = m_follows.find(follow);
    if (m_closed || it == m_follows.end())
        return;
    lines.skipped += std::int64_t(it->second.skipped);
    auto frame = std::make_shared<const std::string>(encodeLog(follow, lines));
    if (m_queuedLogBytes + frame->size() > m_hub->options.maxQueuedBytes / kLogShare) {
        it->second.skipped += lines.lines.size();
        return;
    }
    it->second.skipped = 0;
    send(std::move(frame), Frame::Log);
}

void Session::writeNext()
{
    if (m_writing || m_closed)
        return;
    if (m_queue.empty()) {
        if (!m_metrics)
            return;
        m_queue.emplace_back(std::move(m_metrics), Frame::Reply);
        m_metrics.reset();
    }
    if (m_batch && m_queue.front().second == Frame::Delta && m_queue.size() > 1)
        mergeDeltas();
    m_writing = true;
    write(m_queue.front().first, [self = shared_from_this()](bool ok) {
        self->m_writing = false;
        if (!self->m_queue.empty()) {
            auto &[frame, kind] = self->m_queue.front();
            std::size_t &bytes =
                kind == Frame::Log ? self->m_queuedLogBytes : self->m_queuedDeltaBytes;
            if (kind != Frame::Reply)
                bytes -= std::min(bytes, frame->size());
            self->m_queue.pop_front();
        }
        if (ok)
            self->writeNext();
    });
}

void Session::mergeDeltas()
{
    // The deltas waiting at the front become one `deltas` message: one write, one wake-up of
    // the client, for up to kMaxBatch of them.
    constexpr std::size_t kMaxBatch = 512;
    constexpr std::size_t kMaxBatchBytes = 512 * 1024;
    std::vector<std::shared_ptr<const std::string>> frames;
    std::size_t bytes = 0;
    for (const auto &[frame, kind] : m_queue) {
        if (kind != Frame::Delta || frames.size() == kMaxBatch || bytes > kMaxBatchBytes)
            break;
        frames.push_back(frame);
        bytes += frame->size();
    }
    if (frames.size() < 2)
        return;
    auto batch = std::make_shared<const std::string>(encodeDeltaBatch(frames));
    m_queue.erase(m_queue.begin(), m_queue.begin() + std::ptrdiff_t(frames.size()));
    m_queuedDeltaBytes -= std::min(m_queuedDeltaBytes, bytes);
    m_queuedDeltaBytes += batch->size();
    m_queue.emplace_front(std::move(batch), Frame::Batch);
}

void Session::closed()
{
    if (m_closed)
        return;
    m_closed = true;
    --m_hub->connections;
    unsubscribe();
    for (const auto &[id, follow] : m_follows)
        m_hub->engine.unfollowLogs(id);
    m_follows.clear();
    m_queue.clear();
    m_metrics.reset();
    m_hub->sessions.erase(shared_from_this());
    m_hub->engine.setClients(int(m_hub->sessions.size()));
}

void Session::subscribe(std::uint64_t since)
{
    unsubscribe();
    auto listener = std::make_shared<Listener>();
    listener->session = weak_from_this();
    listener->role = m_role.value_or(api::Role::Viewer);
    m_listener = listener;
    std::uint64_t id = m_hub->engine.subscribe(listener, since);
    if (listener->stopped) {
        // The snapshot or the deltas replayed from the ring already overflowed the queue (the
        // client was told to resync): this subscription is over before it began.
        m_hub->engine.unsubscribe(id);
        return;
    }
    m_subscription = id;
}

void Session::unsubscribe()
{
    if (m_listener)
        m_listener->stopped = true;
    m_listener.reset();
    if (m_subscription)
        m_hub->engine.unsubscribe(m_subscription);
    m_subscription = 0;
}

void Session::countBadFrame(const std::string &why)
{
    if (++m_badFrames >= m_hub->options.garbageLimit && !m_closing) {
        m_closing = true;
        unsubscribe();
        close(CloseCode::PolicyError, std::to_string(m_badFrames) + " frames in a row " + why);
    }
}

void Session::onOversizeFrame()
{
    // Answered first: the close frame follows the error in the queue.
    reply(json(), api::Error{api::ErrorCode::BadRequest,
                             "the frame is larger than " +
                                 std::to_string(m_hub->options.maxFrameBytes) + " bytes",
                             {}});
    m_closing = true;
    unsubscribe();
    close(CloseCode::TooBig, "frame too large");
}

void Session::onMessage(std::string text, bool isText)
{
    if (m_closed || m_closing)
        return;
    json id;
    api::Result<ClientFrame> frame =
        isText ? decodeClientFrame(text, &id)
               : api::Result<ClientFrame>(
                     api::Error{api::ErrorCode::BadRequest,
                                "binary frames are not part of the protocol: send text",
                                {}});
    if (!frame.ok()) {
        reply(id, frame.error());
        countBadFrame("were not requests");
        return;
    }
    m_badFrames = 0;
    // The request rate: a token bucket per connection.
    auto now = Clock::now();
    m_tokens = std::min(m_hub->options.burst,
                        m_tokens + std::chrono::duration<double>(now - m_refilled).count() *
                                       m_hub->options.requestsPerSecond);
    m_refilled = now;
    if (m_tokens < 1) {
        ++m_hub->refused;
        reply(frame->id, api::Error{api::ErrorCode::Busy,
                                    "too many requests: at most " +
                                        std::to_string(int(m_hub->options.requestsPerSecond)) +
                                        " a second on one connection",
                                    {}});
        return;
    }
    m_tokens -= 1;
    json id2 = frame->id;
    try {
        dispatch(std::move(*frame));
    } catch (const json::exception &e) {
        // `"token": 5`, `"protocol": "one"`: the client's error, answered, never the master's end.
        reply(id2, api::Error{api::ErrorCode::BadRequest,
                              std::string("args: a field has the wrong type (") + e.what() + ")",
                              {}});
    }
}

void Session::dispatch(ClientFrame frame)
{
    Hub &hub = *m_hub;
    ++hub.requests;
    const api::OpInfo *info = api::findOp(frame.op);
    if (!info) {
        reply(frame.id,
              api::Error{api::ErrorCode::BadRequest, "unknown op \"" + frame.op + "\"", {}});
        return;
    }
    if (info->op == api::Op::Hello) {
        auto given = frame.args.find("protocol");
        if (given != frame.args.end() && !given->is_number_integer()) {
            reply(
                frame.id,
                api::Error{api::ErrorCode::BadRequest, "\"protocol\" must be a whole number", {}});
            return;
        }
        long long protocol = given == frame.args.end() ? kProtocolVersion : given->get<long long>();
        if (protocol != kProtocolVersion) {
            reply(frame.id, api::Error{api::ErrorCode::BadRequest,
                                       "protocol " + std::to_string(protocol) +
                                           " is not spoken here (this master speaks " +
                                           std::to_string(kProtocolVersion) + ")",
                                       {}});
            return;
        }
        if (hub.tokensRequired()) {
            std::string token = frame.args.value("token", std::string());
            std::optional<TokenEntry> entry =
                token.empty() ? std::nullopt : hub.tokens->verify(token);
            if (!entry) {
                ++hub.refused;
                spdlog::warn("session.unauthorized peer={} reason=\"{}\"", m_peer,
                             token.empty() ? "no token" : "wrong token");
                reply(frame.id, api::Error{api::ErrorCode::Unauthorized,
                                           token.empty() ? "this master needs a token"
                                                         : "the token is not valid here",
                                           {}});
                if (++m_unauthorized >= kMaxUnauthorized && !m_closing) {
                    m_closing = true;
                    close(CloseCode::PolicyError,
                          std::to_string(m_unauthorized) + " requests without a valid token");
                }
                return;
            }
            m_role = entry->role;
            m_tokenName = entry->name;
        }
        spdlog::info("session.hello peer={} token={} role={} client=\"{}\"", m_peer,
                     m_tokenName.empty() ? "-" : m_tokenName, api::toString(*m_role),
                     frame.args.value("client", std::string()));
        reply(frame.id, json{{"server", std::string("droverd/") + kVersion},
                             {"role", api::toString(*m_role)},
                             {"protocol", kProtocolVersion}});
        return;
    }
    auto refuse = [&](api::ErrorCode code, const std::string &message) {
        ++hub.refused;
        api::Reply r = api::Error{code, message, {}};
        if (info->mutating)
            hub.audited(m_tokenName, m_role.value_or(api::Role::Viewer), m_peer, frame, r);
        reply(frame.id, r);
    };
    if (!m_role) {
        refuse(api::ErrorCode::Unauthorized, "say hello with a token first");
        // A client without a token does not get to fill the audit log: it is closed soon.
        if (++m_unauthorized >= kMaxUnauthorized && !m_closing) {
            m_closing = true;
            unsubscribe();
            close(CloseCode::PolicyError,
                  std::to_string(m_unauthorized) + " requests without a valid token");
        }
        return;
    }
    if (*m_role < info->minRole) {
        refuse(api::ErrorCode::Forbidden, "role " + std::string(api::toString(*m_role)) +
                                              " may not " + frame.op + " (it needs " +
                                              std::string(api::toString(info->minRole)) + ")");
        return;
    }
    if (info->op == api::Op::Subscribe) {
        std::uint64_t since = 0;
        if (auto s = frame.args.find("since"); s != frame.args.end() && s->is_number_unsigned())
            since = s->get<std::uint64_t>();
        auto batch = frame.args.find("batch");
        m_batch = batch != frame.args.end() && batch->is_boolean() && batch->get<bool>();
        reply(frame.id, json::object()); // the reply first, then the snapshot or the deltas
        subscribe(since);
        return;
    }
    if (info->op == api::Op::Unsubscribe) {
        unsubscribe();
        reply(frame.id, json::object());
        return;
    }
    if (info->op == api::Op::MetricsFollow) {
        if (!m_subscription) {
            reply(frame.id, api::Error{api::ErrorCode::BadRequest, "subscribe first", {}});
            return;
        }
        std::vector<std::string> series;
        for (const json &s : frame.args.value("series", json::array())) {
            if (s.is_string())
                series.push_back(s.get<std::string>());
        }
        hub.engine.setMetricSeries(m_subscription, std::move(series));
        reply(frame.id, json::object());
        return;
    }
    if (info->op == api::Op::LogsFollow) {
        followLogs(frame);
        return;
    }
    if (info->op == api::Op::LogsUnfollow) {
        unfollowLogs(frame);
        return;
    }
    std::weak_ptr<Session> weak = weak_from_this();
    std::shared_ptr<Hub> keep = m_hub;
    json id = frame.id;
    bool mutating = info->mutating;
    api::Role role = *m_role;
    auto framePtr = std::make_shared<ClientFrame>(std::move(frame));
    hub.engine.request(
        framePtr->op, framePtr->args,
        [weak, keep, id, mutating, role, framePtr, token = m_tokenName,
         peer = m_peer](api::Reply r) {
            if (mutating)
                keep->audited(token, role, peer, *framePtr, r);
            if (auto self = weak.lock())
                self->reply(id, r);
        },
        role, m_tokenName.empty() ? std::string("local") : m_tokenName);
}

void Session::followLogs(const ClientFrame &frame)
{
    if (m_follows.size() >= kMaxFollows) {
        reply(frame.id, api::Error{api::ErrorCode::Busy,
                                   "at most " + std::to_string(kMaxFollows) +
                                       " logs followed at once on one connection",
                                   {}});
        return;
    }
    // The engine replies before followLogs() returns, with the follow's id; its lines come
    // later, on the loop, once the id is known here.
    auto followId = std::make_shared<std::uint64_t>(0);
    api::Reply result = json::object();
    std::uint64_t id = m_hub->engine.followLogs(
        frame.args,
        [weak = weak_from_this(), followId](api::LogLines lines) {
            if (auto self = weak.lock())
                self->sendLog(*followId, std::move(lines));
        },
        [&result](api::Reply r) { result = std::move(r); });
    if (id) {
        *followId = id;
        m_follows[id] = Follow{};
    }
    reply(frame.id, result);
}

void Session::unfollowLogs(const ClientFrame &frame)
{
    auto given = frame.args.find("follow");
    std::uint64_t id =
        given != frame.args.end() && given->is_number_unsigned() ? given->get<std::uint64_t>() : 0;
    // Only this session's own follows: ids are the engine's, shared by every session.
    auto it = m_follows.find(id);
    if (it == m_follows.end()) {
        reply(frame.id, api::Error{api::ErrorCode::NotFound,
                                   "no log follow " + std::to_string(id) + " on this connection",
                                   {}});
        return;
    }
    m_hub->engine.unfollowLogs(id);
    m_follows.erase(it);
    reply(frame.id, json::object());
}

} // namespace drover::remote
