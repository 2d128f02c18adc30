#include "remote/tokens.h"

#include "api/atomicfile.h"
#include "api/clock.h"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace drover::remote {

namespace {

using api::nowMs;

using nlohmann::json;

constexpr int kFileVersion = 1;
constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kHexLength = 64;
constexpr std::string_view kPrefix = "drv_";
/// A tokens file holds a few lines per token; anything this large is not one.
constexpr std::size_t kMaxFileSize = 4 << 20;

api::Error makeError(api::ErrorCode code, std::string message)
{
    return api::Error{code, std::move(message), {}};
}

std::string quote(std::string_view text)
{
    return '"' + std::string(text) + '"';
}

api::Error ioError(const std::string &what, const std::string &path, int err)
{
    return makeError(api::ErrorCode::Internal,
                     what + ' ' + quote(path) + ": " + std::strerror(err));
}

bool isAsciiAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// The config's rule for names (backends/config/validate.cpp, nameValue).
bool validName(std::string_view name)
{
    return !name.empty() && name.size() <= 63 && isAsciiAlnum(name.front()) &&
           std::all_of(name.begin(), name.end(),
                       [](char c) { return isAsciiAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

std::string invalidNameMessage(std::string_view name)
{
    return "invalid token name " + quote(name) +
           " (letters, digits, \"-\", \"_\" and \".\", starting with a letter or digit, at most "
           "63)";
}

/// 64 hex digits, either case; lower-cased into `out`.
bool normalizeHex(std::string_view text, std::string &out)
{
    if (text.size() != kHexLength)
        return false;
    out.clear();
    for (char c : text) {
        if (c >= 'A' && c <= 'F')
            c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        out.push_back(c);
    }
    return true;
}

std::string toHex(const unsigned char *data, std::size_t size)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(kDigits[data[i] >> 4]);
        out.push_back(kDigits[data[i] & 0x0f]);
    }
    return out;
}

/// RFC 4648 §5 base64url, without padding.
std::string base64Url(const unsigned char *data, std::size_t size)
{
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((size * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const std::uint32_t v = (std::uint32_t(data[i]) << 16) | (std::uint32_t(data[i + 1]) << 8) |
                                std::uint32_t(data[i + 2]);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back(kAlphabet[v & 63]);
    }
    if (size - i == 1) {
        const std::uint32_t v = std::uint32_t(data[i]) << 16;
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
    } else if (size - i == 2) {
        const std::uint32_t v = (std::uint32_t(data[i]) << 16) | (std::uint32_t(data[i + 1]) << 8);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
    }
    return out;
}

/// Closes a descriptor at the end of a scope.
class Fd
{
public:
    explicit Fd(int fd = -1)
        : m_fd(fd)
    {}
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

/// Creates the state dir when it is missing: its parents as usual, itself mode 0700.
api::Result<bool> ensureDir(const std::string &dir)
{
    if (dir.empty())
        return makeError(api::ErrorCode::Internal, "no state dir to keep the tokens file in");
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path path(dir);
    if (fs::is_directory(path, ec))
        return true;
    const fs::path parent = path.parent_path();
    if (!parent.empty()) {
        fs::create_directories(parent, ec);
        if (ec)
            return makeError(api::ErrorCode::Internal, "cannot create directory " +
                                                           quote(parent.string()) + ": " +
                                                           ec.message());
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return ioError("cannot create the state dir", dir, errno);
    return true;
}

/// Holds `<state_dir>/tokens.json.lock` locked while a create or a revoke reads, changes and
/// rewrites the tokens file, so that two of them at once do not lose a token.
class FileLock
{
public:
    api::Result<bool> lock(const std::string &stateDir)
    {
        const std::string path = TokenStore::filePath(stateDir) + ".lock";
        m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (m_fd < 0)
            return ioError("cannot open", path, errno);
        int rc;
        do {
            rc = ::flock(m_fd, LOCK_EX);
        } while (rc != 0 && errno == EINTR);
        if (rc != 0)
            return ioError("cannot lock", path, errno);
        return true;
    }
    ~FileLock()
    {
        if (m_fd >= 0)
            ::close(m_fd); // releases the lock
    }

private:
    int m_fd = -1;
};

/// The tokens file as it is on disk; a missing file is an empty one.
api::Result<std::vector<TokenEntry>> readFile(const std::string &path)
{
    std::vector<TokenEntry> out;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) {
        if (errno == ENOENT)
            return out;
        return ioError("cannot open the tokens file", path, errno);
    }
    struct stat st
    {
    };
    if (::fstat(fd.get(), &st) != 0)
        return ioError("cannot read the tokens file", path, errno);
    if (!S_ISREG(st.st_mode))
        return makeError(api::ErrorCode::Internal,
                         "tokens file " + quote(path) + ": not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) > kMaxFileSize)
        return makeError(api::ErrorCode::Internal, "tokens file " + quote(path) + ": too large (" +
                                                       std::to_string(st.st_size) + " bytes)");
    std::string text;
    char buffer[16 * 1024];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ioError("cannot read the tokens file", path, errno);
        if (n == 0)
            break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > kMaxFileSize)
            return makeError(api::ErrorCode::Internal,
                             "tokens file " + quote(path) + ": too large");
    }

    auto bad = [&](const std::string &where, const std::string &what) {
        return makeError(api::ErrorCode::Internal,
                         "tokens file " + quote(path) + ": " +
                             (where.empty() ? what : where + ": " + what));
    };
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error &e) {
        // "[json.exception.parse_error.101] parse error at line 3, column 7: ..." without
        // the library's prefix.
        std::string what = e.what();
        if (const std::size_t at = what.find("] "); what.starts_with("[json.") && at != what.npos)
            what.erase(0, at + 2);
        return bad("", "not valid JSON: " + what);
    }
    if (!doc.is_object())
        return bad("", "expected an object {\"version\": 1, \"tokens\": [...]}");
    for (const auto &[key, value] : doc.items()) {
        if (key != "version" && key != "tokens")
            return bad(key, "unknown key");
    }
    const auto version = doc.find("version");
    if (version == doc.end() || !version->is_number_integer())
        return bad("version", "expected the file format version (1)");
    if (version->get<std::int64_t>() != kFileVersion)
        return bad("version",
                   "unsupported version " + version->dump() + " (this droverd reads version 1)");
    const auto tokens = doc.find("tokens");
    if (tokens == doc.end() || !tokens->is_array())
        return bad("tokens", "expected a list of {name, role, sha256, created}");

    std::set<std::string> names;
    for (std::size_t i = 0; i < tokens->size(); ++i) {
        const json &t = (*tokens)[i];
        const std::string where = "tokens[" + std::to_string(i) + "]";
        if (!t.is_object())
            return bad(where, "expected an object {name, role, sha256, created}");
        for (const auto &[key, value] : t.items()) {
            if (key != "name" && key != "role" && key != "sha256" && key != "created")
                return bad(where + '.' + key, "unknown key");
        }
        TokenEntry entry;
        const auto name = t.find("name");
        if (name == t.end() || !name->is_string())
            return bad(where + ".name", "expected a string");
        entry.name = name->get<std::string>();
        if (!validName(entry.name))
            return bad(where + ".name", invalidNameMessage(entry.name));
        if (!names.insert(entry.name).second)
            return bad(where + ".name", quote(entry.name) + " is used twice");
        const auto role = t.find("role");
        const std::optional<api::Role> parsed = role != t.end() && role->is_string()
                                                    ? api::parseRole(role->get<std::string>())
                                                    : std::nullopt;
        if (!parsed)
            return bad(where + ".role",
                       "expected one of viewer, operator, admin, got " +
                           (role == t.end() ? std::string("nothing") : role->dump()));
        entry.role = *parsed;
        const auto hash = t.find("sha256");
        if (hash == t.end() || !hash->is_string() ||
            !normalizeHex(hash->get<std::string>(), entry.sha256))
            return bad(where + ".sha256", "expected 64 hex digits (a SHA-256)");
        const auto created = t.find("created");
        if (created == t.end() || !created->is_number_integer() || created->get<std::int64_t>() < 0)
            return bad(where + ".created", "expected a time in Unix ms");
        entry.createdMs = created->get<std::int64_t>();
        out.push_back(std::move(entry));
    }
    return out;
}

/// Replaces the tokens file: a temp file in the same dir, fsync, rename, fsync of the dir.
api::Result<bool> writeFile(const std::string &stateDir, const std::vector<TokenEntry> &entries)
{
    // Written in this order for a human who looks; read in any order.
    nlohmann::ordered_json tokens = nlohmann::ordered_json::array();
    for (const TokenEntry &e : entries) {
        if (e.fromConfig)
            continue;
        nlohmann::ordered_json t = nlohmann::ordered_json::object();
        t["name"] = e.name;
        t["role"] = std::string(api::toString(e.role));
        t["sha256"] = e.sha256;
        t["created"] = e.createdMs;
        tokens.push_back(std::move(t));
    }
    nlohmann::ordered_json doc = nlohmann::ordered_json::object();
    doc["version"] = kFileVersion;
    doc["tokens"] = std::move(tokens);
    const std::string text = doc.dump(2) + '\n';

    // Mode 0600: the hashes are not secrets, but nobody else has business reading them.
    return api::writeFileAtomically(TokenStore::filePath(stateDir), text, 0600);
}

} // namespace

std::string sha256Hex(std::string_view text)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1 ||
        size != kHexLength / 2)
        return {}; // matches no entry: every stored hash has 64 digits
    return toHex(digest, size);
}

