// Access tokens (hashes only on disk, constant-time verify, create/revoke through the tokens
// file) and the audit log (JSON lines, rotation, whole lines from concurrent writers), on
// real files in a temporary state dir.
#include "remote/audit.h"
#include "remote/tokens.h"
#include "testfiles.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <set>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace drover;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

using test::exists;
using test::readAll;
using test::writeFile;

/// Permission bits, or -1 when the file is missing.
int modeOf(const std::string &path)
{
    struct stat st
    {
    };
    if (::stat(path.c_str(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

std::vector<std::string> splitLines(const std::string &text)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string::npos) {
            out.push_back(text.substr(start)); // an unterminated last line: kept, to fail on
            break;
        }
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

config::TokenSpec spec(const std::string &name, api::Role role, const std::string &sha256)
{
    config::TokenSpec t;
    t.name = name;
    t.role = role;
    t.sha256 = sha256;
    return t;
}

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string roleName(api::Role role)
{
    return std::string(api::toString(role));
}

const char *toCString(const std::string &s)
{
    return s.c_str();
}

} // namespace

class TestTokens : public QObject
{
    Q_OBJECT

private slots:
    void init();

    // tokens
    void sha256Hex();
    void missingFileIsNoTokens();
    void createThenVerify();
    void wrongTokens_data();
    void wrongTokens();
    void fileHoldsOnlyTheHash();
    void duplicateName();
    void badNames_data();
    void badNames();
    void configTokens();
    void nameInConfigAndFile();
    void revokeFileToken();
    void revokeConfigToken();
    void malformedFile_data();
    void malformedFile();
    void tokensAreRandom();
    void concurrentCreates();

    // audit log
    void auditLines();
    void auditRotation();
    void auditConcurrentWriters();
    void auditErrors();
    void auditExistingFile();

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::string m_state; ///< not there at the start of each test
};

void TestTokens::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    m_state = m_tmp->filePath(QStringLiteral("state")).toStdString();
}

void TestTokens::sha256Hex()
{
    // FIPS 180-2 test vectors.
    QCOMPARE(remote::sha256Hex("abc"),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(remote::sha256Hex(""),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

void TestTokens::missingFileIsNoTokens()
{
    auto store = remote::TokenStore::load(m_state, {});
    QVERIFY(store.ok());
    QVERIFY(store->empty());
    QVERIFY(!store->verify("drv_anything"));
    QVERIFY(!exists(m_state)); // loading makes nothing
}

void TestTokens::createThenVerify()
{
    const std::int64_t before = nowMs();
    auto token = remote::TokenStore::create(m_state, {}, "alice", api::Role::Admin);
    QVERIFY2(token.ok(), toCString(token.ok() ? std::string() : token.error().message));
    QVERIFY(token->starts_with("drv_"));
    QCOMPARE(token->size(), std::size_t(47));
    QCOMPARE(modeOf(m_state), 0700); // made by create
    auto other = remote::TokenStore::create(m_state, {}, "ci-bot.1", api::Role::Operator);
    QVERIFY(other.ok());

    auto store = remote::TokenStore::load(m_state, {});
    QVERIFY(store.ok());
    QCOMPARE(store->entries().size(), std::size_t(2));
    auto who = store->verify(*token);
    QVERIFY(who.has_value());
    QCOMPARE(who->name, std::string("alice"));
    QCOMPARE(roleName(who->role), roleName(api::Role::Admin));
    QVERIFY(!who->fromConfig);
    QVERIFY(who->createdMs >= before && who->createdMs <= nowMs());
    QCOMPARE(who->sha256, remote::sha256Hex(*token));
    auto bot = store->verify(*other);
    QVERIFY(bot.has_value());
    QCOMPARE(bot->name, std::string("ci-bot.1"));
    QCOMPARE(roleName(bot->role), roleName(api::Role::Operator));
}

void TestTokens::wrongTokens_data()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("another token") << 0;
    QTest::newRow("empty") << 1;
    QTest::newRow("last character changed") << 2;
    QTest::newRow("first random character changed") << 3;
    QTest::newRow("one character more") << 4;
    QTest::newRow("one character less") << 5;
    QTest::newRow("without the prefix") << 6;
    QTest::newRow("the hash itself") << 7;
}

void TestTokens::wrongTokens()
{
    QFETCH(int, kind);
    auto token = remote::TokenStore::create(m_state, {}, "alice", api::Role::Admin);
    QVERIFY(token.ok());
    auto store = remote::TokenStore::load(m_state, {});
    QVERIFY(store.ok());
    QVERIFY(store->verify(*token)); // the right one does

    std::string wrong = *token;
    auto flip = [](char c) { return c == 'A' ? 'B' : 'A'; };
    switch (kind) {
    case 0: {
        auto another = remote::TokenStore::create(m_tmp->path().toStdString() + "/elsewhere", {},
                                                  "alice", api::Role::Admin);
        QVERIFY(another.ok());
        wrong = *another;
        break;
    }
    case 1:
        wrong.clear();
        break;
    case 2:
        wrong.back() = flip(wrong.back());
        break;
    case 3:
        wrong[4] = flip(wrong[4]);
        break;
    case 4:
        wrong += 'A';
        break;
    case 5:
        wrong.pop_back();
        break;
    case 6:
        wrong.erase(0, 4);
        break;
    case 7:
        wrong = remote::sha256Hex(*token);
        break;
    }
    QVERIFY(wrong != *token);
    QVERIFY(!store->verify(wrong).has_value());
}

void TestTokens::fileHoldsOnlyTheHash()
{
    auto token = remote::TokenStore::create(m_state, {}, "alice", api::Role::Viewer);
    QVERIFY(token.ok());
    const std::string path = remote::TokenStore::filePath(m_state);
    QCOMPARE(path, m_state + "/tokens.json");
    QCOMPARE(modeOf(path), 0600);
    const std::string text = readAll(path);
    QVERIFY(text.find(*token) == std::string::npos);
    QVERIFY(text.find(token->substr(4)) == std::string::npos);
    QVERIFY(text.find(token->substr(4, 16)) == std::string::npos);
    QVERIFY(text.find(remote::sha256Hex(*token)) != std::string::npos);

    json doc = json::parse(text);
    QCOMPARE(doc["version"].get<int>(), 1);
    QCOMPARE(doc["tokens"].size(), std::size_t(1));
    const json &t = doc["tokens"][0];
    QCOMPARE(t.size(), std::size_t(4)); // name, role, sha256, created: nothing else
    QCOMPARE(t["name"].get<std::string>(), std::string("alice"));
    QCOMPARE(t["role"].get<std::string>(), std::string("viewer"));
    QCOMPARE(t["sha256"].get<std::string>(), remote::sha256Hex(*token));
    QVERIFY(t["created"].get<std::int64_t>() > 1'600'000'000'000);

    // No temporary file is left next to it.
    QStringList left = QDir(QString::fromStdString(m_state)).entryList(QDir::Files);
    left.removeAll(QStringLiteral("tokens.json.lock"));
    QCOMPARE(left, QStringList{QStringLiteral("tokens.json")});
}

void TestTokens::duplicateName()
{
    auto first = remote::TokenStore::create(m_state, {}, "alice", api::Role::Admin);
    QVERIFY(first.ok());
    const std::string before = readAll(remote::TokenStore::filePath(m_state));
    auto second = remote::TokenStore::create(m_state, {}, "alice", api::Role::Viewer);
    QVERIFY(!second.ok());
    QCOMPARE(std::string(api::toString(second.error().code)), std::string("conflict"));
    QVERIFY2(second.error().message.find("\"alice\"") != std::string::npos,
             second.error().message.c_str());
    QCOMPARE(readAll(remote::TokenStore::filePath(m_state)), before); // unchanged

    // A name of the config is taken too.
    const std::vector<config::TokenSpec> cfg{
        spec("grafana", api::Role::Viewer, remote::sha256Hex("x"))};
    auto third = remote::TokenStore::create(m_state, cfg, "grafana", api::Role::Viewer);
    QVERIFY(!third.ok());
    QCOMPARE(std::string(api::toString(third.error().code)), std::string("conflict"));
    QVERIFY2(third.error().message.find("config") != std::string::npos,
             third.error().message.c_str());
}

void TestTokens::badNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("starts with -") << QStringLiteral("-x") << false;
    QTest::newRow("starts with .") << QStringLiteral(".x") << false;
    QTest::newRow("slash") << QStringLiteral("a/b") << false;
    QTest::newRow("space") << QStringLiteral("a b") << false;
    QTest::newRow("non-ASCII") << QStringLiteral("jos\u00e9") << false;
    QTest::newRow("64 characters") << QString(64, QLatin1Char('a')) << false;
    QTest::newRow("63 characters") << QString(63, QLatin1Char('a')) << true;
    QTest::newRow("digit first, all kinds") << QStringLiteral("1a-b_c.D") << true;
}

void TestTokens::badNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    auto token = remote::TokenStore::create(m_state, {}, name.toStdString(), api::Role::Viewer);
    QCOMPARE(token.ok(), valid);
    if (!valid) {
        QCOMPARE(std::string(api::toString(token.error().code)), std::string("bad_request"));
        QVERIFY2(token.error().message.find("invalid token name") != std::string::npos,
                 token.error().message.c_str());
        QVERIFY(!exists(remote::TokenStore::filePath(m_state)));
    }
}

void TestTokens::configTokens()
{
    const std::vector<config::TokenSpec> cfg{
        spec("grafana", api::Role::Viewer, remote::sha256Hex("grafana-secret")),
        // Either case in the config.
        spec("deploy", api::Role::Operator,
             QString::fromStdString(remote::sha256Hex("deploy-secret")).toUpper().toStdString()),
    };
    auto token = remote::TokenStore::create(m_state, cfg, "alice", api::Role::Admin);
    QVERIFY(token.ok());
    auto store = remote::TokenStore::load(m_state, cfg);
    QVERIFY(store.ok());
    QCOMPARE(store->entries().size(), std::size_t(3));

    auto grafana = store->verify("grafana-secret");
    QVERIFY(grafana.has_value());
    QCOMPARE(grafana->name, std::string("grafana"));
    QCOMPARE(roleName(grafana->role), roleName(api::Role::Viewer));
    QVERIFY(grafana->fromConfig);
    QCOMPARE(grafana->createdMs, std::int64_t(0));
    auto deploy = store->verify("deploy-secret");
    QVERIFY(deploy.has_value());
    QCOMPARE(deploy->name, std::string("deploy"));
    QCOMPARE(roleName(deploy->role), roleName(api::Role::Operator));
    auto alice = store->verify(*token);
    QVERIFY(alice.has_value());
    QCOMPARE(alice->name, std::string("alice"));
    QVERIFY(!alice->fromConfig);
    QVERIFY(!store->verify("grafana-secreT"));
}

void TestTokens::nameInConfigAndFile()
{
    auto token = remote::TokenStore::create(m_state, {}, "alice", api::Role::Admin);
    QVERIFY(token.ok());
    const std::vector<config::TokenSpec> cfg{
        spec("alice", api::Role::Viewer, remote::sha256Hex("other"))};
    auto store = remote::TokenStore::load(m_state, cfg);
    QVERIFY(!store.ok());
    const std::string &message = store.error().message;
    QVERIFY2(message.find("\"alice\"") != std::string::npos, message.c_str());
    QVERIFY2(message.find(remote::TokenStore::filePath(m_state)) != std::string::npos,
             message.c_str());
    QVERIFY2(message.find("master.auth.tokens") != std::string::npos, message.c_str());
}

void TestTokens::revokeFileToken()
{
    auto alice = remote::TokenStore::create(m_state, {}, "alice", api::Role::Admin);
    auto bob = remote::TokenStore::create(m_state, {}, "bob", api::Role::Operator);
    QVERIFY(alice.ok() && bob.ok());

    auto revoked = remote::TokenStore::revoke(m_state, {}, "bob");
    QVERIFY2(revoked.ok(), toCString(revoked.ok() ? std::string() : revoked.error().message));
    QCOMPARE(modeOf(remote::TokenStore::filePath(m_state)), 0600);
    auto store = remote::TokenStore::load(m_state, {});
    QVERIFY(store.ok());
    QCOMPARE(store->entries().size(), std::size_t(1));
    QVERIFY(!store->verify(*bob));
    QVERIFY(store->verify(*alice)); // the other one stays

    auto again = remote::TokenStore::revoke(m_state, {}, "bob");
    QVERIFY(!again.ok());
    QCOMPARE(std::string(api::toString(again.error().code)), std::string("not_found"));
    QVERIFY2(again.error().message.find("\"bob\"") != std::string::npos,
             again.error().message.c_str());
    // A state dir that does not exist has no token to revoke, and is not made.
    const std::string nowhere = m_tmp->path().toStdString() + "/nowhere";
    auto missing = remote::TokenStore::revoke(nowhere, {}, "bob");
    QVERIFY(!missing.ok());
    QCOMPARE(std::string(api::toString(missing.error().code)), std::string("not_found"));
    QVERIFY(!exists(nowhere));
}

void TestTokens::revokeConfigToken()
{
    const std::vector<config::TokenSpec> cfg{
        spec("grafana", api::Role::Viewer, remote::sha256Hex("grafana-secret"))};
    auto alice = remote::TokenStore::create(m_state, cfg, "alice", api::Role::Admin);
    QVERIFY(alice.ok());
    const std::string before = readAll(remote::TokenStore::filePath(m_state));
    auto revoked = remote::TokenStore::revoke(m_state, cfg, "grafana");
    QVERIFY(!revoked.ok());
    QVERIFY2(revoked.error().message.find("config") != std::string::npos,
             revoked.error().message.c_str());
    QVERIFY2(revoked.error().message.find("master.auth.tokens") != std::string::npos,
             revoked.error().message.c_str());
    QCOMPARE(readAll(remote::TokenStore::filePath(m_state)), before);
    auto store = remote::TokenStore::load(m_state, cfg);
    QVERIFY(store.ok());
    QVERIFY(store->verify("grafana-secret"));
}

void TestTokens::malformedFile_data()
{
    const std::string hash(64, 'a');
    QTest::addColumn<QString>("content");
    QTest::addColumn<QString>("problem");
    auto row = [](const char *name, const std::string &content, const char *problem) {
        QTest::newRow(name) << QString::fromStdString(content) << QString::fromUtf8(problem);
    };
    row("not JSON", "{\"version\": 1,\n \"tokens\": [\n", "line 3");
    row("not an object", "[]", "expected an object");
    row("no version", "{\"tokens\": []}", "version");
    row("version 2", "{\"version\": 2, \"tokens\": []}", "unsupported version 2");
    row("tokens not a list", "{\"version\": 1, \"tokens\": {}}", "tokens");
    row("unknown key", "{\"version\": 1, \"tokens\": [], \"extra\": 1}", "extra: unknown key");
    row("bad role",
        "{\"version\":1,\"tokens\":[{\"name\":\"a\",\"role\":\"root\",\"sha256\":\"" + hash +
            "\",\"created\":1}]}",
        "tokens[0].role");
    row("bad hash",
        "{\"version\":1,\"tokens\":[{\"name\":\"a\",\"role\":\"admin\",\"sha256\":\"abc\","
        "\"created\":1}]}",
        "tokens[0].sha256");
    row("bad name",
        "{\"version\":1,\"tokens\":[{\"name\":\"a b\",\"role\":\"admin\",\"sha256\":\"" + hash +
            "\",\"created\":1}]}",
        "tokens[0].name");
    row("no created",
        "{\"version\":1,\"tokens\":[{\"name\":\"a\",\"role\":\"admin\",\"sha256\":\"" + hash +
            "\"}]}",
        "tokens[0].created");
    row("name twice",
        "{\"version\":1,\"tokens\":[{\"name\":\"a\",\"role\":\"admin\",\"sha256\":\"" + hash +
            "\",\"created\":1},{\"name\":\"a\",\"role\":\"viewer\",\"sha256\":\"" + hash +
            "\",\"created\":2}]}",
        "tokens[1].name");
}

void TestTokens::malformedFile()
{
    QFETCH(QString, content);
    QFETCH(QString, problem);
    QVERIFY(QDir().mkpath(QString::fromStdString(m_state)));
    const std::string path = remote::TokenStore::filePath(m_state);
    QVERIFY(writeFile(path, content.toStdString()));

    auto store = remote::TokenStore::load(m_state, {});
    QVERIFY(!store.ok());
    const std::string &message = store.error().message;
    QVERIFY2(message.find("\"" + path + "\"") != std::string::npos, message.c_str());
    QVERIFY2(message.find(problem.toStdString()) != std::string::npos, message.c_str());

    // Nothing is added to (or lost from) a file that cannot be read.
    auto token = remote::TokenStore::create(m_state, {}, "alice", api::Role::Admin);
    QVERIFY(!token.ok());
    QCOMPARE(token.error().message, message);
    QCOMPARE(readAll(path), content.toStdString());
}

void TestTokens::tokensAreRandom()
{
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) {
        auto token =
            remote::TokenStore::create(m_state, {}, "t" + std::to_string(i), api::Role::Viewer);
        QVERIFY(token.ok());
        QVERIFY(token->starts_with("drv_"));
        QCOMPARE(token->size(), std::size_t(47));
        const QByteArray text = QByteArray::fromStdString(token->substr(4));
        for (char c : text)
            QVERIFY2(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_',
                     token->c_str());
        auto decoded = QByteArray::fromBase64Encoding(
            text, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                      QByteArray::AbortOnBase64DecodingErrors);
        QVERIFY(decoded);
        QCOMPARE(decoded.decoded.size(), 32);
        // The encoding is canonical: the same bytes encode to the same text.
        QCOMPARE(decoded.decoded.toBase64(QByteArray::Base64UrlEncoding |
                                          QByteArray::OmitTrailingEquals),
                 text);
        QVERIFY(seen.insert(*token).second);
    }
    auto store = remote::TokenStore::load(m_state, {});
    QVERIFY(store.ok());
    QCOMPARE(store->entries().size(), std::size_t(20));
    std::set<std::string> hashes;
    for (const remote::TokenEntry &e : store->entries())
        hashes.insert(e.sha256);
    QCOMPARE(hashes.size(), std::size_t(20));
}

