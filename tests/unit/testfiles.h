#pragma once
// Small file helpers the unit tests share: read, write and look for a file by path.

#include <QFile>
#include <QString>

#include <string>
#include <unistd.h>

namespace drover::test {

/// The whole file, or "<missing>" when it cannot be read.
inline std::string readAll(const std::string &path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        return "<missing>";
    return file.readAll().toStdString();
}

/// Replaces the file's content; false when it could not be written whole.
inline bool writeFile(const std::string &path, const std::string &content)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(content.data(), qint64(content.size())) == qint64(content.size());
}

inline bool exists(const std::string &path)
{
    return ::access(path.c_str(), F_OK) == 0;
}

} // namespace drover::test
