#include "ui/tableview.h"

#include <QHeaderView>
#include <QTableView>

namespace drover::ui {

void setUpTable(QTableView *view, std::initializer_list<int> widthsInEm)
{
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    const int em = view->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    int column = 0;
    for (int width : widthsInEm)
        view->setColumnWidth(column++, width * em);
}

} // namespace drover::ui