void TestTokens::concurrentCreates()
{
    // Two creators at once each read, change and rewrite the file: none may lose the other's.
    constexpr int kEach = 15;
    std::vector<std::string> tokens[2];
    auto creator = [&](int which) {
        for (int i = 0; i < kEach; ++i) {
            auto t = remote::TokenStore::create(
                m_state, {}, "w" + std::to_string(which) + "-" + std::to_string(i),
                api::Role::Viewer);
            if (t.ok())
                tokens[which].push_back(*t);
        }
    };
    std::thread a(creator, 0);
    std::thread b(creator, 1);
    a.join();
    b.join();
    QCOMPARE(int(tokens[0].size()), kEach);
    QCOMPARE(int(tokens[1].size()), kEach);
    auto store = remote::TokenStore::load(m_state, {});
    QVERIFY(store.ok());
    QCOMPARE(int(store->entries().size()), 2 * kEach);
    for (const auto &list : tokens) {
        for (const std::string &t : list)
            QVERIFY(store->verify(t));
    }
}

// -------------------------------------------------------------------------------------------
// Audit log

void TestTokens::auditLines()
{
    remote::AuditLog log;
    auto opened = log.open(m_state);
    QVERIFY2(opened.ok(), toCString(opened.ok() ? std::string() : opened.error().message));
    QCOMPARE(log.path(), m_state + "/audit.log");
    QCOMPARE(modeOf(log.path()), 0600);
    QCOMPARE(modeOf(m_state), 0700);

    std::vector<remote::AuditEntry> entries(4);
    entries[0] = {1'790'000'000'123,
                  "alice",
                  "admin",
                  "127.0.0.1:53122",
                  "worker.restart",
                  R"({"worker":"api-2","graceful":true,"n":[1,2.5,null]})",
                  "ok",
                  ""};
    entries[1] = {1'790'000'000'456, "grafana",
                  "viewer",          "[::1]:40000",
                  "pool.scale",      R"({"pool":"api","replicas":3})",
                  "forbidden",       "role viewer cannot scale pools"};
    entries[2] = {
        1'790'000'000'789, "",           "admin",       "local",
        "config.apply",    "not json {", "bad_request", "line 1: \"quoted\"\nand a newline"};
    entries[3] = {1'790'000'001'000, "", "admin", "local", "master.stop", "", "ok", ""};
    for (const auto &e : entries)
        QVERIFY(log.write(e).ok());

    const std::vector<std::string> lines = splitLines(readAll(log.path()));
    QCOMPARE(lines.size(), entries.size());
    const std::vector<std::string> expectedOrder = {"time", "token", "role",   "peer",
                                                    "op",   "args",  "result", "message"};
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const ordered_json j = ordered_json::parse(lines[i]);
        std::vector<std::string> keys;
        for (const auto &[key, value] : j.items())
            keys.push_back(key);
        QCOMPARE(keys, expectedOrder);
        const remote::AuditEntry &e = entries[i];
        QCOMPARE(j["time"].get<std::int64_t>(), e.timeMs);
        QCOMPARE(j["token"].get<std::string>(), e.token);
        QCOMPARE(j["role"].get<std::string>(), e.role);
        QCOMPARE(j["peer"].get<std::string>(), e.peer);
        QCOMPARE(j["op"].get<std::string>(), e.op);
        QCOMPARE(j["result"].get<std::string>(), e.result);
        QCOMPARE(j["message"].get<std::string>(), e.message);
        // toJson gives the same object.
        QCOMPARE(json::parse(lines[i]).dump(), remote::AuditLog::toJson(e).dump());
    }
    // args is an object again, with its values' types.
    const json first = json::parse(lines[0]);
    QVERIFY(first["args"].is_object());
    QCOMPARE(first["args"].dump(), json::parse(entries[0].args).dump());
    QVERIFY(first["args"]["graceful"] == json(true));
    QVERIFY(json::parse(lines[1])["args"].is_object());
    QCOMPARE(json::parse(lines[1])["args"]["replicas"].get<int>(), 3);
    // Text that is not JSON is kept as a string; no args is an empty object.
    QVERIFY(json::parse(lines[2])["args"] == json("not json {"));
    QVERIFY(json::parse(lines[3])["args"] == json::object());
    // The compact args appear as they were given.
    QVERIFY(lines[1].find(R"("args":{"pool":"api","replicas":3})") != std::string::npos);
}

