#include "engine/cgroup.h"

#include "engine/cgroupfs.h"
#include "engine/cgrouplimits.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <linux/magic.h>
#include <optional>
#include <set>
#include <string_view>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <system_error>
#include <unistd.h>

namespace drover::engine {

using namespace cgroupfs;

namespace {

constexpr const char *kControllers[] = {"memory", "cpu", "pids"};

/// mkdir that accepts an existing directory; 0 or the errno.
int makeDir(const std::string &path)
{
    if (::mkdir(path.c_str(), 0755) == 0)
        return 0;
    int err = errno;
    struct stat st = {};
    if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    return err;
}

/// makeDir, and then whether we may make groups in it (an existing one may be root's); 0 or
/// the errno.
int makeOurDir(const std::string &path)
{
    if (int err = makeDir(path))
        return err;
    return ::access(path.c_str(), W_OK) == 0 ? 0 : errno;
}

/// The filesystem magic of `path`, or 0 with `err` set.
unsigned long fsMagic(const std::string &path, int &err)
{
    struct statfs fs = {};
    if (::statfs(path.c_str(), &fs) != 0) {
        err = errno;
        return 0;
    }
    err = 0;
    return static_cast<unsigned long>(fs.f_type);
}

/// The number after `key` on a "key N" line (memory.events, memory.oom_control).
std::optional<std::uint64_t> keyedValue(std::string_view text, std::string_view key)
{
    while (!text.empty()) {
        std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        if (line.size() > key.size() && line.substr(0, key.size()) == key &&
            line[key.size()] == ' ') {
            std::string_view num = line.substr(key.size() + 1);
            std::uint64_t value = 0;
            auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), value);
            if (ec == std::errc())
                return value;
        }
    }
    return std::nullopt;
}

