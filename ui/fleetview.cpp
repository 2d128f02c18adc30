#include "ui/fleetview.h"

#include "ui/tableview.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace drover::ui {

FleetView::FleetView(models::FleetWatch *watch, QWidget *parent)
    : QWidget(parent)
    , m_watch(watch)
    , m_title(new QLabel(this))
    , m_status(new QLabel(this))
    , m_table(new QTableView(this))
{
    setObjectName(QStringLiteral("FleetView"));
    QFont big = m_title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.2);
    m_title->setFont(big);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table->setModel(watch->model());
    setUpTable(m_table, {14, 8, 6});
    m_table->setSortingEnabled(false); // the model keeps the worst first
    m_table->horizontalHeader()->setStretchLastSection(true);
    // Columns fit their contents when masters or pools come or go, not at every change of a
    // value (measuring every cell ten times a second is most of the GUI thread's work with
    // 100 masters).
    connect(watch->model(), &QAbstractItemModel::modelReset, m_table, [this] {
        for (int c = 0; c + 1 < m_table->model()->columnCount(); ++c) // the last one stretches
            m_table->resizeColumnToContents(c);
    });
    auto *hint = new QLabel(tr("Worst first. Double-click a master to connect to it with its "
                               "own token; its certificate is checked as for any master."),
                            this);
    hint->setWordWrap(true);
    hint->setStyleSheet(QStringLiteral("color: palette(mid)"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_status);
    layout->addWidget(m_table, 1);
    layout->addWidget(hint);

    auto ask = [this](const QModelIndex &index) {
        // A copy: the model may change while a dialog that follows is open.
        if (const fleet::MasterRecord *m = m_watch->model()->master(index.row()))
            emit connectRequested(fleet::MasterRecord(*m));
    };
    connect(m_table, &QTableView::doubleClicked, this, ask);
    connect(m_table, &QTableView::activated, this, ask);
    connect(watch, &models::FleetWatch::changed, this, &FleetView::update);
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, [this] {
        update();
        m_table->viewport()->update();
    });
    m_clock.start();
    update();
}

void FleetView::update()
{
    const models::FleetWatch::Spec &spec = m_watch->spec();
    m_title->setText(tr("Fleet %1").arg(spec.name));
    int failing = 0, degraded = 0;
    for (const fleet::MasterRecord &m : m_watch->model()->masters()) {
        failing += m.health() == fleet::Health::Failing;
        degraded += m.health() == fleet::Health::Degraded;
    }
    QString text = m_watch->statusText();
    if (failing || degraded)
        text += QStringLiteral(" · ") + tr("%1 failing, %2 degraded").arg(failing).arg(degraded);
    const bool lost = m_watch->status().state == fleet::FollowerStatus::State::Retrying;
    m_status->setStyleSheet(lost ? QStringLiteral("color: #c8322d") : QString());
    m_status->setText(text);
}

FleetDialog::FleetDialog(QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_etcd(new QLineEdit(this))
    , m_prefix(new QLineEdit(QStringLiteral("/drover/fleet/"), this))
    , m_ca(new QLineEdit(this))
    , m_cert(new QLineEdit(this))
    , m_key(new QLineEdit(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Add Fleet"));
    m_name->setPlaceholderText(tr("as the sidebar shows it"));
    m_etcd->setPlaceholderText(QStringLiteral("http://etcd-1:2379, http://etcd-2:2379"));
    m_ca->setPlaceholderText(tr("optional: etcd's CA file for https://"));
    m_cert->setPlaceholderText(tr("optional: a client certificate for etcd"));
    m_key->setPlaceholderText(tr("its key"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #d02f2f"));
    auto *form = new QFormLayout;
    form->addRow(tr("&etcd:"), m_etcd);
    form->addRow(tr("&Prefix:"), m_prefix);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&CA file:"), m_ca);
    form->addRow(tr("C&ertificate:"), m_cert);
    form->addRow(tr("&Key:"), m_key);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("The masters that register in etcd under the prefix "
                                    "(master.fleet in their config) appear and leave live."),
                                 this));
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Follow"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *e : {m_name, m_etcd, m_prefix, m_ca, m_cert, m_key})
        connect(e, &QLineEdit::textChanged, this, &FleetDialog::check);
    check();
    resize(520, sizeHint().height());
}

models::FleetWatch::Spec FleetDialog::spec() const
{
    models::FleetWatch::Spec s;
    for (const QString &url : m_etcd->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        s.etcd << url.trimmed();
    s.prefix = m_prefix->text().trimmed();
    s.name = m_name->text().trimmed().isEmpty() ? s.prefix : m_name->text().trimmed();
    s.ca = m_ca->text().trimmed();
    s.cert = m_cert->text().trimmed();
    s.key = m_key->text().trimmed();
    return s;
}

QString FleetDialog::problem() const
{
    return models::FleetWatch::problemOf(spec());
}

void FleetDialog::check()
{
    const QString why = problem();
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty() && !m_etcd->text().isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

} // namespace drover::ui