void TestTokens::auditRotation()
{
    remote::AuditLog log;
    QVERIFY(log.open(m_state, 1000, 3).ok());
    const std::string path = log.path();
    constexpr int kCount = 100;
    for (int i = 0; i < kCount; ++i) {
        remote::AuditEntry e{1'790'000'000'000 + i,
                             "alice",
                             "operator",
                             "127.0.0.1:1",
                             "worker.restart",
                             R"({"n":)" + std::to_string(i) + "}",
                             "ok",
                             ""};
        QVERIFY(log.write(e).ok());
    }
    // audit.log plus audit.log.1 .. .3, nothing more.
    for (const std::string &name : {path, path + ".1", path + ".2", path + ".3"}) {
        QVERIFY2(exists(name), name.c_str());
        QCOMPARE(modeOf(name), 0600);
        QVERIFY(readAll(name).size() <= 1000);
        QVERIFY(readAll(name).size() > 0);
    }
    QVERIFY(!exists(path + ".4"));

    // Oldest first, the kept lines are whole and in sequence, up to the last one written.
    std::vector<int> seq;
    for (const std::string &name : {path + ".3", path + ".2", path + ".1", path}) {
        for (const std::string &line : splitLines(readAll(name))) {
            json j = json::parse(line, nullptr, false);
            QVERIFY2(!j.is_discarded(), line.c_str());
            seq.push_back(j["args"]["n"].get<int>());
        }
    }
    QVERIFY(seq.size() > 10 && seq.size() < std::size_t(kCount)); // older ones were dropped
    QCOMPARE(seq.back(), kCount - 1);
    for (std::size_t i = 1; i < seq.size(); ++i)
        QCOMPARE(seq[i], seq[i - 1] + 1);

    // Reopened with fewer files, the next rotation removes the copies past the new count.
    remote::AuditLog fewer;
    QVERIFY(fewer.open(m_state, 1000, 1).ok());
    for (int i = 0; i < 20; ++i)
        QVERIFY(fewer.write({0, "", "admin", "local", "x", "{}", "ok", ""}).ok());
    QVERIFY(exists(path + ".1"));
    QVERIFY(!exists(path + ".2"));
    QVERIFY(!exists(path + ".3"));
}

