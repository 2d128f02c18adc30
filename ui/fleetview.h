#pragma once

#include "models/fleetmodel.h"

#include <QDialog>
#include <QTimer>
#include <QWidget>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace drover::ui {

/// The Fleet overview: every master registered under a fleet's prefix, one row each, worst
/// first, with its pools as columns (ready over desired, coloured by health), its URL,
/// version and when it last wrote its record. A master that stops leaves the table at once,
/// one that dies when its lease ends. Double-click (or Enter) connects to a master with its
/// own token and certificate check.
class FleetView : public QWidget
{
    Q_OBJECT

public:
    explicit FleetView(models::FleetWatch *watch, QWidget *parent = nullptr);

    models::FleetWatch *watch() const { return m_watch; }
    QString name() const { return m_watch->spec().name; }
    QTableView *table() const { return m_table; }
    QLabel *statusLabel() const { return m_status; }

signals:
    /// The user asked to connect to the master of `row`.
    void connectRequested(const fleet::MasterRecord &master);

private:
    void update();

    models::FleetWatch *m_watch;
    QLabel *m_title;
    QLabel *m_status;
    QTableView *m_table;
    QTimer m_clock; ///< "updated N s ago" and the retry countdown move on
};

/// File > Add Fleet: a name, etcd's client URLs, the key prefix, and for https etcd's CA and
/// a client certificate. OK stays disabled, with the reason, until they are usable.
class FleetDialog : public QDialog
{
    Q_OBJECT

public:
    explicit FleetDialog(QWidget *parent = nullptr);

    models::FleetWatch::Spec spec() const;
    QString problem() const;

    // For tests: the fields as a user fills them.
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *etcdEdit() const { return m_etcd; }
    QLineEdit *prefixEdit() const { return m_prefix; }

private:
    void check();

    QLineEdit *m_name;
    QLineEdit *m_etcd;
    QLineEdit *m_prefix;
    QLineEdit *m_ca;
    QLineEdit *m_cert;
    QLineEdit *m_key;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace drover::ui
