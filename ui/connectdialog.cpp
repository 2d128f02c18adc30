#include "ui/connectdialog.h"

#include "remote/masterurl.h"

#include <QAction>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace drover::ui {

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_token(new QLineEdit(this))
    , m_ca(new QLineEdit(this))
    , m_fingerprint(new QLineEdit(this))
    , m_remember(new QCheckBox(tr("Remember this master (the token goes to the keychain)"), this))
    , m_problem(new QLabel(this))
    , m_note(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Connect to Master"));
    m_url->setPlaceholderText(QStringLiteral("wss://host:7700"));
    m_name->setPlaceholderText(tr("as the sidebar shows it"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("drv_… (empty for a master without tokens)"));
    m_ca->setPlaceholderText(tr("optional: a CA file for wss://"));
    m_fingerprint->setPlaceholderText(tr("optional: SHA-256, else shown on first connection"));
    m_remember->setChecked(true);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #d02f2f"));
    m_note->setWordWrap(true);
    m_note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_note->hide();

    QAction *fromFile =
        m_token->addAction(QIcon(QStringLiteral(":/icons/open.svg")), QLineEdit::TrailingPosition);
    fromFile->setToolTip(tr("Read the token from a file"));
    connect(fromFile, &QAction::triggered, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Token file"));
        QFile f(file);
        if (!file.isEmpty() && f.open(QIODevice::ReadOnly))
            m_token->setText(QString::fromUtf8(f.readAll()).trimmed());
    });
    QAction *browseCa =
        m_ca->addAction(QIcon(QStringLiteral(":/icons/open.svg")), QLineEdit::TrailingPosition);
    browseCa->setToolTip(tr("Choose the CA file"));
    connect(browseCa, &QAction::triggered, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("CA file"), {}, tr("Certificates (*.pem *.crt);;All (*)"));
        if (!file.isEmpty())
            m_ca->setText(file);
    });

    auto *form = new QFormLayout;
    form->addRow(tr("&URL:"), m_url);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Token:"), m_token);
    form->addRow(tr("&CA file:"), m_ca);
    form->addRow(tr("&Fingerprint:"), m_fingerprint);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_remember);
    layout->addWidget(m_note);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textEdited, this, [this] { m_nameTouched = true; });
    connect(m_url, &QLineEdit::textChanged, this, [this] {
        if (!m_nameTouched) { // the host, until the user names it
            auto url = remote::parseMasterUrl(m_url->text().trimmed().toStdString());
            m_name->setText(url.ok() ? QString::fromStdString(url->host) : QString());
        }
        check();
    });
    connect(m_name, &QLineEdit::textChanged, this, &ConnectDialog::check);
    check();
    resize(520, sizeHint().height());
}

QString ConnectDialog::problem() const
{
    if (m_url->text().trimmed().isEmpty())
        return tr("Enter the master's URL, e.g. wss://host:7700.");
    auto url = remote::parseMasterUrl(m_url->text().trimmed().toStdString());
    if (!url.ok())
        return QString::fromStdString(url.error().message);
    if (m_name->text().trimmed().isEmpty())
        return tr("Give the master a name.");
    if (!url->tls && !m_ca->text().isEmpty())
        return tr("A CA file is for wss:// only.");
    return {};
}

void ConnectDialog::check()
{
    const QString why = problem();
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty() && !m_url->text().isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

void ConnectDialog::prefill(const QString &name, const QString &url, const QString &advertised)
{
    m_url->setText(url);
    m_name->setText(name);
    m_nameTouched = true;
    if (!advertised.isEmpty()) {
        m_note->setText(tr("The fleet lists this master's certificate as <tt>%1</tt>. It is "
                           "not trusted on the fleet's word: compare it when the master "
                           "presents its certificate.")
                            .arg(advertised.toHtmlEscaped()));
        m_note->show();
    }
    m_token->setFocus();
    check();
}

SavedMaster ConnectDialog::master() const
{
    auto url = remote::parseMasterUrl(m_url->text().trimmed().toStdString());
    return SavedMaster{m_name->text().trimmed(),
                       url.ok() ? QString::fromStdString(url->toString()) : m_url->text().trimmed(),
                       m_ca->text().trimmed(), m_fingerprint->text().trimmed()};
}

QString ConnectDialog::token() const
{
    return m_token->text().trimmed();
}

bool ConnectDialog::remember() const
{
    return m_remember->isChecked();
}

} // namespace drover::ui