void TestTokens::auditConcurrentWriters()
{
    remote::AuditLog log;
    QVERIFY(log.open(m_state, 64 << 20, 2).ok());
    // Lines larger than PIPE_BUF, so that a split write would show.
    const std::string padding(6000, 'x');
    constexpr int kEach = 500;
    auto writer = [&](int which, int *failures) {
        for (int i = 0; i < kEach; ++i) {
            remote::AuditEntry e{i,
                                 "w" + std::to_string(which),
                                 "admin",
                                 "local",
                                 "op",
                                 R"({"w":)" + std::to_string(which) + R"(,"i":)" +
                                     std::to_string(i) + R"(,"pad":")" + padding + "\"}",
                                 "ok",
                                 ""};
            if (!log.write(e).ok())
                ++*failures;
        }
    };
    int failures[2] = {0, 0};
    std::thread a(writer, 0, &failures[0]);
    std::thread b(writer, 1, &failures[1]);
    a.join();
    b.join();
    QCOMPARE(failures[0] + failures[1], 0);

    const std::vector<std::string> lines = splitLines(readAll(log.path()));
    QCOMPARE(int(lines.size()), 2 * kEach);
    int next[2] = {0, 0};
    for (const std::string &line : lines) {
        json j = json::parse(line, nullptr, false);
        QVERIFY2(!j.is_discarded(), line.substr(0, 200).c_str());
        const int w = j["args"]["w"].get<int>();
        QCOMPARE(j["args"]["i"].get<int>(), next[w]++); // each writer's lines in its order
        QCOMPARE(j["args"]["pad"].get<std::string>().size(), padding.size());
    }
    QCOMPARE(next[0], kEach);
    QCOMPARE(next[1], kEach);
}