std::string TokenStore::filePath(const std::string &stateDir)
{
    return stateDir + "/tokens.json";
}

api::Result<TokenStore> TokenStore::load(const std::string &stateDir,
                                         const std::vector<config::TokenSpec> &fromConfig)
{
    TokenStore store;
    std::set<std::string> configNames;
    for (const config::TokenSpec &spec : fromConfig) {
        TokenEntry entry;
        entry.name = spec.name;
        entry.role = spec.role;
        entry.fromConfig = true;
        if (!normalizeHex(spec.sha256, entry.sha256))
            return makeError(api::ErrorCode::BadRequest, "master.auth.tokens: " + quote(spec.name) +
                                                             ": sha256 is not 64 hex digits");
        if (!configNames.insert(spec.name).second)
            return makeError(api::ErrorCode::Conflict,
                             "master.auth.tokens: " + quote(spec.name) + " is used twice");
        store.m_entries.push_back(std::move(entry));
    }
    const std::string path = filePath(stateDir);
    api::Result<std::vector<TokenEntry>> file = readFile(path);
    if (!file)
        return file.error();
    for (TokenEntry &entry : *file) {
        if (configNames.count(entry.name))
            return makeError(api::ErrorCode::Conflict,
                             "token " + quote(entry.name) + " is both in the tokens file " +
                                 quote(path) +
                                 " and in master.auth.tokens of the config; remove one (\"droverd "
                                 "token revoke\" removes it from the file)");
        store.m_entries.push_back(std::move(entry));
    }
    return store;
}

