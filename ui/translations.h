#pragma once

#include <QString>

namespace drover {
namespace ui {

/// Installs the console's translations on the application: the English plural forms always,
/// and on top the catalogue for `language` ("de", ...) when there is one. Returns the
/// language in use ("en" when `language` has no catalogue).
QString installTranslations(const QString &language);

} // namespace ui
} // namespace drover
