#include "remote/wire.h"

#include "api/codec.h"

#include <array>
#include <limits>

namespace drover::remote {

using api::Role;
using nlohmann::json;

namespace {

api::Error badRequest(std::string message)
{
    return api::Error{api::ErrorCode::BadRequest, std::move(message), {}};
}

/// j[key] as a whole number; `fallback` when it is missing, not a number, or a float out of
/// range (a float's conversion to an integer out of range is undefined behaviour).
template <class Int>
Int whole(const json &j, const char *key, Int fallback)
{
    auto it = j.find(key);
    if (it == j.end())
        return fallback;
    if (it->is_number_integer())
        return it->get<Int>();
    if (it->is_number_float()) {
        double v = it->get<double>();
        if (v >= double(std::numeric_limits<Int>::min()) &&
            v <= double(std::numeric_limits<Int>::max()))
            return static_cast<Int>(v);
    }
    return fallback;
}

template <class T>
T take(api::Result<T> r, std::string &error)
{
    if (!r.ok()) {
        error = r.error().message;
        return T{};
    }
    return std::move(*r);
}

/// j[key] when it is there, else an empty `fallback` of the same kind; by reference, so that
/// a snapshot's 10,000 workers are not copied before they are read.
const json &member(const json &j, const char *key)
{
    static const json null;
    auto it = j.find(key);
    return it == j.end() ? null : *it;
}

const json &arrayMember(const json &j, const char *key)
{
    static const json empty = json::array();
    const json &m = member(j, key);
    return m.is_array() ? m : empty;
}

/// The delta of a `delta` frame (or of one item of a `deltas` frame).
std::optional<std::string> decodeDelta(const json &j, api::Delta &delta, std::string &error)
{
    delta.seq = whole<std::uint64_t>(j, "seq", 0);
    std::string kind = j.value("kind", std::string());
    if (kind == "worker.upsert") {
        delta.kind = api::DeltaKind::WorkerUpsert;
        delta.value = take(api::workerFromJson(member(j, "worker")), error);
    } else if (kind == "worker.removed") {
        delta.kind = api::DeltaKind::WorkerRemoved;
        delta.value = j.value("worker", std::string());
    } else if (kind == "pool.upsert") {
        delta.kind = api::DeltaKind::PoolUpsert;
        delta.value = take(api::poolFromJson(member(j, "pool")), error);
    } else if (kind == "pool.removed") {
        delta.kind = api::DeltaKind::PoolRemoved;
        delta.value = j.value("pool", std::string());
    } else if (kind == "event") {
        delta.kind = api::DeltaKind::EventAdded;
        delta.value = take(api::eventFromJson(member(j, "event")), error);
    } else if (kind == "health.sample") {
        delta.kind = api::DeltaKind::HealthSampled;
        delta.value = take(api::healthSampleFromJson(member(j, "sample")), error);
    } else if (kind == "rollout.upsert") {
        delta.kind = api::DeltaKind::RolloutUpsert;
        delta.value = take(api::rolloutFromJson(member(j, "rollout")), error);
    } else {
        return "the master sent a delta of an unknown kind \"" + kind + "\"";
    }
    return std::nullopt;
}

} // namespace

api::Result<ClientFrame> decodeClientFrame(std::string_view text, json *idOut)
{
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded())
        return badRequest("the frame is not JSON");
    if (!j.is_object())
        return badRequest("the frame is not a JSON object");
    ClientFrame f;
    auto id = j.find("id");
    if (id != j.end() && (id->is_number_integer() || id->is_string()))
        f.id = *id;
    if (idOut)
        *idOut = f.id;
    if (f.id.is_null())
        return badRequest("the request has no \"id\" (a number or a string)");
    auto op = j.find("op");
    if (op == j.end() || !op->is_string() || op->get_ref<const std::string &>().empty())
        return badRequest("the request has no \"op\"");
    f.op = op->get<std::string>();
    if (auto args = j.find("args"); args != j.end() && !args->is_null()) {
        if (!args->is_object())
            return badRequest("\"args\" must be an object");
        f.args = std::move(*args);
    }
    // hello carries its fields at the top level (PROTOCOL.md); hand them on as args.
    for (const char *key : {"token", "client", "protocol", "since"}) {
        if (auto v = j.find(key); v != j.end() && !f.args.contains(key))
            f.args[key] = *v;
    }
    return f;
}

