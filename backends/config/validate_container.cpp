// `image:` on a pool (with `mounts:`, `network:` and `pull:`): its workers are podman
// containers.
#include "config/validate_sections.h"

namespace drover::config::detail {

namespace {

/// An image reference as podman takes it: no spaces, no scheme, not empty.
bool imageValue(Ctx &ctx, const Node *n, const std::string &path, std::string &out)
{
    std::string text;
    if (!str(ctx, n, path, text, false))
        return false;
    if (text.find_first_of(" \t\n") != std::string::npos) {
        ctx.local(*n, path, "an image name has no spaces, e.g. docker.io/library/nginx:1.25");
        return false;
    }
    if (text.find("://") != std::string::npos) {
        ctx.local(*n, path, "an image is named without a scheme, e.g. quay.io/podman/hello:latest");
        return false;
    }
    out = text;
    return true;
}

bool absolute(Ctx &ctx, const Node &n, const std::string &path, const std::string &value,
              std::string_view what)
{
    if (value.empty() || value.front() != '/') {
        ctx.local(n, path, std::string(what) + " must be an absolute path, got " + quote(value));
        return false;
    }
    return true;
}

/// `SOURCE:TARGET[:ro|:rw]`, or `{source, target, read_only}`. A relative source is taken
/// from the config file's directory, as `cwd:` is.
void readMount(Ctx &ctx, const Node &n, const std::string &path, std::vector<MountSpec> &out)
{
    MountSpec m;
    if (n.isMap()) {
        Fields f(ctx, &n, path, {"source", "target", "read_only"});
        if (!pathValue(ctx, f.require("source"), f.path("source"), m.source))
            return;
        if (!str(ctx, f.require("target"), f.path("target"), m.target, false))
            return;
        if (!absolute(ctx, *f.get("target"), f.path("target"), m.target, "the target"))
            return;
        boolean(ctx, f.get("read_only"), f.path("read_only"), m.readOnly);
        out.push_back(std::move(m));
        return;
    }
    std::string text;
    if (!scalarText(ctx, &n, path, "a mount like /srv/data:/data:ro", text))
        return;
    std::vector<std::string> parts;
    for (std::size_t from = 0;;) {
        std::size_t colon = text.find(':', from);
        parts.push_back(text.substr(from, colon - from));
        if (colon == std::string::npos)
            break;
        from = colon + 1;
    }
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
        ctx.local(n, path, "expected SOURCE:TARGET or SOURCE:TARGET:ro, got " + quote(text));
        return;
    }
    if (parts.size() == 3) {
        if (parts[2] != "ro" && parts[2] != "rw") {
            ctx.local(n, path, "the mount's option is ro or rw, got " + quote(parts[2]));
            return;
        }
        m.readOnly = parts[2] == "ro";
    }
    m.source = resolvePath(ctx, parts[0]);
    m.target = parts[1];
    if (!absolute(ctx, n, path, m.target, "the target"))
        return;
    out.push_back(std::move(m));
}

} // namespace

void readContainer(Ctx &ctx, const Fields &f, PoolSpec &pool, bool isTemplate)
{
    const Node *image = f.get("image");
    if (!image || image->isNull()) {
        // Without an image the container keys mean nothing; a template may hold them for
        // pools that give the image.
        if (isTemplate)
            return;
        for (std::string_view key : {"mounts", "network", "pull"}) {
            const Entry *e = f.entry(key);
            if (!e || e->value.isNull())
                continue;
            std::string msg =
                std::string(key) + " is only for a container worker: give the pool an image";
            if (e->value.fromTemplate)
                msg += " (inherited through extends; write " + std::string(key) +
                       ": ~ in the pool to drop it)";
            ctx.error(e->keyMark, f.path(key), std::move(msg));
        }
        return;
    }
    ContainerSpec c;
    if (!imageValue(ctx, image, f.path("image"), c.image))
        return;
    if (const Node *mounts = f.get("mounts"); mounts && !mounts->isNull()) {
        if (!mounts->isSequence())
            ctx.local(*mounts, f.path("mounts"), "expected a list, got " + describe(*mounts));
        else
            for (std::size_t i = 0; i < mounts->items.size(); ++i)
                readMount(ctx, mounts->items[i], at(f.path("mounts"), i), c.mounts);
    }
    choice(ctx, f.get("network"), f.path("network"), c.network,
           {{"private", ContainerNetwork::Private}, {"host", ContainerNetwork::Host}});
    choice(ctx, f.get("pull"), f.path("pull"), c.pull,
           {{"missing", PullPolicy::Missing},
            {"always", PullPolicy::Always},
            {"never", PullPolicy::Never}});
    pool.container = std::move(c);
}

} // namespace drover::config::detail
