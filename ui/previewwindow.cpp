#include "ui/previewwindow.h"

#include "api/version.h"
#include "models/configpoolsmodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QStatusBar>
#include <QStringList>
#include <QTableView>
#include <QVBoxLayout>

namespace drover {
namespace ui {

PreviewWindow::PreviewWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_model(new models::ConfigPoolsModel(this))
    , m_title(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_table(new QTableView(this))
    , m_errors(new QPlainTextEdit(this))
{
    setWindowTitle(tr("Drover console"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/drover.svg")));

    auto *intro = new QLabel(
        tr("<b>Drover</b> supervises native worker processes and pools on this machine. "
           "This preview shows the pools of the config the embedded master will run; live "
           "workers, health and charts come with the next releases."),
        this);
    intro->setWordWrap(true);

    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);

    m_errors->setReadOnly(true);
    m_errors->setFont(QFont(QStringLiteral("monospace")));
    m_errors->hide();

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(intro);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_errors, 1);
    setCentralWidget(central);

    statusBar()->showMessage(tr("Embedded master · Drover %1").arg(QLatin1String(kVersion)));
    resize(960, 420);
}

void PreviewWindow::showLoadResult(const QString &file, const config::LoadResult &result)
{
    m_title->setText(file);
    if (result.ok()) {
        m_model->setConfig(*result.config);
        const config::Summary sum = result.config->summary();
        QStringList parts{tr("%n pool(s)", nullptr, sum.pools),
                          tr("%n worker(s) at start", nullptr, sum.workersAtStart),
                          tr("%n probe(s)", nullptr, sum.probes),
                          tr("%n gateway(s)", nullptr, sum.gateways)};
        if (sum.jobs > 0)
            parts << tr("%n job(s)", nullptr, sum.jobs);
        if (sum.adopted > 0)
            parts << tr("%n adopted process(es)", nullptr, sum.adopted);
        m_summary->setText(parts.join(QStringLiteral(", ")));
        m_table->resizeColumnsToContents();
        m_table->show();
        m_errors->hide();
        return;
    }
    m_model->setConfig({});
    std::size_t n = result.errors.size() + result.moreErrors;
    m_summary->setText(
        tr("This config has %n error(s); nothing from it will run.", nullptr, static_cast<int>(n)));
    m_errors->setPlainText(QString::fromStdString(result.report()));
    m_table->hide();
    m_errors->show();
}

int PreviewWindow::poolRows() const
{
    return m_model->rowCount();
}

} // namespace ui
} // namespace drover
