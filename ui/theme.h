#pragma once

#include <QString>

namespace drover::ui {

/// The console's colours: `system` (the default) keeps the desktop's palette, which the panes
/// follow as it changes; `light` and `dark` set Qt's Fusion style with a light or dark
/// palette, for desktops that do not pass theirs on. False for an unknown name.
bool applyTheme(const QString &name);

} // namespace drover::ui
