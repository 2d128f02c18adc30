#pragma once

#include <QString>
#include <QStringList>

namespace drover::models {

/// What the config validator accepts where, for the editor's completion: the keys of each
/// mapping of schema v1 and the values of each key that takes one of a fixed set. The same
/// names as backends/config's checks; tst_configeditor asks the validator for each mapping's
/// keys (its "expected one of" message) and compares them with this table.
///
/// A place in a document is its chain of keys from the top, a list item as `[]`:
/// `pools [] gateway` is a pool's gateway. Only block-style YAML is followed (a key per line);
/// inside `{...}` flow mappings there is no completion.
class YamlSchema
{
public:
    /// The keys allowed in the mapping at `path`; empty where any key goes (env, headers) or
    /// the place is unknown.
    static QStringList keysAt(const QStringList &path);
    /// The values `key` may take in the mapping at `path`, when it is one of a fixed set.
    static QStringList valuesOf(const QStringList &path, const QString &key);
    /// Whether `key` takes one of a fixed set of values anywhere in the schema.
    static bool hasValues(const QString &key);
    /// Every mapping of the schema, as paths (for the test against the validator).
    static QList<QStringList> mappings();

    /// Where line `line` (0-based) of `lines` is: the chain of keys of the mappings above it,
    /// taking the key column of that line (`column`, the first character after its indent and
    /// any `- `) and whether the line itself starts a list item (`dashColumn` >= 0).
    static QStringList contextAt(const QStringList &lines, int line, int column, int dashColumn);

private:
    static QString normalized(const QStringList &path);
};

} // namespace drover::models