/// A directory name we are willing to make under a cgroup mount.
bool validName(const std::string &name)
{
    return !name.empty() && name != "." && name != ".." && name.size() <= 200 &&
           name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

std::string joinList(const std::vector<std::string> &items, const char *sep)
{
    std::string out;
    for (const std::string &item : items) {
        if (!out.empty())
            out += sep;
        out += item;
    }
    return out;
}

/// The key file of a controller, present in every non-root group of its hierarchy: it tells
/// that a v1 mount really carries that controller.
std::string keyFile(std::string_view controller)
{
    if (controller == "memory")
        return "memory.limit_in_bytes";
    if (controller == "cpu")
        return "cpu.shares";
    return "pids.max";
}

/// Enables `controller` for the children of `unified/parent`: in the root's
/// cgroup.subtree_control (unless already there), then in the parent's. 0 or the errno.
int enableV2(const std::string &unified, const std::string &parentDir,
             const std::string &controller, std::string &where)
{
    int err = 0;
    where = unified + "/cgroup.subtree_control";
    std::string enabled = readFile(where, err);
    if (err == 0 && !hasWord(enabled, controller))
        err = writeFile(where, "+" + controller);
    if (err != 0)
        return err;
    where = parentDir;
    if ((err = makeOurDir(parentDir)) != 0)
        return err;
    where = parentDir + "/cgroup.subtree_control";
    enabled = readFile(where, err);
    if (err == 0 && !hasWord(enabled, controller))
        err = writeFile(where, "+" + controller);
    return err;
}

/// "memory:/process_api/x" entries of `self` that are not a hierarchy's root, for the
/// controllers in `v1` and, with `v2`, the unified one; co-mounted controllers once.
std::string nestedSelf(const std::vector<std::pair<std::string, std::string>> &self,
                       const std::vector<std::string> &v1, bool v2)
{
    std::vector<std::string> found;
    for (const auto &[name, path] : self) {
        if (path == "/" || path.empty())
            continue;
        std::string entry;
        if (name.empty() && v2)
            entry = "cgroup v2 " + path;
        else if (!name.empty() && std::find(v1.begin(), v1.end(), name) != v1.end())
            entry = name + ":" + path;
        if (!entry.empty() && std::find(found.begin(), found.end(), entry) == found.end())
            found.push_back(entry);
    }
    return joinList(found, ", ");
}

/// Not ours to write: a service run as its own user (systemd's User=), where the hierarchy's
/// root belongs to root and only the service's group was delegated to it (Delegate=yes).
bool denied(int err)
{
    return err == EACCES || err == EPERM || err == EROFS;
}

/// Whether `dir`, our own group, was delegated to us: systemd chowns a delegated group (its
/// directory and cgroup.procs) to the service's user.
bool delegatedToUs(const std::string &dir)
{
    return ::access(dir.c_str(), W_OK) == 0 && ::access((dir + "/cgroup.procs").c_str(), W_OK) == 0;
}

/// On cgroup v2 a group with children in a controller may hold no process itself: drover
/// moves into `<dir>/droverd` before enabling controllers for the workers' groups beside it.
int leaveForLeaf(const std::string &dir, std::string &where)
{
    int err = 0;
    where = dir + "/cgroup.procs";
    std::string inside = readFile(where, err);
    if (err != 0 || inside.find_first_not_of(" \n") == std::string::npos)
        return err;
    where = dir + "/droverd";
    if ((err = makeDir(where)) != 0)
        return err;
    where += "/cgroup.procs";
    return writeFile(where, std::to_string(::getpid()));
}

/// Opens what the spawner's child joins `dir` through (WorkerCgroup::v1TaskFds, v2DirFd,
/// v2ProcsFd); a problem when it cannot.
void openJoin(const std::string &dir, bool v2, WorkerCgroup &g)
{
    std::string join = dir + (v2 ? "/cgroup.procs" : "/tasks");
    int fd = ::open(join.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        g.problems.push_back("cgroup: cannot open " + join + ": " + errorText(errno));
    } else if (!v2) {
        g.v1TaskFds.push_back(fd);
    } else {
        g.v2ProcsFd = fd;
        g.v2DirFd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
}

} // namespace

std::vector<std::pair<std::string, std::string>> processGroups(int pid)
{
    int err = 0;
    std::string text = readFile(pid > 0 ? "/proc/" + std::to_string(pid) + "/cgroup"
                                        : std::string("/proc/self/cgroup"),
                                err);
    std::vector<std::pair<std::string, std::string>> out;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::size_t eol = rest.find('\n');
        std::string_view line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
        std::size_t a = line.find(':');
        std::size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
        if (b == std::string_view::npos)
            continue;
        std::string_view list = line.substr(a + 1, b - a - 1);
        const std::string path(line.substr(b + 1));
        if (list.empty())
            out.emplace_back("", path);
        while (!list.empty()) {
            std::size_t comma = list.find(',');
            out.emplace_back(std::string(list.substr(0, comma)), path);
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        }
    }
    return out;
}

std::string groupFor(const std::vector<std::pair<std::string, std::string>> &groups,
                     const std::string &controller)
{
    for (const auto &[name, path] : groups)
        if (name == controller)
            return path == "/" ? std::string() : path;
    return {};
}

void WorkerCgroup::closeFds()
{
    for (int fd : v1TaskFds)
        if (fd >= 0)
            ::close(fd);
    v1TaskFds.clear();
    for (int *fd : {&v2DirFd, &v2ProcsFd}) {
        if (*fd >= 0)
            ::close(*fd);
        *fd = -1;
    }
}

