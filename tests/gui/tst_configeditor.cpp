// The config editor (issue 17), offscreen, on real masters: an embedded one (LocalBackend) and
// a real droverd over the wire. An error typed is underlined at its line and column and listed;
// fixed, it goes; a scale change is reviewed (diff and plan) and applied, and the pool's desired
// count follows; a stale base version gives the conflict view, and Reload and Merge keeps the
// user's edit on theirs; the history lists the versions with who applied them, and a restore
// round-trips. A viewer's Apply is disabled with the reason. A local file is checked without a
// master. The completion table is checked against the validator itself.
//
// DROVER_SCREENSHOT_DIR=dir (and DROVER_SCREENSHOT_LANG=de) also saves the screenshots of
// docs/screenshots (config-editor, config-review, config-history).
#include "../integration/droverdfixture.h"
#include "../integration/markedprocesses.h"
#include "config/loader.h"
#include "embeddedmaster.h"
#include "local/localbackend.h"
#include "models/backendbridge.h"
#include "models/linediff.h"
#include "models/poolsmodel.h"
#include "models/yamlschema.h"
#include "ui/codeeditor.h"
#include "ui/configpane.h"
#include "ui/diffview.h"
#include "ui/mainwindow.h"
#include "ui/masterview.h"
#include "ui/translations.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QHelpEvent>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QToolTip>
#include <QTreeWidget>

#include <set>

extern char **environ;

using namespace drover;
using nlohmann::json;

namespace {

const char kPools[] = "  - name: web\n"
                      "    command: [\"sleep\", \"1000\"]\n"
                      "    replicas: 2\n"
                      "    stop: {timeout: 2s}\n";

/// The pool's desired count as the console's pools model has it; -1 when not there.
int desiredOf(models::BackendBridge *bridge, const QString &pool)
{
    QAbstractItemModel *m = bridge->pools();
    for (int r = 0; r < m->rowCount(); ++r) {
        if (m->index(r, 0).data(models::PoolsModel::NameRole).toString() == pool)
            return m->index(r, models::PoolsModel::Desired).data().toInt();
    }
    return -1;
}

/// Selects the first occurrence of `what` in the editor (or its last `tail` characters) and
/// types `with` over it, key by key.
bool typeOver(ui::CodeEditor *editor, const QString &what, const QString &with, int tail = -1)
{
    QTextCursor c = editor->document()->find(what);
    if (c.isNull())
        return false;
    if (tail >= 0)
        c.setPosition(c.selectionEnd() - tail, QTextCursor::MoveAnchor),
            c.setPosition(c.position() + tail, QTextCursor::KeepAnchor);
    editor->setTextCursor(c);
    editor->setFocus();
    QTest::keyClicks(editor, with);
    return true;
}

} // namespace

class TestConfigEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void schemaMatchesValidator();
    void completion();
    void diffAndMerge();
    void findReplace();
    void editValidateApply_data();
    void editValidateApply();
    void viewerMayNotApply();
    void editsSurviveALostLink();
    void localFile();
    void unsavedEditsAreKept();
    void screenshots();

private:
    void screenshot(QWidget *w, const QString &name);

    QTemporaryDir m_dir;
    std::string m_mark =
        "DROVER_TEST_MARK=" + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    int m_runs = 0;
    QString m_lang = QStringLiteral("en");
};

void TestConfigEditor::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("drover-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_configeditor"));
    QSettings().clear();
    if (qEnvironmentVariableIsSet("DROVER_SCREENSHOT_LANG"))
        m_lang = qEnvironmentVariable("DROVER_SCREENSHOT_LANG");
    ui::installTranslations(m_lang);
}

void TestConfigEditor::screenshot(QWidget *w, const QString &name)
{
    // Without DROVER_SCREENSHOT_DIR the pictures are made all the same, into the test's own
    // directory: the screenshots test runs and checks them in every run.
    QString dir = qEnvironmentVariable("DROVER_SCREENSHOT_DIR");
    if (dir.isEmpty())
        dir = m_dir.filePath(QStringLiteral("shots"));
    QVERIFY(QDir().mkpath(dir));
    QTest::qWait(200);
    QVERIFY(w->grab().save(QStringLiteral("%1/%2-%3.png").arg(dir, name, m_lang)));
}

