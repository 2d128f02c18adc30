#include "ui/translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QTranslator>

namespace drover {
namespace ui {

QString installTranslations(const QString &language)
{
    const QString installed = QDir(QCoreApplication::applicationDirPath())
                                  .absoluteFilePath(QStringLiteral("../share/drover/translations"));
    auto load = [&installed](const QString &lang) {
        auto *translator = new QTranslator(QCoreApplication::instance()); // Owned by the app.
        const QString name = QStringLiteral("drover_%1.qm").arg(lang);
        if ((translator->load(name, installed) ||
             translator->load(QStringLiteral(":/i18n/") + name)) &&
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