Cgroups Cgroups::detect(std::string parent, std::string root)
{
    Cgroups c;
    while (root.size() > 1 && root.back() == '/')
        root.pop_back();
    c.m_root = root;
    c.m_parent = std::move(parent);
    if (!validName(c.m_parent)) {
        c.m_why = "invalid group name \"" + c.m_parent + "\"";
        for (const char *name : kControllers)
            c.m_missing.emplace_back(name, std::string(name) + ": " + c.m_why);
        return c;
    }

    // The unified hierarchy: the root itself on a pure v2 machine, <root>/unified on a
    // hybrid one.
    std::string unified;
    int err = 0;
    if (fsMagic(root, err) == CGROUP2_SUPER_MAGIC)
        unified = root;
    else if (fsMagic(root + "/unified", err) == CGROUP2_SUPER_MAGIC)
        unified = root + "/unified";
    std::string v2Controllers;
    int v2Err = 0;
    if (!unified.empty())
        v2Controllers = readFile(unified + "/cgroup.controllers", v2Err);

    // Our own groups: where the workers' groups go when the hierarchy's root is not ours to
    // write but our own group was delegated to us (the droverd service).
    const auto self = processGroups(0);
    std::string v2Top = unified;
    std::vector<std::string> delegated;

    std::vector<dev_t> devs; // of each v1 hierarchy, to share co-mounted ones (cpu,cpuacct)
    std::vector<std::string> v1Used;
    bool v2Used = false;
    for (const char *nameChars : kControllers) {
        const std::string name = nameChars;
        std::vector<std::string> why;

        if (!unified.empty()) {
            std::string where;
            int e = 0;
            if (v2Err != 0) {
                why.push_back("cgroup v2 " + unified + ": cgroup.controllers: " + errorText(v2Err));
            } else if (!hasWord(v2Controllers, name)) {
                why.push_back("cgroup v2 " + unified + ": " + name + " not in cgroup.controllers");
            } else if ((e = enableV2(v2Top, v2Top + "/" + c.m_parent, name, where)) != 0) {
                const std::string own = groupFor(self, "");
                if (denied(e) && v2Top == unified && !own.empty() && delegatedToUs(unified + own)) {
                    // The root is not ours, our own group is: the workers' groups go in it.
                    std::string whereOwn;
                    e = leaveForLeaf(unified + own, whereOwn);
                    if (e == 0)
                        e = enableV2(unified + own, unified + own + "/" + c.m_parent, name,
                                     whereOwn);
                    if (e == 0) {
                        v2Top = unified + own;
                        delegated.push_back("cgroup v2 " + own);
                    } else {
                        why.push_back("cgroup v2 " + where + ": denied; delegated " + whereOwn +
                                      ": " + errorText(e));
                    }
                } else {
                    why.push_back("cgroup v2 " + where + ": " + errorText(e));
                }
            }
            if (v2Err == 0 && hasWord(v2Controllers, name) && e == 0) {
                auto it = std::find_if(c.m_hierarchies.begin(), c.m_hierarchies.end(),
                                       [](const Hierarchy &h) { return h.v2; });
                if (it == c.m_hierarchies.end()) {
                    c.m_hierarchies.push_back({v2Top + "/" + c.m_parent, true, {}});
                    devs.push_back(0);
                    it = c.m_hierarchies.end() - 1;
                }
                it->controllers.push_back(name);
                c.m_controllers.push_back(name);
                v2Used = true;
                continue;
            }
        }

        const std::string mount = root + "/" + name;
        const std::string base = mount + "/" + c.m_parent;
        struct stat st = {};
        unsigned long magic = fsMagic(mount, err);
        if (err != 0) {
            why.push_back("cgroup v1 " + mount + ": " + errorText(err));
        } else if (magic != CGROUP_SUPER_MAGIC) {
            why.push_back("cgroup v1 " + mount + ": not a cgroup v1 mount");
        } else if (::stat(mount.c_str(), &st) != 0) {
            why.push_back("cgroup v1 " + mount + ": " + errorText(errno));
        } else {
            auto same = std::find(devs.begin(), devs.end(), st.st_dev);
            std::size_t index = static_cast<std::size_t>(same - devs.begin());
            bool shared = same != devs.end() && !c.m_hierarchies[index].v2;
            std::string dir = shared ? c.m_hierarchies[index].base : base;
            bool existed = exists(dir);
            int e = shared ? 0 : makeOurDir(dir);
            if (const std::string own = groupFor(self, name);
                denied(e) && !own.empty() && delegatedToUs(mount + own)) {
                // The root is not ours, our own group is (systemd's Delegate=yes on v1).
                dir = mount + own + "/" + c.m_parent;
                existed = exists(dir);
                if ((e = makeOurDir(dir)) == 0)
                    delegated.push_back(name + ":" + own);
            }
            if (e != 0) {
                why.push_back("cgroup v1 " + mount + ": " + errorText(e));
            } else if (!exists(dir + "/" + keyFile(name))) {
                if (!existed)
                    ::rmdir(dir.c_str());
                why.push_back("cgroup v1 " + mount + ": no " + name + " controller there");
            } else {
                if (shared) {
                    c.m_hierarchies[index].controllers.push_back(name);
                } else {
                    c.m_hierarchies.push_back({dir, false, {name}});
                    devs.push_back(st.st_dev);
                }
                c.m_controllers.push_back(name);
                v1Used.push_back(name);
                continue;
            }
        }
        c.m_missing.emplace_back(name, name + ": no writable " + name + " controller (" +
                                           joinList(why, "; ") + ")");
    }

    if (v2Used)
        c.m_mode = Mode::V2;
    else if (!v1Used.empty())
        c.m_mode = Mode::V1;
    if (c.m_mode == Mode::None) {
        std::vector<std::string> reasons;
        for (const auto &missing : c.m_missing)
            reasons.push_back(missing.second);
        c.m_why = joinList(reasons, "; ");
    } else if (!delegated.empty()) {
        c.m_delegated = joinList(delegated, ", ");
    } else {
        c.m_self = nestedSelf(self, v1Used, v2Used);
    }
    return c;
}

