#include "ui/masterstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <qt6keychain/keychain.h>

namespace drover::ui {

namespace {

const QString kService = QStringLiteral("drover");

QString keyFor(const QString &master)
{
    return QStringLiteral("master/") + master;
}

} // namespace

QList<SavedMaster> MasterStore::load()
{
    QSettings settings;
    QList<SavedMaster> out;
    const int n = settings.beginReadArray(QStringLiteral("masters"));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        SavedMaster m;
        m.name = settings.value(QStringLiteral("name")).toString();
        m.url = settings.value(QStringLiteral("url")).toString();
        m.caFile = settings.value(QStringLiteral("ca_file")).toString();
        m.fingerprint = settings.value(QStringLiteral("fingerprint")).toString();
        if (!m.name.isEmpty() && !m.url.isEmpty())
            out << m;
    }
    settings.endArray();
    return out;
}

void MasterStore::save(const QList<SavedMaster> &masters)
{
    QSettings settings;
    settings.remove(QStringLiteral("masters"));
    settings.beginWriteArray(QStringLiteral("masters"), int(masters.size()));
    for (int i = 0; i < masters.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("name"), masters[i].name);
        settings.setValue(QStringLiteral("url"), masters[i].url);
        settings.setValue(QStringLiteral("ca_file"), masters[i].caFile);
        settings.setValue(QStringLiteral("fingerprint"), masters[i].fingerprint);
    }
    settings.endArray();
}

void MasterStore::put(const SavedMaster &master)
{
    QList<SavedMaster> all = load();
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const SavedMaster &m) { return m.name == master.name; });
    if (it != all.end())
        *it = master;
    else
        all << master;
    save(all);
}

void MasterStore::remove(const QString &name)
{
    QList<SavedMaster> all = load();
    all.removeIf([&](const SavedMaster &m) { return m.name == name; });
    save(all);
}

QList<models::FleetWatch::Spec> FleetStore::load()
{
    QSettings settings;
    QList<models::FleetWatch::Spec> out;
    const int n = settings.beginReadArray(QStringLiteral("fleets"));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        models::FleetWatch::Spec f;
        f.name = settings.value(QStringLiteral("name")).toString();
        f.etcd = settings.value(QStringLiteral("etcd")).toStringList();
        f.prefix = settings.value(QStringLiteral("prefix"), f.prefix).toString();
        f.ca = settings.value(QStringLiteral("ca")).toString();
        f.cert = settings.value(QStringLiteral("cert")).toString();
        f.key = settings.value(QStringLiteral("key")).toString();
        if (!f.name.isEmpty() && !f.etcd.isEmpty())
            out << f;
    }
    settings.endArray();
    return out;
}

void FleetStore::save(const QList<models::FleetWatch::Spec> &fleets)
{
    QSettings settings;
    settings.remove(QStringLiteral("fleets"));
    settings.beginWriteArray(QStringLiteral("fleets"), int(fleets.size()));
    for (int i = 0; i < fleets.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("name"), fleets[i].name);
        settings.setValue(QStringLiteral("etcd"), fleets[i].etcd);
        settings.setValue(QStringLiteral("prefix"), fleets[i].prefix);
        settings.setValue(QStringLiteral("ca"), fleets[i].ca);
        settings.setValue(QStringLiteral("cert"), fleets[i].cert);
        settings.setValue(QStringLiteral("key"), fleets[i].key);
    }
    settings.endArray();
}

void FleetStore::put(const models::FleetWatch::Spec &fleet)
{
    QList<models::FleetWatch::Spec> all = load();
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const models::FleetWatch::Spec &f) { return f.name == fleet.name; });
    if (it != all.end())
        *it = fleet;
    else
        all << fleet;
    save(all);
}

void FleetStore::remove(const QString &name)
{
    QList<models::FleetWatch::Spec> all = load();
    all.removeIf([&](const models::FleetWatch::Spec &f) { return f.name == name; });
    save(all);
}

TokenStore::TokenStore(QObject *parent)
    : QObject(parent)
{}

bool TokenStore::keychainDisabled()
{
    return qEnvironmentVariableIntValue("DROVER_NO_KEYCHAIN") == 1;
}

QString TokenStore::fileFor(const QString &master)
{
    QString safe = master;
    safe.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
           QStringLiteral("/tokens/") + safe + QStringLiteral(".token");
}

bool TokenStore::writeFile(const QString &master, const QString &token)
{
    const QString path = fileFor(master);
    const QString dir = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(dir))
        return false;
    QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    // Owner-only before any secret is in it.
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    f.write(QStringLiteral("# Drover: the access token for the master \"%1\".\n"
                           "# Kept in this file, readable only by you, because no keychain "
                           "service was available.\n")
                .arg(master)
                .toUtf8());
    f.write(token.toUtf8() + '\n');
    return f.commit();
}

QString TokenStore::readFile(const QString &master)
{
    QFile f(fileFor(master));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QString token;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (!line.startsWith('#') && !line.trimmed().isEmpty())
            token = QString::fromUtf8(line.trimmed());
    }
    return token;
}

void TokenStore::write(const QString &master, const QString &token, Done done)
{
    auto toFile = [master, token, done](const QString &why) {
        const bool ok = writeFile(master, token);
        if (done)
            done(ok, ok ? tr("the file %1 (%2)").arg(fileFor(master), why)
                        : tr("nowhere: %1 cannot be written").arg(fileFor(master)));
    };
    if (keychainDisabled()) {
        toFile(tr("the keychain is turned off"));
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(kService, this);
    job->setInsecureFallback(false);
    job->setKey(keyFor(master));
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [master, done, toFile](QKeychain::Job *j) {
        if (j->error() == QKeychain::NoError) {
            QFile::remove(fileFor(master)); // an older copy outside the keychain
            if (done)
                done(true, tr("the system keychain"));
            return;
        }
        toFile(tr("no keychain service: %1").arg(j->errorString()));
    });
    job->start();
}

void TokenStore::read(const QString &master, Read done)
{
    auto fromFile = [master, done] {
        const QString token = readFile(master);
        done(token, token.isEmpty() ? QString() : tr("the file %1").arg(fileFor(master)));
    };
    if (keychainDisabled()) {
        fromFile();
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(kService, this);
    job->setInsecureFallback(false);
    job->setKey(keyFor(master));
    connect(job, &QKeychain::Job::finished, this, [done, fromFile](QKeychain::Job *j) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
        if (read->error() == QKeychain::NoError)
            done(read->textData(), tr("the system keychain"));
        else
            fromFile(); // not in the keychain, or no keychain: perhaps it went to a file
    });
    job->start();
}

void TokenStore::remove(const QString &master)
{
    QFile::remove(fileFor(master));
    if (keychainDisabled())
        return;
    auto *job = new QKeychain::DeletePasswordJob(kService, this);
    job->setInsecureFallback(false);
    job->setKey(keyFor(master));
    job->start();
}

} // namespace drover::ui
