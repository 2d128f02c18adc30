#pragma once

#include "api/backend.h"
#include "models/problemsmodel.h"

#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <functional>

class QAction;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTextBrowser;
class QToolBar;
class QTreeWidget;

namespace drover::models {
class BackendBridge;
}

namespace drover::ui {

class CodeEditor;
class DiffView;
class FindBar;

/// The config editor (issue 17), one per master: the running config (`config.get`) in a code
/// editor, checked as you type (`config.validate` on that master, 300 ms after the last
/// keystroke, never blocking the GUI: replies come back through the bridge and only the newest
/// one is shown), its problems underlined and listed; then a review of the change (a
/// side-by-side diff against the running config and the master's plan, `config.plan`), apply
/// with the version the edit started from (`config.apply`), a conflict view when someone
/// applied first, and the versions the master keeps (`config.history`) with a diff of any two
/// and a restore through the same review and apply.
///
/// Made on a local file instead (File > Open Config), it checks the text with the validator
/// linked into the console (the same code as droverd's), on a worker thread, and saves to the
/// file; there is no master to apply to.
///
/// Nothing typed is lost: the text stays in the editor whatever the link or the apply does;
/// replacing it (reload, restore, closing) asks first while it has unsaved edits.
class ConfigPane : public QWidget
{
    Q_OBJECT

public:
    enum Page { EditPage, ReviewPage, ConflictPage, HistoryPage };
    /// What the user answered to "discard your edits?".
    enum class Discard { Save, Discard, Cancel };

    /// On a master.
    explicit ConfigPane(models::BackendBridge *bridge, QWidget *parent = nullptr);
    /// On a local file, without a master.
    explicit ConfigPane(const QString &file, QWidget *parent = nullptr);
    ~ConfigPane() override;

    CodeEditor *editor() const { return m_editor; }
    FindBar *findBar() const { return m_find; }
    models::ProblemsModel *problems() const { return m_problems; }
    QTableView *problemsView() const { return m_problemsView; }
    DiffView *reviewDiff() const { return m_reviewDiff; }
    DiffView *conflictDiff() const { return m_conflictDiff; }
    DiffView *historyDiff() const { return m_historyDiff; }
    QTextBrowser *planView() const { return m_plan; }
    QTreeWidget *historyList() const { return m_history; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *conflictLabel() const { return m_conflictText; }
    QAction *reviewAction() const { return m_reviewAction; }
    QAction *applyAction() const { return m_applyAction; }
    QAction *overwriteAction() const { return m_overwriteAction; }
    QAction *mergeAction() const { return m_mergeAction; }
    QAction *reloadAction() const { return m_reloadAction; }
    QAction *historyAction() const { return m_historyAction; }
    QAction *restoreAction() const { return m_restoreAction; }
    QAction *saveAction() const { return m_saveAction; }
    Page page() const;
    void showPage(Page page);

    bool isLocalFile() const { return !m_bridge; }
    QString file() const { return m_file; }
    /// The version the edit is based on (what Apply sends as base_version).
    QString baseVersion() const { return m_baseVersion; }
    QString baseText() const { return m_baseText; }
    bool isModified() const;
    /// Validation results shown so far, and the generation of the newest one.
    quint64 validationsShown() const { return m_shown; }
    /// The time from sending the newest shown validation to its underline (ms).
    double lastRoundTripMs() const { return m_lastRoundTripMs; }
    void setDebounce(int ms) { m_debounce.setInterval(ms); }
    int debounce() const { return m_debounce.interval(); }

    /// Fetches the running config (or reads the file) into the editor; asks first when that
    /// would replace unsaved edits.
    void reload();
    /// Checks the text now (without waiting for the debounce).
    void validateNow();
    /// Goes to the review: the diff against the running config and the master's plan.
    void review();
    /// Applies the text with the base version (or, with `overwrite`, with the version the
    /// conflict view showed: the user's text replaces theirs).
    void apply(bool overwrite = false);
    /// The conflict view's "Reload and merge": their text with the user's edits on it.
    void reloadAndMerge();
    /// The history page, fetched anew.
    void showHistory();
    /// Compares the versions selected in the history (two, or one against the running one).
    void compareSelected();
    /// Puts `version`'s text in the editor and goes to its review.
    void restoreVersion(const QString &version);
    /// Replaces the misspelt key of problem `row` by the validator's "did you mean" (also a
    /// double-click or Enter on the problem's suggestion).
    bool useSuggestion(int row);
    /// Writes the editor's text to `path` (a local copy, or the local file itself).
    bool saveTo(const QString &path);
    /// Whether the edits may be replaced: none, saved, or the user said discard.
    bool maybeDiscard();
    /// Tests answer the discard question instead of a dialog.
    void setDiscardPrompt(std::function<Discard()> prompt) { m_prompt = std::move(prompt); }

signals:
    /// A result or a hint for the status bar.
    void message(const QString &text);
    /// A validation's problems are underlined and listed (`count` of them).
    void validated(quint64 generation, int count);
    void applied(const QString &version);
    void pageChanged(int page);
    void modifiedChanged(bool modified);

private:
    void build();
    void setLoaded(const QString &text, const QString &version);
    void showValidation(quint64 generation, const api::Reply &reply);
    void showPlan(const nlohmann::json &plan);
    void showConflict();
    void updateActions();
    void request(const std::string &op, const nlohmann::json &args,
                 std::function<void(const api::Reply &)> onReply);
    void fetchVersionText(const QString &version, std::function<void(const QString &)> then);
    QString roleReason() const;
    QString displayName() const;

    models::BackendBridge *m_bridge = nullptr;
    QString m_file; ///< local-file mode: the file; on a master: its config file's name
    CodeEditor *m_editor = nullptr;
    FindBar *m_find = nullptr;
    models::ProblemsModel *m_problems = nullptr;
    QTableView *m_problemsView = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_banner = nullptr;
    QStackedWidget *m_pages = nullptr;
    DiffView *m_reviewDiff = nullptr;
    QTextBrowser *m_plan = nullptr;
    QLabel *m_applyReason = nullptr;
    DiffView *m_conflictDiff = nullptr;
    QLabel *m_conflictText = nullptr;
    QTreeWidget *m_history = nullptr;
    DiffView *m_historyDiff = nullptr;
    QToolBar *m_toolbar = nullptr;
    QAction *m_reviewAction = nullptr;
    QAction *m_applyAction = nullptr;
    QAction *m_overwriteAction = nullptr;
    QAction *m_mergeAction = nullptr;
    QAction *m_reloadAction = nullptr;
    QAction *m_historyAction = nullptr;
    QAction *m_restoreAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_saveAsAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_replaceAction = nullptr;

    QTimer m_debounce;
    QElapsedTimer m_clock;
    quint64 m_generation = 0;
    quint64 m_shown = 0;
    qint64 m_sentAtNs = 0;
    double m_lastRoundTripMs = 0;
    bool m_loading = false; ///< setting the text, not typing
    bool m_loaded = false;
    bool m_wasModified = false;
    QString m_baseText;
    QString m_baseVersion;
    QString m_theirText; ///< conflict: the running text someone else applied
    QString m_theirVersion;
    bool m_planUnchanged = false;
    QHash<QString, QString> m_versionTexts; ///< history: texts fetched so far
    quint64 m_compareGeneration = 0;
    std::function<Discard()> m_prompt;
    QString m_savedCopy; ///< on a master: the text last saved to a local file
};

} // namespace drover::ui
