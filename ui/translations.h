#pragma once

#include <QString>

namespace drover {
namespace ui {

/// Installs the console's translations on the application: the English plural forms always,
/// and on top the catalogue for `language` ("de", ...) when there is one. Returns the
/// language in use ("en" when `language` has no catalogue). A catalogue is looked for in
/// the installed share/drover/translations beside the program's bin/ first (so that an
/// updated drover_de.qm can be dropped in), then in the console itself.
QString installTranslations(const QString &language);

} // namespace ui
} // namespace drover