std::optional<TokenEntry> TokenStore::verify(std::string_view token) const
{
    if (token.empty())
        return std::nullopt;
    const std::string hash = sha256Hex(token);
    if (hash.size() != kHexLength)
        return std::nullopt;
    // Every entry is compared, whatever matched before: the time taken does not tell which
    // entry (or whether one) matched. load() made every hash 64 lower-case hex digits.
    std::size_t found = m_entries.size();
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        const std::string &stored = m_entries[i].sha256;
        const int differs =
            stored.size() == kHexLength ? CRYPTO_memcmp(stored.data(), hash.data(), kHexLength) : 1;
        found = differs == 0 ? i : found;
    }
    if (found == m_entries.size())
        return std::nullopt;
    return m_entries[found];
}

api::Result<std::string> TokenStore::create(const std::string &stateDir,
                                            const std::vector<config::TokenSpec> &fromConfig,
                                            const std::string &name, api::Role role)
{
    if (!validName(name))
        return makeError(api::ErrorCode::BadRequest, invalidNameMessage(name));
    if (role != api::Role::Viewer && role != api::Role::Operator && role != api::Role::Admin)
        return makeError(api::ErrorCode::BadRequest,
                         "invalid role (one of viewer, operator, admin)");
    if (api::Result<bool> dir = ensureDir(stateDir); !dir)
        return dir.error();
    FileLock lock;
    if (api::Result<bool> locked = lock.lock(stateDir); !locked)
        return locked.error();
    api::Result<TokenStore> store = load(stateDir, fromConfig);
    if (!store)
        return store.error();
    for (const TokenEntry &e : store->m_entries) {
        if (e.name == name)
            return makeError(api::ErrorCode::Conflict,
                             "a token named " + quote(name) + " already exists (" +
                                 (e.fromConfig ? "in master.auth.tokens of the config"
                                               : "in " + quote(filePath(stateDir))) +
                                 ")");
    }

    std::array<unsigned char, kTokenBytes> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return makeError(api::ErrorCode::Internal,
                         "cannot make a token: the random generator failed");
    std::string token = std::string(kPrefix) + base64Url(bytes.data(), bytes.size());
    OPENSSL_cleanse(bytes.data(), bytes.size());

    TokenEntry entry;
    entry.name = name;
    entry.role = role;
    entry.sha256 = sha256Hex(token);
    entry.createdMs = nowMs();
    if (entry.sha256.size() != kHexLength)
        return makeError(api::ErrorCode::Internal, "cannot make a token: SHA-256 failed");
    store->m_entries.push_back(std::move(entry));
    if (api::Result<bool> written = writeFile(stateDir, store->m_entries); !written)
        return written.error();
    return token;
}

api::Result<bool> TokenStore::revoke(const std::string &stateDir,
                                     const std::vector<config::TokenSpec> &fromConfig,
                                     const std::string &name)
{
    for (const config::TokenSpec &spec : fromConfig) {
        if (spec.name == name)
            return makeError(api::ErrorCode::Conflict,
                             "token " + quote(name) +
                                 " is in master.auth.tokens of the config; remove "
                                 "it there (and reload the config) to revoke it");
    }
    const std::string path = filePath(stateDir);
    if (::access(stateDir.c_str(), F_OK) != 0 && errno == ENOENT)
        return makeError(api::ErrorCode::NotFound,
                         "no token named " + quote(name) + " (there is no " + quote(path) + ")");
    FileLock lock;
    if (api::Result<bool> locked = lock.lock(stateDir); !locked)
        return locked.error();
    api::Result<TokenStore> store = load(stateDir, fromConfig);
    if (!store)
        return store.error();
    std::vector<TokenEntry> &entries = store->m_entries;
    const auto it = std::find_if(entries.begin(), entries.end(),
                                 [&](const TokenEntry &e) { return e.name == name; });
    if (it == entries.end())
        return makeError(api::ErrorCode::NotFound,
                         "no token named " + quote(name) + " in " + quote(path));
    entries.erase(it);
    if (api::Result<bool> written = writeFile(stateDir, entries); !written)
        return written.error();
    return true;
}

} // namespace drover::remote
