#pragma once

#include <initializer_list>

class QTableView;

namespace drover::ui {

/// How the console's tables look: whole-row selection, alternating rows, one text line per
/// row at the font's height, no row numbers, the last column stretched, and the first
/// columns `widths` wide, in widths of the letter M (so they follow the font and the DPI).
void setUpTable(QTableView *view, std::initializer_list<int> widthsInEm);

} // namespace drover::ui
