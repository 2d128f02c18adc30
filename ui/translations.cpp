#include "ui/translations.h"

#include <QCoreApplication>
#include <QTranslator>

namespace drover {
namespace ui {

QString installTranslations(const QString &language)
{
    auto load = [](const QString &lang) {
        auto *translator = new QTranslator(QCoreApplication::instance()); // Owned by the app.
        if (translator->load(QStringLiteral(":/i18n/drover_%1.qm").arg(lang)) &&
            QCoreApplication::installTranslator(translator))
            return true;
        delete translator;
        return false;
    };
    load(QStringLiteral("en")); // "%n pool(s)" -> "1 pool", "2 pools"
    if (language != QLatin1String("en") && load(language))
        return language;
    return QStringLiteral("en");
}

} // namespace ui
} // namespace drover