void TestTokens::auditErrors()
{
    remote::AuditLog closed;
    auto unopened = closed.write({1, "", "admin", "local", "x", "{}", "ok", ""});
    QVERIFY(!unopened.ok());
    QCOMPARE(std::string(api::toString(unopened.error().code)), std::string("internal"));

    // A state dir that is a file cannot hold the log.
    const std::string file = m_tmp->path().toStdString() + "/plainfile";
    QVERIFY(writeFile(file, "x"));
    remote::AuditLog log;
    auto opened = log.open(file);
    QVERIFY(!opened.ok());
    QVERIFY2(opened.error().message.find(file + "/audit.log") != std::string::npos,
             opened.error().message.c_str());
}

void TestTokens::auditExistingFile()
{
    // An existing log is appended to, and closed to others.
    QVERIFY(QDir().mkpath(QString::fromStdString(m_state)));
    const std::string path = m_state + "/audit.log";
    QVERIFY(writeFile(path, "{\"old\":1}\n"));
    QVERIFY(::chmod(path.c_str(), 0644) == 0);
    remote::AuditLog log;
    QVERIFY(log.open(m_state).ok());
    QCOMPARE(modeOf(path), 0600);
    QVERIFY(log.write({5, "t", "admin", "local", "op", "{}", "ok", ""}).ok());
    const std::vector<std::string> lines = splitLines(readAll(path));
    QCOMPARE(lines.size(), std::size_t(2));
    QCOMPARE(lines[0], std::string("{\"old\":1}"));
    QCOMPARE(json::parse(lines[1])["time"].get<int>(), 5);
}

QTEST_GUILESS_MAIN(TestTokens)
#include "tst_tokens.moc"
