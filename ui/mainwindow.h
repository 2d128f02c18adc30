#pragma once

#include "models/fleetmodel.h"
#include "ui/masterstore.h"

#include <QMainWindow>
#include <QTimer>

#include <functional>
#include <memory>

class QLabel;
class QStackedWidget;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace drover::api {
class Backend;
}
namespace drover::models {
class BackendBridge;
}
namespace drover::fleet {
struct MasterRecord;
}

namespace drover::ui {

class ConfigPane;
class ConnectDialog;
class EventsPane;
class FleetView;
class MasterView;
class PoolsPane;
class WorkersPane;

/// The console's main window: the connections sidebar (every master connected, each with its
/// link state, reconnect countdown and pools), the panes of the master picked there, and a
/// status bar with the connection, the role and the master's version. Remote masters can be
/// added (File > Connect to Master), are remembered with their token in the keychain, and an
/// unknown certificate is shown with its fingerprint and pinned once the user trusts it.
/// Window layout and column widths are kept in QSettings.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    /// One master to start with (the embedded one, or `--connect`).
    MainWindow(std::shared_ptr<api::Backend> backend, const QString &name,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Adds a master whose backend is already made (embedded: always connected).
    MasterView *addMaster(std::shared_ptr<api::Backend> backend, const QString &name);
    /// Connects to a remote master; its link state shows in the sidebar. Replaces a master
    /// of the same name.
    MasterView *connectTo(const SavedMaster &master, const QString &token);
    /// Connects to every saved master (their tokens from the keychain or its fallback file)
    /// and follows every saved fleet.
    void connectSaved();
    /// Follows a fleet in etcd (File > Add Fleet): its masters appear under it in the sidebar
    /// as they register, and its overview is a page of its own. Replaces one of the same name.
    FleetView *followFleet(const models::FleetWatch::Spec &spec);
    void unfollowFleet(FleetView *view);
    /// Shows a fleet's overview (as clicking it in the sidebar does).
    void showFleet(FleetView *view);
    QList<FleetView *> fleets() const;
    /// A master of a fleet: shown when connected already; else connected with its saved
    /// token, or the Connect dialog filled in with its name and URL.
    void connectToFleetMaster(const fleet::MasterRecord &master);
    /// Asks first when the master's config editor has unsaved edits.
    void removeMaster(MasterView *view);
    /// File > Open Config: `path` in an editor window of its own, checked by the console's
    /// validator, without a master.
    ConfigPane *openConfigFile(const QString &path);

    QList<MasterView *> masters() const;
    MasterView *current() const;
    void setCurrent(MasterView *view);

    // The current master's parts (tests, --pane, --screenshot).
    models::BackendBridge *bridge() const;
    WorkersPane *workersPane() const;
    PoolsPane *poolsPane() const;
    EventsPane *eventsPane() const;
    QTabWidget *tabs() const;
    QTreeWidget *sidebar() const { return m_sidebar; }

    /// Asked when a master's certificate is not trusted: whether to pin `fingerprint`. Tests
    /// answer for the user.
    void
    setTrustPrompt(std::function<bool(const QString &master, const QString &fingerprint)> prompt);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void onLink(MasterView *view);
    void updateSidebar();
    void updateMasterItem(MasterView *view, QTreeWidgetItem *item);
    void updateStatus();
    void connectDialog();
    void fleetDialog();
    /// Connects as the Connect dialog says, remembering the master when it is asked to.
    void connectFromDialog(ConnectDialog &dialog);
    QTreeWidgetItem *itemOf(QWidget *view) const;
    void updateFleetItem(FleetView *view, QTreeWidgetItem *item);

    QStackedWidget *m_stack;
    QTreeWidget *m_sidebar;
    QLabel *m_connection;
    QLabel *m_summary;
    QTimer m_countdown; ///< the sidebar's "retry in N s" while a master waits
    TokenStore *m_tokens;
    QList<SavedMaster> m_remote; ///< how each remote master (by name) was connected
    QStringList m_askedTrust;    ///< masters whose fingerprint was asked about already
    std::function<bool(const QString &, const QString &)> m_trust;
    bool m_layoutRestored = false;
};

} // namespace drover::ui