std::string encodeReply(const json &id, const api::Reply &reply)
{
    if (reply.ok())
        return json{{"id", id}, {"ok", true}, {"result", reply.value()}}.dump(
            -1, ' ', false, json::error_handler_t::replace);
    return json{{"id", id}, {"ok", false}, {"error", api::toJson(reply.error())}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
}

std::string encodeSnapshot(const api::Snapshot &snapshot, std::optional<api::Role> role)
{
    return api::snapshotText(snapshot, role);
}

std::string encodeDeltaBatch(std::span<const std::shared_ptr<const std::string>> frames)
{
    std::size_t size = 32;
    for (const auto &f : frames)
        size += f->size() + 1;
    std::string out;
    out.reserve(size);
    out += R"({"type":"deltas","deltas":[)";
    for (std::size_t i = 0; i < frames.size(); ++i) {
        if (i)
            out += ',';
        out += *frames[i];
    }
    out += "]}";
    return out;
}

std::string encodeDelta(const api::Delta &delta)
{
    return api::toJson(delta).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string encodeMetrics(const api::MetricBatch &batch)
{
    json points = json::array();
    for (const api::MetricPoint &p : batch.points)
        points.push_back(json{{"series", p.series}, {"v", p.value}});
    return json{{"type", "metrics"}, {"t", batch.timeMs}, {"points", std::move(points)}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
}

std::string encodeLog(std::uint64_t follow, const api::LogLines &lines)
{
    json j{{"type", "log"}, {"follow", follow}, {"lines", lines.lines}};
    if (lines.skipped != 0)
        j["skipped"] = lines.skipped;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string encodeResync(const std::string &reason)
{
    return json{{"type", "resync"}, {"reason", reason}}.dump();
}

api::Result<ServerFrame> decodeServerFrame(std::string_view text)
{
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return badRequest("the master sent a frame that is not a JSON object");
    ServerFrame f;
    std::string error;
    std::string type;
    try {
        type = j.value("type", std::string());
    } catch (const json::exception &) {
        return badRequest("the master sent a frame whose \"type\" is not a string");
    }
    try {
        if (type.empty()) {
            f.kind = ServerFrame::Kind::Reply;
            f.id = j.value("id", json());
            if (j.value("ok", false)) {
                f.reply = j.value("result", json::object());
            } else {
                const json e = j.value("error", json::object());
                api::Error err{api::parseErrorCode(e.value("code", std::string()))
                                   .value_or(api::ErrorCode::Internal),
                               e.value("message", std::string()),
                               {}};
                for (const json &d : e.value("details", json::array())) {
                    if (!d.is_object())
                        continue;
                    api::Diagnostic diag;
                    diag.file = d.value("file", std::string());
                    diag.line = whole<int>(d, "line", 0);
                    diag.column = whole<int>(d, "column", 0);
                    diag.path = d.value("path", std::string());
                    diag.message = d.value("message", std::string());
                    err.details.push_back(std::move(diag));
                }
                f.reply = std::move(err);
            }
            return f;
        }
        if (type == "snapshot") {
            f.kind = ServerFrame::Kind::Snapshot;
            f.snapshot.seq = whole<std::uint64_t>(j, "seq", 0);
            const json &workers = arrayMember(j, "workers");
            f.snapshot.workers.reserve(workers.size());
            for (const json &w : workers)
                f.snapshot.workers.push_back(take(api::workerFromJson(w), error));
            for (const json &p : arrayMember(j, "pools"))
                f.snapshot.pools.push_back(take(api::poolFromJson(p), error));
            for (const json &r : arrayMember(j, "rollouts"))
                f.snapshot.rollouts.push_back(take(api::rolloutFromJson(r), error));
            f.snapshot.configVersion = j.value("config_version", std::string());
            f.snapshot.role =
                api::parseRole(j.value("role", std::string("viewer"))).value_or(api::Role::Viewer);
        } else if (type == "delta") {
            f.kind = ServerFrame::Kind::Delta;
            if (auto unknown = decodeDelta(j, f.delta, error))
                return badRequest(*unknown);
        } else if (type == "deltas") {
            f.kind = ServerFrame::Kind::Deltas;
            const json &items = arrayMember(j, "deltas");
            f.deltas.resize(items.size());
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (!items[i].is_object())
                    return badRequest("the master sent a deltas frame with an item that is not "
                                      "an object");
                if (auto unknown = decodeDelta(items[i], f.deltas[i], error))
                    return badRequest(*unknown);
            }
        } else if (type == "metrics") {
            f.kind = ServerFrame::Kind::Metrics;
            f.metrics.timeMs = whole<std::int64_t>(j, "t", 0);
            for (const json &p : arrayMember(j, "points"))
                f.metrics.points.push_back({p.value("series", std::string()), p.value("v", 0.0)});
        } else if (type == "log") {
            f.kind = ServerFrame::Kind::Log;
            f.follow = whole<std::uint64_t>(j, "follow", 0);
            for (const json &line : arrayMember(j, "lines"))
                f.log.lines.push_back(line.is_string() ? line.get<std::string>() : line.dump());
            f.log.skipped = whole<std::int64_t>(j, "skipped", 0);
        } else if (type == "resync") {
            f.kind = ServerFrame::Kind::Resync;
            f.reason = j.value("reason", std::string());
        } else {
            return badRequest("the master sent a frame of an unknown type \"" + type + "\"");
        }
    } catch (const json::exception &e) {
        return badRequest(std::string("the master sent a malformed frame: ") + e.what());
    }
    if (!error.empty())
        return badRequest("the master sent a malformed " + type + ": " + error);
    return f;
}

} // namespace drover::remote
