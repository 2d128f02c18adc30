// libFuzzer: any bytes as a client's frame and as a master's frame. Besides crashes, sanitizer
// findings and time-outs, it checks the codec's promises: a client frame is a request with an
// id and an op, or a bad_request error; the error reply is itself a valid frame that the
// client side reads back with the same id; an op the table knows has a role; whatever the
// master's side decodes, it can encode again.
#include "api/codec.h"
#include "remote/wire.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace drover;
    std::string_view text(reinterpret_cast<const char *>(data), size);

    nlohmann::json id;
    auto frame = remote::decodeClientFrame(text, &id);
    if (frame.ok()) {
        if (frame->op.empty() || !(frame->id.is_number_integer() || frame->id.is_string()) ||
            !frame->args.is_object())
            std::abort();
        if (const api::OpInfo *op = api::findOp(frame->op); op && op->name != frame->op)
            std::abort();
        id = frame->id;
    } else if (frame.error().code != api::ErrorCode::BadRequest || frame.error().message.empty()) {
        std::abort();
    }
    // The reply the master would send, read back by a client.
    api::Reply reply =
        frame.ok() ? api::Reply(nlohmann::json::object()) : api::Reply(frame.error());
    auto back = remote::decodeServerFrame(remote::encodeReply(id, reply));
    if (!back.ok() || back->kind != remote::ServerFrame::Kind::Reply || back->id != id ||
        back->reply.ok() != reply.ok())
        std::abort();

    // The same bytes as a master's frame: the client side never crashes, and what it reads
    // encodes again.
    auto server = remote::decodeServerFrame(text);
    if (server.ok()) {
        switch (server->kind) {
        case remote::ServerFrame::Kind::Snapshot:
            (void)remote::encodeSnapshot(server->snapshot);
            break;
        case remote::ServerFrame::Kind::Delta:
            (void)remote::encodeDelta(server->delta);
            break;
        case remote::ServerFrame::Kind::Metrics:
            (void)remote::encodeMetrics(server->metrics);
            break;
        case remote::ServerFrame::Kind::Reply:
            (void)remote::encodeReply(server->id, server->reply);
            break;
        case remote::ServerFrame::Kind::Deltas:
            for (const api::Delta &d : server->deltas)
                (void)remote::encodeDelta(d);
            break;
        case remote::ServerFrame::Kind::Log:
            (void)remote::encodeLog(server->follow, server->log);
            break;
        case remote::ServerFrame::Kind::Resync:
            (void)remote::encodeResync(server->reason);
            break;
        }
    }
    return 0;
}