// Each mapping's keys in the completion table are exactly those the validator accepts: an
// unknown key there makes it list them ("expected one of ...").
void TestConfigEditor::schemaMatchesValidator()
{
    for (const QStringList &path : models::YamlSchema::mappings()) {
        QString yaml = QStringLiteral("version: 1\n");
        int indent = 0;
        bool item = false;
        for (const QString &part : path) {
            if (part == QLatin1String("[]")) {
                item = true;
                continue;
            }
            yaml += QString(indent, QLatin1Char(' ')) + (item ? QStringLiteral("- ") : QString()) +
                    part + QStringLiteral(":\n");
            indent += item ? 4 : 2;
            item = false;
        }
        yaml += QString(indent, QLatin1Char(' ')) + (item ? QStringLiteral("- ") : QString()) +
                QStringLiteral("zzzzqqqq: 1\n");
        auto result = config::loadText(yaml.toStdString(), "schema.yaml");
        QStringList listed;
        for (const api::Diagnostic &d : result.errors) {
            const QString msg = QString::fromStdString(d.message);
            const QString head = QStringLiteral("unknown key \"zzzzqqqq\" (expected one of ");
            if (msg.startsWith(head))
                listed = msg.mid(head.size()).chopped(1).split(QStringLiteral(", "));
        }
        QStringList ours = models::YamlSchema::keysAt(path);
        if (listed.isEmpty() && path.size() == 4 && path[2] == QLatin1String("probes")) {
            // A probe: an unknown key is reported as a probe kind or not at all; the kinds'
            // own mappings and the rest are checked through their sub-paths.
            QVERIFY(!ours.isEmpty());
            continue;
        }
        QVERIFY2(!listed.isEmpty(), qPrintable(yaml + QString::fromStdString(result.report())));
        std::sort(listed.begin(), listed.end());
        std::sort(ours.begin(), ours.end());
        QCOMPARE(ours, listed);
    }
    // Values: a wrong one lists the choices.
    QCOMPARE(models::YamlSchema::valuesOf(
                 {QStringLiteral("pools"), QStringLiteral("[]"), QStringLiteral("gateway")},
                 QStringLiteral("strategy")),
             QStringList({QStringLiteral("round-robin"), QStringLiteral("least-busy"),
                          QStringLiteral("random-two")}));
}

void TestConfigEditor::completion()
{
    ui::CodeEditor editor;
    auto at = [&](const QString &text) {
        editor.setPlainText(text);
        QTextCursor c = editor.textCursor();
        c.movePosition(QTextCursor::End);
        editor.setTextCursor(c);
        QString prefix;
        QStringList words = editor.completionsHere(&prefix);
        return std::make_pair(words, prefix);
    };
    auto [keys, prefix] = at(QStringLiteral("version: 1\npools:\n  - name: a\n    gateway:\n"
                                            "      listen: x\n      stra"));
    QVERIFY(keys.contains(QStringLiteral("strategy")));
    QVERIFY(keys.contains(QStringLiteral("queue")));
    QCOMPARE(prefix, QStringLiteral("stra"));
    auto [values, vprefix] =
        at(QStringLiteral("pools:\n  - name: a\n    gateway:\n      strategy: le"));
    QVERIFY(values.contains(QStringLiteral("least-busy")));
    QCOMPARE(vprefix, QStringLiteral("le"));
    auto [pool, p2] = at(QStringLiteral("pools:\n  - name: a\n    repl"));
    QVERIFY(pool.contains(QStringLiteral("replicas")));
    auto [item, p3] = at(QStringLiteral("pools:\n  - name: a\n  - "));
    QVERIFY(item.contains(QStringLiteral("command")));
    auto [top, p4] = at(QStringLiteral("version: 1\nmas"));
    QVERIFY(top.contains(QStringLiteral("master")));
    auto [policy, p5] = at(QStringLiteral("templates:\n  t:\n    restart:\n      policy: "));
    QVERIFY(policy.contains(QStringLiteral("on-failure")));

    // Tab is two spaces; brackets close themselves.
    editor.setPlainText(QString());
    QTest::keyClick(&editor, Qt::Key_Tab);
    QCOMPARE(editor.toPlainText(), QStringLiteral("  "));
    QTest::keyClicks(&editor, QStringLiteral("a: ["));
    QCOMPARE(editor.toPlainText(), QStringLiteral("  a: []"));
    QTest::keyClicks(&editor, QStringLiteral("x]"));
    QCOMPARE(editor.toPlainText(), QStringLiteral("  a: [x]"));
}

