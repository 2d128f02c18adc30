#pragma once

#include "models/fleetmodel.h"

#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace drover::ui {

/// A remote master the console remembers: where it is and how its certificate is checked.
/// Its token is never here (nor in QSettings): TokenStore keeps it.
struct SavedMaster
{
    QString name;        ///< what the sidebar calls it; unique
    QString url;         ///< `ws://host:7700` or `wss://host:7700`
    QString caFile;      ///< wss: verify against this CA
    QString fingerprint; ///< wss: or accept exactly this certificate (pinned on first use)
    friend bool operator==(const SavedMaster &, const SavedMaster &) = default;
};

/// The saved masters, in QSettings (`masters/...`), in the order they were added.
class MasterStore
{
public:
    static QList<SavedMaster> load();
    static void save(const QList<SavedMaster> &masters);
    /// Adds `master`, or replaces the one of the same name.
    static void put(const SavedMaster &master);
    static void remove(const QString &name);
};

/// The fleets the console follows, in QSettings (`fleets/...`), by name.
class FleetStore
{
public:
    static QList<models::FleetWatch::Spec> load();
    static void save(const QList<models::FleetWatch::Spec> &fleets);
    /// Adds `fleet`, or replaces the one of the same name.
    static void put(const models::FleetWatch::Spec &fleet);
    static void remove(const QString &name);
};

/// Keeps each saved master's access token: in the system keychain through QtKeychain (the
/// Secret Service, KWallet...), and where no keychain service answers (a server without a
/// desktop session, CI), in a file of its own readable only by the user (0600, in a 0700
/// directory of the config dir), which says what it is. Calls back on the GUI thread.
class TokenStore : public QObject
{
    Q_OBJECT

public:
    explicit TokenStore(QObject *parent = nullptr);

    /// Where a token was (or was put): for the user to know, e.g. "the system keychain".
    using Done = std::function<void(bool ok, const QString &where)>;
    using Read = std::function<void(const QString &token, const QString &where)>;

    void write(const QString &master, const QString &token, Done done);
    /// An empty token when there is none.
    void read(const QString &master, Read done);
    void remove(const QString &master);

    /// The fallback file of `master`'s token.
    static QString fileFor(const QString &master);
    /// Whether the keychain is skipped (env DROVER_NO_KEYCHAIN=1): tests, or by choice.
    static bool keychainDisabled();

private:
    static bool writeFile(const QString &master, const QString &token);
    static QString readFile(const QString &master);
};

} // namespace drover::ui
