// The console's first window, offscreen: the pools model under QAbstractItemModelTester (also
// through a sorting proxy), and the window on the demo config and on a broken one.
#include "config/loader.h"
#include "models/configpoolsmodel.h"
#include "ui/previewwindow.h"
#include "ui/translations.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>
#include <QTranslator>

using namespace drover;

namespace {

config::LoadResult demo()
{
    return config::loadFile(DROVER_SOURCE_DIR "/resources/examples/demo.yaml");
}

} // namespace

class TestPreview : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void modelOnDemo();
    void modelThroughProxy();
    void windowShowsPools();
    void windowShowsErrors();
    void germanTranslation();
};

void TestPreview::initTestCase()
{
    QCOMPARE(ui::installTranslations(QStringLiteral("en")), QStringLiteral("en"));
    QCOMPARE(ui::installTranslations(QStringLiteral("xx")), QStringLiteral("en")); // no catalogue
}

void TestPreview::modelOnDemo()
{
    models::ConfigPoolsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto result = demo();
    QVERIFY2(result.ok(), result.report().c_str());
    model.setConfig(*result.config);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), int(models::ConfigPoolsModel::ColumnCount));
    auto cell = [&](int row, int col, int role = Qt::DisplayRole) {
        return model.data(model.index(row, col), role);
    };
    QCOMPARE(cell(0, models::ConfigPoolsModel::Name).toString(), QStringLiteral("web"));
    QCOMPARE(cell(0, models::ConfigPoolsModel::Workers).toString(), QStringLiteral("3"));
    QCOMPARE(cell(0, models::ConfigPoolsModel::Gateway).toString(),
             QStringLiteral("127.0.0.1:18080"));
    QCOMPARE(cell(0, models::ConfigPoolsModel::Probes).toString(),
             QStringLiteral("liveness, readiness"));
    QCOMPARE(cell(1, models::ConfigPoolsModel::Workers).toString(),
             QStringLiteral("1..4 (autoscaled)"));
    QCOMPARE(
        cell(1, models::ConfigPoolsModel::Workers, models::ConfigPoolsModel::ValueRole).toInt(), 4);
    QCOMPARE(cell(3, models::ConfigPoolsModel::DependsOn).toString(), QStringLiteral("web"));
    // nightly-report is a job: no workers at start, its runs at the schedule's times.
    QCOMPARE(cell(3, models::ConfigPoolsModel::Workers).toString(),
             QStringLiteral("job: */20 * * * * *"));
    QCOMPARE(cell(3, models::ConfigPoolsModel::Ports).toString(), QString());
    QCOMPARE(cell(0, models::ConfigPoolsModel::Revision).toString().size(), 12);
    model.setConfig({});
    QCOMPARE(model.rowCount(), 0);
}

void TestPreview::modelThroughProxy()
{
    models::ConfigPoolsModel model;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(models::ConfigPoolsModel::ValueRole);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setConfig(*demo().config);
    proxy.sort(models::ConfigPoolsModel::Workers, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, models::ConfigPoolsModel::Name).data().toString(),
             QStringLiteral("batch"));
    proxy.setFilterKeyColumn(models::ConfigPoolsModel::Name);
    proxy.setFilterFixedString(QStringLiteral("fla"));
    QCOMPARE(proxy.rowCount(), 1);
}

void TestPreview::windowShowsPools()
{
    ui::PreviewWindow window;
    window.showLoadResult(QStringLiteral("demo.yaml"), demo());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.poolRows(), 4);
    auto *table = window.findChild<QTableView *>();
    QVERIFY(table && table->isVisible());
    QVERIFY(!window.findChild<QPlainTextEdit *>()->isVisible());
    bool summaryShown = false;
    for (auto *label : window.findChildren<QLabel *>())
        summaryShown |= label->text().startsWith(QStringLiteral("4 pools, 6 workers at start")) &&
                        label->text().contains(QStringLiteral(", 1 job, "));
    QVERIFY(summaryShown);
    QImage shot = window.grab().toImage();
    QVERIFY(!shot.isNull());
    QVERIFY(shot.width() > 400);
}

void TestPreview::windowShowsErrors()
{
    ui::PreviewWindow window;
    window.showLoadResult(
        QStringLiteral("bad.yaml"),
        config::loadText("version: 1\npools:\n  - {name: a, command: x}\n", "bad.yaml"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.poolRows(), 0);
    auto *errors = window.findChild<QPlainTextEdit *>();
    QVERIFY(errors->isVisible());
    QVERIFY(errors->toPlainText().startsWith(
        QStringLiteral("bad.yaml:3:24: pools[0].command: expected a list of strings")));
    QVERIFY(!window.findChild<QTableView *>()->isVisible());
}

void TestPreview::germanTranslation()
{
    // The .qm is compiled from translations/drover_de.ts and embedded in the ui library.
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/drover_de.qm")));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    models::ConfigPoolsModel model;
    QCOMPARE(model.headerData(models::ConfigPoolsModel::Probes, Qt::Horizontal).toString(),
             QStringLiteral("Prüfungen"));
    ui::PreviewWindow window;
    QCOMPARE(window.windowTitle(), QStringLiteral("Drover-Konsole"));
    window.showLoadResult(QStringLiteral("bad.yaml"), config::loadText("x: 1\n", "bad.yaml"));
    bool found = false;
    for (auto *label : window.findChildren<QLabel *>())
        found |= label->text() ==
                 QStringLiteral("Diese Konfiguration hat 2 Fehler; nichts davon wird ausgeführt.");
    QVERIFY(found);
    QCoreApplication::removeTranslator(&translator);
}

QTEST_MAIN(TestPreview)
#include "tst_preview.moc"