void TestConfigEditor::findReplace()
{
    ui::CodeEditor editor;
    ui::FindBar bar(&editor);
    editor.setPlainText(QStringLiteral("a: 1\nb: 2\nc: 1\n"));
    bar.open(true);
    bar.findEdit()->setText(QStringLiteral("1"));
    QVERIFY(bar.find());
    QCOMPARE(editor.textCursor().blockNumber(), 0);
    QVERIFY(bar.find());
    QCOMPARE(editor.textCursor().blockNumber(), 2);
    QVERIFY(bar.find()); // wraps around
    QCOMPARE(editor.textCursor().blockNumber(), 0);
    QVERIFY(bar.find(true));
    QCOMPARE(editor.textCursor().blockNumber(), 2);
    bar.replaceEdit()->setText(QStringLiteral("9"));
    QCOMPARE(bar.replaceAll(), 2);
    QCOMPARE(editor.toPlainText(), QStringLiteral("a: 9\nb: 2\nc: 9\n"));
    editor.undo(); // one step
    QCOMPARE(editor.toPlainText(), QStringLiteral("a: 1\nb: 2\nc: 1\n"));
    bar.findEdit()->setText(QStringLiteral("zzz"));
    QVERIFY(!bar.find());
}

void TestConfigEditor::diffAndMerge()
{
    using models::DiffRow;
    using models::LineDiff;
    QStringList a;
    for (int i = 0; i < 30; ++i)
        a << QStringLiteral("line %1").arg(i);
    QStringList b = a;
    b[10] = QStringLiteral("changed");
    b.insert(20, QStringLiteral("added"));
    b.removeAt(25);
    const QList<DiffRow> all = LineDiff::rows(a, b);
    QCOMPARE(LineDiff::changes(all), 3);
    const QList<DiffRow> folded = LineDiff::rows(a, b, 2);
    QCOMPARE(LineDiff::changes(folded), 3);
    QVERIFY(folded.size() < all.size());
    QCOMPARE(folded.first().kind, DiffRow::Kind::Folded);
    QCOMPARE(folded.first().count, 8); // lines 0-7; 8 and 9 are context

    const QString base = QStringLiteral("a\nb\nc\nd\ne\n");
    auto m =
        LineDiff::merge(base, QStringLiteral("a\nB\nc\nd\ne\n"), QStringLiteral("a\nb\nc\nD\ne\n"));
    QCOMPARE(m.conflicts, 0);
    QCOMPARE(m.text, QStringLiteral("a\nB\nc\nD\ne\n"));
    m = LineDiff::merge(base, QStringLiteral("a\nX\nc\nd\ne\n"), QStringLiteral("a\nY\nc\nd\ne\n"));
    QCOMPARE(m.conflicts, 1);
    QVERIFY(m.text.contains(QStringLiteral("<<<<<<<")));
}

void TestConfigEditor::editValidateApply_data()
{
    QTest::addColumn<bool>("remote");
    QTest::newRow("embedded") << false;
    QTest::newRow("droverd") << true;
}

