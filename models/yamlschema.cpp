#include "models/yamlschema.h"

#include <QHash>
#include <QRegularExpression>

#include <algorithm>

namespace drover::models {

namespace {

QStringList words(const char *text)
{
    return QString::fromLatin1(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

const char kPoolKeys[] = "name extends command cwd env replicas autoscale ports limits restart "
                         "stop probes gateway rollout depends_on logs schedule image mounts "
                         "network pull";

/// Normalized path -> keys. Templates and adopted entries share the pool's sub-mappings.
const QHash<QString, QStringList> &keyTable()
{
    static const QHash<QString, QStringList> table{
        {QString(), words("version master templates pools adopted")},
        {QStringLiteral("master"), words("listen state_dir tls auth metrics probes fleet")},
        {QStringLiteral("master.fleet"), words("etcd prefix ttl tls name url")},
        {QStringLiteral("master.fleet.tls"), words("ca cert key")},
        {QStringLiteral("master.tls"), words("cert key")},
        {QStringLiteral("master.auth"), words("tokens")},
        {QStringLiteral("master.auth.tokens[]"), words("name role sha256")},
        {QStringLiteral("master.metrics"), words("retention resolution")},
        {QStringLiteral("master.probes"), words("max_exec history")},
        {QStringLiteral("pool"), words(kPoolKeys)},
        {QStringLiteral("template"), words(kPoolKeys).mid(1)},
        {QStringLiteral("pool.autoscale"),
         words("min max target_utilization scale_up_after scale_down_after min_idle")},
        {QStringLiteral("pool.limits"), words("memory cpu nofile pids")},
        {QStringLiteral("pool.restart"), words("policy backoff max_restarts window")},
        {QStringLiteral("pool.restart.backoff"), words("initial max factor jitter")},
        {QStringLiteral("pool.stop"), words("signal timeout")},
        {QStringLiteral("pool.probes"), words("startup liveness readiness")},
        {QStringLiteral("probe"), words("http tcp exec grpc interval timeout initial_delay "
                                        "failure_threshold success_threshold")},
        {QStringLiteral("probe.http"), words("url method expect_status headers reuse_connection")},
        {QStringLiteral("probe.tcp"), words("host port")},
        {QStringLiteral("probe.exec"), words("command")},
        {QStringLiteral("probe.grpc"), words("host port service")},
        {QStringLiteral("pool.gateway"),
         words("listen strategy per_worker_concurrency queue request_timeout retry "
               "circuit_breaker rate_limit drain_timeout")},
        {QStringLiteral("pool.gateway.queue"), words("max timeout")},
        {QStringLiteral("pool.gateway.retry"), words("attempts on")},
        {QStringLiteral("pool.gateway.circuit_breaker"), words("consecutive_failures open_for")},
        {QStringLiteral("pool.gateway.rate_limit"), words("rps burst")},
        {QStringLiteral("pool.rollout"), words("strategy max_surge max_unavailable min_ready "
                                               "progress_deadline auto_rollback canary")},
        {QStringLiteral("pool.rollout.canary"), words("steps max_error_rate")},
        {QStringLiteral("pool.rollout.canary.steps[]"), words("weight pause")},
        {QStringLiteral("pool.logs"), words("max_size files")},
        {QStringLiteral("pool.schedule"),
         words("cron timezone concurrency deadline catch_up history")},
        {QStringLiteral("adopted"), words("name pid_file command cwd env probes restart stop")},
    };
    return table;
}

const QHash<QString, QStringList> &valueTable()
{
    static const QHash<QString, QStringList> table{
        {QStringLiteral("master.auth.tokens[].role"), words("viewer operator admin")},
        {QStringLiteral("pool.restart.policy"), words("always on-failure never")},
        {QStringLiteral("pool.stop.signal"),
         words("SIGTERM SIGINT SIGQUIT SIGHUP SIGUSR1 SIGUSR2 SIGKILL SIGWINCH")},
        {QStringLiteral("probe.http.method"), words("GET HEAD POST")},
        {QStringLiteral("probe.http.reuse_connection"), words("true false")},
        {QStringLiteral("pool.gateway.strategy"), words("round-robin least-busy random-two")},
        {QStringLiteral("pool.rollout.strategy"), words("rolling blue-green canary recreate")},
        {QStringLiteral("pool.rollout.auto_rollback"), words("true false")},
        {QStringLiteral("pool.schedule.concurrency"), words("forbid allow replace")},
        {QStringLiteral("pool.schedule.catch_up"), words("skip once")},
        {QStringLiteral("pool.network"), words("private host")},
        {QStringLiteral("pool.pull"), words("missing always never")},
        {QStringLiteral("env.secret"), words("true false")},
    };
    return table;
}

} // namespace

QString YamlSchema::normalized(const QStringList &path)
{
    // pools [] X... -> pool.X; templates NAME X... -> template / pool.X; adopted [] -> adopted
    // (its probes, restart and stop are the pool's); startup|liveness|readiness -> probe.
    QStringList out;
    int i = 0;
    if (path.size() >= 2 && path[0] == QLatin1String("pools") && path[1] == QLatin1String("[]")) {
        out << QStringLiteral("pool");
        i = 2;
    } else if (path.size() >= 2 && path[0] == QLatin1String("templates")) {
        out << (path.size() == 2 ? QStringLiteral("template") : QStringLiteral("pool"));
        i = 2;
    } else if (path.size() >= 2 && path[0] == QLatin1String("adopted") &&
               path[1] == QLatin1String("[]")) {
        out << (path.size() == 2 ? QStringLiteral("adopted") : QStringLiteral("pool"));
        i = 2;
    }
    for (; i < path.size(); ++i) {
        const QString &p = path[i];
        if (p == QLatin1String("[]") && !out.isEmpty()) {
            out.last() += QStringLiteral("[]");
            continue;
        }
        if (out.size() == 2 && out[0] == QLatin1String("pool") &&
            out[1] == QLatin1String("probes") &&
            (p == QLatin1String("startup") || p == QLatin1String("liveness") ||
             p == QLatin1String("readiness"))) {
            out = QStringList{QStringLiteral("probe")};
            continue;
        }
        if (out.size() == 2 && out[0] == QLatin1String("pool") && out[1] == QLatin1String("env")) {
            out = QStringList{QStringLiteral("env")}; // env NAME: {value, secret}
            continue;
        }
        out << p;
    }
    return out.join(QLatin1Char('.'));
}

QStringList YamlSchema::keysAt(const QStringList &path)
{
    const QString key = normalized(path);
    if (key == QLatin1String("env"))
        return words("value secret");
    return keyTable().value(key);
}

QStringList YamlSchema::valuesOf(const QStringList &path, const QString &key)
{
    QString at = normalized(path);
    return valueTable().value(at.isEmpty() ? key : at + QLatin1Char('.') + key);
}

bool YamlSchema::hasValues(const QString &key)
{
    const QString tail = QLatin1Char('.') + key;
    const auto &table = valueTable();
    return std::any_of(table.keyBegin(), table.keyEnd(),
                       [&](const QString &k) { return k.endsWith(tail) || k == key; });
}

QList<QStringList> YamlSchema::mappings()
{
    auto split = [](const char *p) {
        return QString::fromLatin1(p).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    };
    return {split(""),
            split("master"),
            split("master tls"),
            split("master auth"),
            split("master auth tokens []"),
            split("master metrics"),
            split("master probes"),
            split("master fleet"),
            split("master fleet tls"),
            split("pools []"),
            split("templates t"),
            split("pools [] autoscale"),
            split("pools [] limits"),
            split("pools [] restart"),
            split("pools [] restart backoff"),
            split("pools [] stop"),
            split("pools [] probes"),
            split("pools [] probes liveness"),
            split("pools [] probes liveness http"),
            split("pools [] probes liveness tcp"),
            split("pools [] probes liveness exec"),
            split("pools [] probes liveness grpc"),
            split("pools [] gateway"),
            split("pools [] gateway queue"),
            split("pools [] gateway retry"),
            split("pools [] gateway circuit_breaker"),
            split("pools [] gateway rate_limit"),
            split("pools [] rollout"),
            split("pools [] rollout canary"),
            split("pools [] rollout canary steps []"),
            split("pools [] logs"),
            split("pools [] schedule"),
            split("adopted []")};
}

QStringList YamlSchema::contextAt(const QStringList &lines, int line, int column, int dashColumn)
{
    static const QRegularExpression keyLine(
        QString::fromLatin1(R"(^( *)(- +)?([A-Za-z0-9_.\-]+|"[^"]*")\s*:\s*(#.*)?$)"));
    static const QRegularExpression anyLine(QString::fromLatin1(R"(^( *)(- +)?(\S))"));
    QStringList path;
    int limit = column;
    if (dashColumn >= 0) {
        path.prepend(QStringLiteral("[]"));
        limit = dashColumn;
    }
    for (int i = line - 1; i >= 0 && limit > 0; --i) {
        const QString &text = lines[i];
        auto any = anyLine.match(text);
        if (!any.hasMatch() || any.captured(3) == QLatin1String("#"))
            continue; // blank or a comment
        const int indent = int(any.capturedLength(1));
        const bool dash = any.capturedLength(2) > 0;
        const int keyCol = indent + int(any.capturedLength(2));
        if (keyCol >= limit && !(dash && indent < limit))
            continue; // a sibling or deeper
        auto m = keyLine.match(text);
        if (keyCol < limit) {
            if (!m.hasMatch())
                return {}; // inside a scalar or a flow collection: no known place
            QString key = m.captured(3);
            if (key.startsWith(QLatin1Char('"')))
                key = key.mid(1, key.size() - 2);
            path.prepend(key);
            limit = keyCol;
        }
        if (dash && indent < limit) {
            path.prepend(QStringLiteral("[]"));
            limit = indent;
        }
    }
    return path;
}

} // namespace drover::models
