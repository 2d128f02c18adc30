#pragma once

#include "ui/masterstore.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace drover::ui {

/// "Connect to Master": a name, the URL, the access token (typed, or read from a file), and
/// for wss a CA file or a pinned fingerprint (left empty: shown on first connection, to be
/// confirmed). OK stays disabled, with the reason, until the URL parses.
class ConnectDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ConnectDialog(QWidget *parent = nullptr);

    /// A master found in a fleet: its name and URL filled in, and what etcd says its
    /// certificate is, to compare with (not trusted on etcd's word: it is pinned only once
    /// the user confirms it at the first connection).
    void prefill(const QString &name, const QString &url, const QString &advertised);

    SavedMaster master() const;
    QString token() const;
    bool remember() const;

    // For tests: the fields as a user fills them.
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *tokenEdit() const { return m_token; }
    QString problem() const;

private:
    void check();

    QLineEdit *m_name;
    QLineEdit *m_url;
    QLineEdit *m_token;
    QLineEdit *m_ca;
    QLineEdit *m_fingerprint;
    QCheckBox *m_remember;
    QLabel *m_problem;
    QLabel *m_note;
    QDialogButtonBox *m_buttons;
    bool m_nameTouched = false;
};

} // namespace drover::ui