void TestConfigEditor::editValidateApply()
{
    QFETCH(bool, remote);
    std::shared_ptr<api::Backend> backend;
    test::Droverd master;
    std::shared_ptr<local::LocalBackend> local;
    if (remote) {
        QVERIFY(master.writeConfig(master.yaml(kPools)));
        const QString admin = master.createToken(QStringLiteral("ada"), QStringLiteral("admin"));
        QVERIFY2(master.start(), qPrintable(master.log()));
        auto r = std::make_shared<remote::RemoteBackend>(test::Link::options(master.port, admin));
        r->start();
        backend = r;
    } else {
        local = test::startEmbedded(
            kPools, m_dir.path() + QStringLiteral("/state-%1").arg(++m_runs), m_mark);
        QVERIFY(local);
        backend = local;
    }
    const QString who = remote ? QStringLiteral("ada") : QStringLiteral("console");
    {
        ui::MainWindow window(backend, QStringLiteral("test master"));
        window.resize(1180, 720);
        window.show();
        ui::MasterView *view = window.current();
        view->showPane(ui::MasterView::Config);
        ui::ConfigPane *pane = view->configPane();
        ui::CodeEditor *editor = pane->editor();
        QTRY_VERIFY_WITH_TIMEOUT(!pane->baseVersion().isEmpty(), 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(pane->validationsShown() >= 1, 10'000);
        QCOMPARE(pane->problems()->rowCount(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(desiredOf(view->bridge(), QStringLiteral("web")), 2, 10'000);
        const QString v0 = pane->baseVersion();

        // An error, typed: underlined where it is and listed.
        const int line = editor->document()->find(QStringLiteral("replicas: 2")).blockNumber() + 1;
        QVERIFY(line > 1);
        QVERIFY(typeOver(editor, QStringLiteral("replicas: 2"), QStringLiteral("two"), 1));
        QTRY_COMPARE_WITH_TIMEOUT(pane->problems()->rowCount(), 1, 10'000);
        const models::Problem &p = pane->problems()->problem(0);
        QCOMPARE(p.line, line);
        QCOMPARE(p.column, 15);
        QCOMPARE(p.path, QStringLiteral("pools[0].replicas"));
        QCOMPARE(editor->marks().size(), 1);
        const QTextBlock block = editor->document()->findBlockByNumber(line - 1);
        QCOMPARE(editor->marks()[0].start, block.position() + 14);
        QCOMPARE(editor->marks()[0].end, block.position() + 17); // "two"
        QVERIFY(pane->problems()
                    ->index(0, models::ProblemsModel::Message)
                    .data()
                    .toString()
                    .contains(QStringLiteral("two")));
        // Its message as the tooltip of the underlined text.
        {
            QTextCursor at(editor->document());
            at.setPosition(editor->marks()[0].start + 1);
            const QPoint p = editor->cursorRect(at).center();
            QHelpEvent help(QEvent::ToolTip, p, editor->viewport()->mapToGlobal(p));
            QApplication::sendEvent(editor->viewport(), &help);
            QTRY_VERIFY2(QToolTip::text().contains(QStringLiteral("\"two\"")),
                         qPrintable(QToolTip::text()));
        }
        // A problem's row goes to its place.
        editor->moveCursor(QTextCursor::Start);
        pane->problemsView()->activated(pane->problems()->index(0, 0));
        QCOMPARE(editor->textCursor().blockNumber(), line - 1);

        // Fixed: gone.
        QVERIFY(typeOver(editor, QStringLiteral("two"), QStringLiteral("3")));
        QTRY_COMPARE_WITH_TIMEOUT(pane->problems()->rowCount(), 0, 10'000);
        QTRY_VERIFY(editor->marks().isEmpty());
        QVERIFY(pane->isModified());

        // Review: the diff and the plan; then apply.
        pane->review();
        QTRY_COMPARE_WITH_TIMEOUT(pane->page(), ui::ConfigPane::ReviewPage, 10'000);
        QCOMPARE(pane->reviewDiff()->changes(), 1);
        const QString plan = pane->planView()->toPlainText();
        QVERIFY2(plan.contains(QStringLiteral("web")) && plan.contains(QStringLiteral("2")) &&
                     plan.contains(QStringLiteral("3")),
                 qPrintable(plan));
        QVERIFY(pane->applyAction()->isEnabled());
        QSignalSpy applied(pane, &ui::ConfigPane::applied);
        pane->applyAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, 10'000);
        const QString v1 = applied[0][0].toString();
        QVERIFY(v1 != v0);
        QCOMPARE(pane->baseVersion(), v1);
        QVERIFY(!pane->isModified());
        QCOMPARE(pane->page(), ui::ConfigPane::EditPage);
        QTRY_COMPARE_WITH_TIMEOUT(desiredOf(view->bridge(), QStringLiteral("web")), 3, 10'000);

        // Someone else applies meanwhile: the pane's apply is a conflict, shown as a diff;
        // Reload and Merge keeps the user's edit on their text.
        editor->moveCursor(QTextCursor::Start);
        QTest::keyClicks(editor, QStringLiteral("# edited in the console"));
        QTest::keyClick(editor, Qt::Key_Return);
        const std::string theirs = pane->baseText().toStdString().replace(
            pane->baseText().toStdString().find("replicas: 3"), 11, "replicas: 1");
        auto r = test::callAndWait(*backend, "config.apply",
                                   {{"text", theirs}, {"base_version", v1.toStdString()}});
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        pane->applyAction()->setEnabled(true); // as if reviewed: apply straight away
        pane->apply();
        QTRY_COMPARE_WITH_TIMEOUT(pane->page(), ui::ConfigPane::ConflictPage, 10'000);
        QVERIFY(pane->conflictDiff()->changes() >= 2);
        QVERIFY(pane->overwriteAction()->isEnabled());
        pane->mergeAction()->trigger();
        QCOMPARE(pane->page(), ui::ConfigPane::EditPage);
        QVERIFY(editor->toPlainText().startsWith(QStringLiteral("# edited in the console\n")));
        QVERIFY(editor->toPlainText().contains(QStringLiteral("replicas: 1")));
        QCOMPARE(pane->baseVersion(), QString::fromStdString((*r)["version"].get<std::string>()));
        QTRY_COMPARE_WITH_TIMEOUT(desiredOf(view->bridge(), QStringLiteral("web")), 1, 10'000);

        // History: three versions, newest first, the console's apply recorded with who made it.
        pane->showHistory();
        QTreeWidget *list = pane->historyList();
        QTRY_VERIFY2_WITH_TIMEOUT(list->topLevelItemCount() == 3,
                                  qPrintable(pane->statusLabel()->text()), 10'000);
        QCOMPARE(list->topLevelItem(0)->data(0, Qt::UserRole).toString(), pane->baseVersion());
        QCOMPARE(list->topLevelItem(1)->data(0, Qt::UserRole).toString(), v1);
        QCOMPARE(list->topLevelItem(2)->data(0, Qt::UserRole).toString(), v0);
        QCOMPARE(list->topLevelItem(1)->text(2), who);
        // The first and the last compared.
        list->topLevelItem(0)->setSelected(true);
        list->topLevelItem(2)->setSelected(true);
        QTRY_VERIFY_WITH_TIMEOUT(pane->historyDiff()->changes() >= 1, 10'000);

        // Restore the first version: it goes through the review and apply, and round-trips.
        list->clearSelection();
        list->topLevelItem(2)->setSelected(true);
        QVERIFY(pane->restoreAction()->isEnabled());
        pane->setDiscardPrompt([] { return ui::ConfigPane::Discard::Discard; });
        pane->restoreAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(pane->page(), ui::ConfigPane::ReviewPage, 10'000);
        pane->applyAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 2, 10'000);
        auto got = test::callAndWait(*backend, "config.get", json::object());
        QVERIFY(got.ok());
        QCOMPARE(QString::fromStdString((*got)["version"].get<std::string>()), v0);
        QTRY_COMPARE_WITH_TIMEOUT(desiredOf(view->bridge(), QStringLiteral("web")), 2, 10'000);
    }
    if (remote) {
        backend.reset();
        QCOMPARE(master.stop(), 0);
    }
}

// A viewer over the wire: the text is checked as typed, but Apply is disabled with the reason.
void TestConfigEditor::viewerMayNotApply()
{
    test::Droverd master;
    QVERIFY(master.writeConfig(master.yaml(kPools)));
    const QString viewer = master.createToken(QStringLiteral("vera"), QStringLiteral("viewer"));
    QVERIFY2(master.start(), qPrintable(master.log()));
    auto remote = std::make_shared<remote::RemoteBackend>(test::Link::options(master.port, viewer));
    remote->start();
    {
        ui::MainWindow window(remote, master.url());
        window.show();
        ui::ConfigPane *pane = window.current()->configPane();
        QTRY_VERIFY_WITH_TIMEOUT(!pane->baseVersion().isEmpty(), 10'000);
        QTRY_VERIFY(window.bridge()->role() == api::Role::Viewer);
        QVERIFY(typeOver(pane->editor(), QStringLiteral("replicas:"), QStringLiteral("replica:")));
        QTRY_COMPARE_WITH_TIMEOUT(pane->problems()->rowCount(), 1, 10'000);
        QCOMPARE(pane->problems()->problem(0).suggestion, QStringLiteral("replicas"));
        pane->review(); // refused: the problems stay, the page too
        QTRY_COMPARE_WITH_TIMEOUT(pane->problems()->rowCount(), 1, 10'000);
        QCOMPARE(pane->page(), ui::ConfigPane::EditPage);
        // The suggestion, double-clicked, replaces the key.
        pane->problemsView()->activated(
            pane->problems()->index(0, models::ProblemsModel::Suggestion));
        QVERIFY(pane->editor()->toPlainText().contains(QStringLiteral("    replicas: 2\n")));
        QTRY_COMPARE_WITH_TIMEOUT(pane->problems()->rowCount(), 0, 10'000);
        pane->review();
        QTRY_COMPARE_WITH_TIMEOUT(pane->page(), ui::ConfigPane::ReviewPage, 10'000);
        QVERIFY2(pane->reviewAction()->isEnabled() &&
                     pane->reviewAction()->toolTip().contains(QStringLiteral("needs admin")),
                 qPrintable(pane->reviewAction()->toolTip()));
        for (QAction *a : {pane->applyAction(), pane->overwriteAction()}) {
            QVERIFY(!a->isEnabled());
            QVERIFY2(a->toolTip().contains(QStringLiteral("viewer")) &&
                         a->toolTip().contains(QStringLiteral("admin")),
                     qPrintable(a->toolTip()));
        }
    }
    remote.reset();
    QCOMPARE(master.stop(), 0);
}

// The link to droverd drops while the text has edits: they stay, a check says it could not be
// made, and once droverd is back the same edits are checked and applied.
void TestConfigEditor::editsSurviveALostLink()
{
    test::Droverd master;
    QVERIFY(master.writeConfig(master.yaml(kPools)));
    const QString admin = master.createToken(QStringLiteral("ada"), QStringLiteral("admin"));
    QVERIFY2(master.start(), qPrintable(master.log()));
    auto remote = std::make_shared<remote::RemoteBackend>(test::Link::options(master.port, admin));
    remote->start();
    {
        ui::MainWindow window(remote, master.url());
        window.show();
        ui::ConfigPane *pane = window.current()->configPane();
        QTRY_VERIFY_WITH_TIMEOUT(!pane->baseVersion().isEmpty(), 10'000);
        const QString version = pane->baseVersion();
        pane->editor()->moveCursor(QTextCursor::Start);
        QTest::keyClicks(pane->editor(), QStringLiteral("# kept through the outage"));
        QTest::keyClick(pane->editor(), Qt::Key_Return);
        const QString typed = pane->editor()->toPlainText();
        QCOMPARE(master.stop(), 0);
        pane->validateNow();
        QTRY_VERIFY_WITH_TIMEOUT(
            pane->statusLabel()->text().contains(QStringLiteral("your text is kept")), 10'000);
        pane->apply(); // refused: not connected; the text stays
        QTRY_VERIFY_WITH_TIMEOUT(
            pane->statusLabel()->text().contains(QStringLiteral("Your text is kept")), 10'000);
        QCOMPARE(pane->editor()->toPlainText(), typed);

        QVERIFY2(master.start(), qPrintable(master.log()));
        // Checked again once the link is back (each try sends the text anew).
        QTRY_VERIFY_WITH_TIMEOUT(
            (pane->validateNow(), pane->statusLabel()->text().startsWith(QStringLiteral("✓"))),
            15'000);
        QTRY_VERIFY_WITH_TIMEOUT(window.bridge()->hasSnapshot(), 10'000);
        QTest::qWait(300); // a new snapshot does not replace edited text
        QCOMPARE(pane->editor()->toPlainText(), typed);
        QCOMPARE(pane->baseVersion(), version);
        QSignalSpy applied(pane, &ui::ConfigPane::applied);
        pane->apply();
        QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, 10'000);
        QVERIFY(window.statusBar()->currentMessage().contains(applied[0][0].toString()));
        QVERIFY(test::readText(master.config).startsWith(QStringLiteral("# kept through")));
    }
    remote.reset();
    QCOMPARE(master.stop(), 0);
}

// File > Open Config: a local file checked by the console's own validator, saved back.
void TestConfigEditor::localFile()
{
    const QString path = m_dir.filePath(QStringLiteral("local.yaml"));
    QVERIFY(test::writeFile(path, "version: 1\npools:\n  - name: a\n    command: [x]\n"
                                  "    replicas: -1\n"));
    ui::MainWindow window;
    ui::ConfigPane *pane = window.openConfigFile(path);
    QVERIFY(pane->isLocalFile());
    QTRY_COMPARE_WITH_TIMEOUT(pane->problems()->rowCount(), 1, 10'000);
    QCOMPARE(pane->problems()->problem(0).line, 5);
    QVERIFY(!pane->reviewAction()->isEnabled());
    QVERIFY(typeOver(pane->editor(), QStringLiteral("-1"), QStringLiteral("4")));
    QTRY_COMPARE_WITH_TIMEOUT(pane->problems()->rowCount(), 0, 10'000);
    QVERIFY(pane->statusLabel()->text().contains(QStringLiteral("1")));
    QVERIFY(pane->isModified());
    QVERIFY(pane->saveTo(path));
    QVERIFY(!pane->isModified());
    QVERIFY(test::readText(path).contains(QStringLiteral("replicas: 4")));
}

// Edits survive a reload refused, a failed apply, and are asked about before they go.
void TestConfigEditor::unsavedEditsAreKept()
{
    auto backend = test::startEmbedded(
        kPools, m_dir.path() + QStringLiteral("/state-%1").arg(++m_runs), m_mark);
    QVERIFY(backend);
    ui::MainWindow window(backend, QStringLiteral("test"));
    ui::ConfigPane *pane = window.current()->configPane();
    QTRY_VERIFY_WITH_TIMEOUT(!pane->baseVersion().isEmpty(), 10'000);
    pane->editor()->moveCursor(QTextCursor::End);
    QTest::keyClicks(pane->editor(), QStringLiteral("bogus: [1"));
    const QString typed = pane->editor()->toPlainText();
    int asked = 0;
    pane->setDiscardPrompt([&asked] {
        ++asked;
        return ui::ConfigPane::Discard::Cancel;
    });
    pane->reload();
    QCOMPARE(asked, 1);
    QCOMPARE(pane->editor()->toPlainText(), typed);
    // An invalid apply keeps the text, and lists the problems.
    pane->apply();
    QTRY_VERIFY_WITH_TIMEOUT(pane->problems()->rowCount() >= 1, 10'000);
    QCOMPARE(pane->editor()->toPlainText(), typed);
    // Closing the console asks too; cancelled, it stays open.
    window.show();
    QVERIFY(!window.close());
    QCOMPARE(asked, 2);
    // Saved to a file, the question is not asked again.
    QVERIFY(pane->saveTo(m_dir.filePath(QStringLiteral("copy.yaml"))));
    QVERIFY(pane->maybeDiscard());
    QCOMPARE(asked, 2);
}

// The pictures of docs/screenshots, on a config that names no path of this machine (its state
// dir is under a HOME of the test's own); into DROVER_SCREENSHOT_DIR when it is set.
void TestConfigEditor::screenshots()
{
    const QByteArray home = m_dir.filePath(QStringLiteral("home")).toUtf8();
    QDir().mkpath(QString::fromUtf8(home));
    qputenv("HOME", home);
    const std::string text = "# Three pools of the demo, and a nightly job.\n"
                             "version: 1\n"
                             "\n"
                             "master:\n"
                             "  listen: 127.0.0.1:7700\n"
                             "  state_dir: ~/state\n"
                             "  metrics: {retention: 1h, resolution: 1s}\n"
                             "\n"
                             "templates:\n"
                             "  sleeper:\n"
                             "    restart: {policy: on-failure, backoff: {initial: 200ms, max: "
                             "10s}}\n"
                             "    stop: {signal: SIGTERM, timeout: 5s}\n"
                             "\n"
                             "pools:\n"
                             "  - name: web\n"
                             "    extends: sleeper\n"
                             "    command: [\"sleep\", \"1000\"]\n"
                             "    replicas: 3\n"
                             "    ports: 18100-18109\n"
                             "    env: {LOG_LEVEL: info}\n"
                             "    probes:\n"
                             "      liveness: {exec: {command: [\"true\"]}, interval: 5s}\n"
                             "\n"
                             "  - name: worker\n"
                             "    extends: sleeper\n"
                             "    command: [\"sleep\", \"1000\"]\n"
                             "    replicas: 2\n"
                             "    depends_on: [web]\n"
                             "\n"
                             "  - name: nightly-report\n"
                             "    command: [\"sleep\", \"1000\"]\n"
                             "    restart: {policy: never}\n";
    config::LoadOptions load; // as the console loads a file: against its directory
    load.baseDir = m_dir.path().toStdString();
    auto loaded =
        config::loadText(text, m_dir.filePath(QStringLiteral("demo.yaml")).toStdString(), load);
    QVERIFY2(loaded.ok(), loaded.report().c_str());
    engine::EngineOptions options;
    for (char **e = environ; *e; ++e)
        options.masterEnv.emplace_back(*e);
    options.masterEnv.push_back(m_mark);
    options.cgroupParent = drover::test::testCgroupParent();
    std::shared_ptr<local::LocalBackend> backend(new local::LocalBackend(options),
                                                 [](local::LocalBackend *b) {
                                                     b->shutdown();
                                                     delete b;
                                                 });
    QVERIFY(backend->start(std::make_shared<config::Config>(std::move(*loaded.config))).ok());
    ui::MainWindow window(backend, QCoreApplication::translate("main", "Embedded master (%1)")
                                       .arg(QStringLiteral("demo.yaml")));
    window.resize(1180, 720);
    window.show();
    ui::MasterView *view = window.current();
    view->showPane(ui::MasterView::Config);
    ui::ConfigPane *pane = view->configPane();
    ui::CodeEditor *editor = pane->editor();
    QTRY_VERIFY_WITH_TIMEOUT(!pane->baseVersion().isEmpty(), 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(desiredOf(view->bridge(), QStringLiteral("worker")), 2, 10'000);

    QVERIFY(typeOver(editor, QStringLiteral("replicas: 2"), QStringLiteral("two"), 1));
    QVERIFY(typeOver(editor, QStringLiteral("depends_on"), QStringLiteral("depend_on")));
    QTRY_COMPARE_WITH_TIMEOUT(pane->problems()->rowCount(), 2, 10'000);
    pane->problemsView()->selectRow(0);
    editor->goTo(3, 1); // the current line's colour away from the underlines
    screenshot(&window, QStringLiteral("config-editor"));

    QVERIFY(typeOver(editor, QStringLiteral("two"), QStringLiteral("4")));
    QVERIFY(typeOver(editor, QStringLiteral("depend_on"), QStringLiteral("depends_on")));
    QVERIFY(typeOver(editor, QStringLiteral("replicas: 3"), QStringLiteral("2"), 1));
    { // the worker pool's command: a new template
        QTextCursor first = editor->document()->find(QStringLiteral("1000"));
        QTextCursor second = editor->document()->find(QStringLiteral("1000"), first);
        QVERIFY(!second.isNull());
        editor->setTextCursor(second);
        QTest::keyClicks(editor, QStringLiteral("2000"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(pane->problems()->rowCount(), 0, 10'000);
    pane->review();
    QTRY_COMPARE_WITH_TIMEOUT(pane->page(), ui::ConfigPane::ReviewPage, 10'000);
    // The plan names the strategy (a word of the config, in any language).
    QTRY_VERIFY_WITH_TIMEOUT(pane->planView()->toPlainText().contains(QStringLiteral("rolling")),
                             10'000);
    screenshot(&window, QStringLiteral("config-review"));
    QSignalSpy applied(pane, &ui::ConfigPane::applied);
    pane->applyAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, 10'000);
    QVERIFY(typeOver(editor, QStringLiteral("interval: 5s"), QStringLiteral("10s"), 2));
    pane->review();
    QTRY_COMPARE_WITH_TIMEOUT(pane->page(), ui::ConfigPane::ReviewPage, 10'000);
    pane->applyAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 2, 10'000);
    pane->showHistory();
    QTRY_COMPARE_WITH_TIMEOUT(pane->historyList()->topLevelItemCount(), 3, 10'000);
    pane->historyList()->topLevelItem(1)->setSelected(true);
    pane->historyList()->topLevelItem(2)->setSelected(true);
    QTRY_VERIFY_WITH_TIMEOUT(pane->historyDiff()->changes() >= 2, 10'000);
    screenshot(&window, QStringLiteral("config-history"));
}

QTEST_MAIN(TestConfigEditor)
#include "tst_configeditor.moc"