const Cgroups::Hierarchy *Cgroups::hierarchyOf(const std::string &controller) const
{
    for (const Hierarchy &h : m_hierarchies)
        if (std::find(h.controllers.begin(), h.controllers.end(), controller) !=
            h.controllers.end())
            return &h;
    return nullptr;
}

std::string Cgroups::whyMissing(const std::string &controller) const
{
    for (const auto &missing : m_missing)
        if (missing.first == controller)
            return missing.second;
    return controller + ": no " + controller + " controller";
}

std::string Cgroups::describe() const
{
    if (m_mode == Mode::None)
        return "none: " + m_why;
    std::vector<std::string> v2, v1;
    for (const std::string &name : m_controllers)
        (hierarchyOf(name)->v2 ? v2 : v1).push_back(name);
    std::vector<std::string> parts;
    if (!v2.empty())
        parts.push_back("cgroup v2 (" + joinList(v2, ", ") + ")");
    if (!v1.empty())
        parts.push_back("cgroup v1 (" + joinList(v1, ", ") + ")");
    std::string out = joinList(parts, " + ");
    for (const auto &missing : m_missing)
        out += "; " + missing.second;
    if (!m_delegated.empty())
        out += "; worker groups are made in the group delegated to drover (" + m_delegated + ")";
    if (!m_self.empty())
        out += "; drover itself is in " + m_self + ", worker groups are made at the hierarchy root";
    return out;
}

WorkerCgroup Cgroups::create(const std::string &worker, const config::LimitsSpec &limits) const
{
    WorkerCgroup g;
    if (!validName(worker)) {
        for (const char *name : kControllers)
            if (cgrouplimits::asked(limits, name))
                g.problems.push_back(std::string(name) + ": invalid worker name \"" + worker +
                                     "\"");
        return g;
    }
    for (const char *name : kControllers)
        if (cgrouplimits::asked(limits, name) && !hierarchyOf(name))
            g.problems.push_back(whyMissing(name));

    for (const Hierarchy &h : m_hierarchies) {
        std::string dir = h.base + "/" + worker;
        if (int err = makeDir(dir)) {
            bool any = false;
            for (const std::string &name : h.controllers) {
                if (cgrouplimits::asked(limits, name)) {
                    g.problems.push_back(name + ": cannot create " + dir + ": " + errorText(err));
                    any = true;
                }
            }
            if (!any)
                g.problems.push_back("cgroup: cannot create " + dir + ": " + errorText(err));
            continue;
        }
        g.dirs.push_back(dir);
        for (const std::string &name : h.controllers) {
            cgrouplimits::write(dir, h.v2, name, limits, g);
            if (name == "memory")
                g.memoryDir = dir;
        }
        openJoin(dir, h.v2, g);
    }
    g.oomKillsAtStart = oomKills(g);
    g.written = limits;
    return g;
}

WorkerCgroup Cgroups::reopen(WorkerCgroup made) const
{
    made.closeFds();
    for (const Hierarchy &h : m_hierarchies) {
        for (const std::string &dir : made.dirs)
            if (dir.size() > h.base.size() && dir.compare(0, h.base.size(), h.base) == 0 &&
                dir[h.base.size()] == '/')
                openJoin(dir, h.v2, made);
    }
    made.oomKillsAtStart = oomKills(made);
    return made;
}

std::uint64_t Cgroups::oomKills(const WorkerCgroup &group)
{
    if (group.memoryDir.empty())
        return 0;
    int err = 0;
    std::string text = readFile(group.memoryDir + "/memory.events", err); // v2
    if (err != 0)
        text = readFile(group.memoryDir + "/memory.oom_control", err); // v1
    if (err != 0)
        return 0;
    return keyedValue(text, "oom_kill").value_or(0);
}

std::vector<int> Cgroups::pids(const WorkerCgroup &group)
{
    std::set<int> found;
    for (const std::string &dir : group.dirs) {
        int err = 0;
        std::string text = readFile(dir + "/cgroup.procs", err);
        const char *p = text.data();
        const char *end = p + text.size();
        while (p < end) {
            int pid = 0;
            auto [next, ec] = std::from_chars(p, end, pid);
            if (ec == std::errc() && pid > 0)
                found.insert(pid);
            p = next;
            while (p < end && (*p < '0' || *p > '9'))
                ++p;
        }
    }
    return {found.begin(), found.end()};
}

int Cgroups::signalAll(const WorkerCgroup &group, int sig)
{
    const int self = static_cast<int>(::getpid());
    std::set<int> done;
    int count = 0;
    for (int round = 0; round < 4; ++round) {
        bool fresh = false;
        for (int pid : pids(group)) {
            if (pid <= 1 || pid == self || !done.insert(pid).second)
                continue;
            fresh = true;
            if (::kill(pid, sig) == 0)
                ++count;
        }
        if (!fresh)
            break;
    }
    return count;
}

bool Cgroups::remove(const WorkerCgroup &group)
{
    bool all = true;
    for (const std::string &dir : group.dirs)
        if (::rmdir(dir.c_str()) != 0 && errno != ENOENT)
            all = false;
    return all;
}

WorkerCgroup Cgroups::find(const std::string &worker) const
{
    WorkerCgroup g;
    if (!validName(worker))
        return g;
    for (const Hierarchy &h : m_hierarchies) {
        std::string dir = h.base + "/" + worker;
        struct stat st = {};
        if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        g.dirs.push_back(dir);
        if (std::find(h.controllers.begin(), h.controllers.end(), "memory") != h.controllers.end())
            g.memoryDir = dir;
        for (const std::string &controller : h.controllers)
            if (std::string limit = cgrouplimits::read(dir, controller, h.v2); !limit.empty())
                g.applied.push_back(limit);
    }
    g.oomKillsAtStart = oomKills(g);
    return g;
}

} // namespace drover::engine
