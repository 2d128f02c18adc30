<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>drover::models::ConfigPoolsModel</name>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="18"/>
        <source>job: %1</source>
        <translation>Job: %1</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="19"/>
        <source>job, run when asked</source>
        <translation>Job, läuft auf Anforderung</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="21"/>
        <source>%1..%2 (autoscaled)</source>
        <translation>%1..%2 (automatisch skaliert)</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="31"/>
        <source>startup</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="33"/>
        <source>liveness</source>
        <translation>Lebendigkeit</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="35"/>
        <source>readiness</source>
        <translation>Bereitschaft</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="36"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="123"/>
        <source>Pool</source>
        <translation>Pool</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="125"/>
        <source>Workers</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="127"/>
        <source>Ports</source>
        <translation>Ports</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="129"/>
        <source>Probes</source>
        <translation>Prüfungen</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="131"/>
        <source>Gateway</source>
        <translation>Gateway</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="133"/>
        <source>Depends on</source>
        <translation>Hängt ab von</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="135"/>
        <source>Revision</source>
        <translation>Revision</translation>
    </message>
</context>
<context>
    <name>drover::models::DecisionsModel</name>
    <message>
        <location filename="../models/pooltraffic.cpp" line="88"/>
        <source>ok</source>
        <translation>ok</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="90"/>
        <source>retried</source>
        <translation>wiederholt</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="92"/>
        <source>client error</source>
        <translation>Client-Fehler</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="94"/>
        <source>worker error</source>
        <translation>Worker-Fehler</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="96"/>
        <source>timeout</source>
        <translation>Zeitüberschreitung</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="98"/>
        <source>rejected (503)</source>
        <translation>abgewiesen (503)</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="100"/>
        <source>rate-limited</source>
        <translation>Rate begrenzt</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="102"/>
        <source>lease</source>
        <translation>Leihe</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="302"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="304"/>
        <source>Request ID</source>
        <translation>Anfrage-ID</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="306"/>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="308"/>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="310"/>
        <source>Worker</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="312"/>
        <source>Queue ms</source>
        <translation>Warten ms</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="314"/>
        <source>Latency ms</source>
        <translation>Latenz ms</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="316"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="318"/>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="320"/>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <location filename="../models/pooltraffic.cpp" line="322"/>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
</context>
<context>
    <name>drover::models::EventsModel</name>
    <message>
        <location filename="../models/eventsmodel.cpp" line="61"/>
        <source>Reason: %1</source>
        <translation>Grund: %1</translation>
    </message>
    <message>
        <location filename="../models/eventsmodel.cpp" line="86"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../models/eventsmodel.cpp" line="88"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../models/eventsmodel.cpp" line="90"/>
        <source>Subject</source>
        <translation>Betrifft</translation>
    </message>
    <message>
        <location filename="../models/eventsmodel.cpp" line="92"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>drover::models::FleetModel</name>
    <message numerus="yes">
        <location filename="../models/fleetmodel.cpp" line="26"/>
        <source>%n s ago</source>
        <translation>
            <numerusform>vor %n s</numerusform>
            <numerusform>vor %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../models/fleetmodel.cpp" line="27"/>
        <source>%n min ago</source>
        <translation>
            <numerusform>vor %n min</numerusform>
            <numerusform>vor %n min</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="55"/>
        <source>failing</source>
        <translation>fällt aus</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="57"/>
        <source>degraded</source>
        <translation>beeinträchtigt</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="59"/>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="61"/>
        <source>idle</source>
        <translation>ruhend</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="125"/>
        <source>Master</source>
        <translation>Master</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="127"/>
        <source>Health</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="129"/>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="136"/>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="138"/>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="140"/>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="163"/>
        <source>job</source>
        <translation>Job</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="174"/>
        <source>%1 on %2: %3 ready of %4 desired, %5 running, %6 failed</source>
        <translation>%1 auf %2: %3 bereit von %4 gewünscht, %5 laufen, %6 aufgegeben</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="213"/>
        <source>%1 at %2
Drover %3 on %4 (pid %5)
roles: %6
certificate: %7</source>
        <translation>%1 unter %2
Drover %3 auf %4 (PID %5)
Rollen: %6
Zertifikat: %7</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="216"/>
        <source>no tokens (loopback, open)</source>
        <translation>keine Tokens (Loopback, offen)</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="217"/>
        <source>none (ws)</source>
        <translation>keins (ws)</translation>
    </message>
</context>
<context>
    <name>drover::models::FleetWatch</name>
    <message>
        <location filename="../models/fleetmodel.cpp" line="269"/>
        <source>connecting to etcd %1…</source>
        <translation>verbinde mit etcd %1…</translation>
    </message>
    <message numerus="yes">
        <location filename="../models/fleetmodel.cpp" line="271"/>
        <source>%n master(s) under %1, followed live at %2</source>
        <translation>
            <numerusform>%n Master unter %1, live verfolgt bei %2</numerusform>
            <numerusform>%n Master unter %1, live verfolgt bei %2</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../models/fleetmodel.cpp" line="276"/>
        <source>etcd lost (%1): retry in %n s; the masters as last seen</source>
        <translation>
            <numerusform>etcd verloren (%1): neuer Versuch in %n s; die Master wie zuletzt gesehen</numerusform>
            <numerusform>etcd verloren (%1): neuer Versuch in %n s; die Master wie zuletzt gesehen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="286"/>
        <source>Give etcd&apos;s client URL, like http://127.0.0.1:2379.</source>
        <translation>Geben Sie die Client-URL von etcd an, etwa http://127.0.0.1:2379.</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="289"/>
        <source>&quot;%1&quot; is not an etcd URL like http://127.0.0.1:2379.</source>
        <translation>„%1“ ist keine etcd-URL wie http://127.0.0.1:2379.</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="291"/>
        <source>The prefix starts with &quot;/&quot;, like /drover/fleet/.</source>
        <translation>Das Präfix beginnt mit „/“, etwa /drover/fleet/.</translation>
    </message>
    <message>
        <location filename="../models/fleetmodel.cpp" line="293"/>
        <source>A client certificate needs both its file and its key.</source>
        <translation>Ein Client-Zertifikat braucht seine Datei und seinen Schlüssel.</translation>
    </message>
</context>
<context>
    <name>drover::models::HealthResultsModel</name>
    <message>
        <location filename="../models/healthmodel.cpp" line="84"/>
        <source>startup</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="86"/>
        <source>liveness</source>
        <translation>Lebendigkeit</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="88"/>
        <source>readiness</source>
        <translation>Bereitschaft</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="114"/>
        <source>pass</source>
        <translation>bestanden</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="114"/>
        <source>fail</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="116"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="172"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="174"/>
        <source>Worker</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="176"/>
        <source>Probe</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="178"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="180"/>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="182"/>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <location filename="../models/healthmodel.cpp" line="184"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>drover::models::JobRunsModel</name>
    <message>
        <location filename="../models/jobsmodel.cpp" line="377"/>
        <source>schedule</source>
        <translation>Zeitplan</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="379"/>
        <source>catch-up</source>
        <translation>Nachholen</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="381"/>
        <source>by hand</source>
        <translation>von Hand</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="381"/>
        <source>by %1</source>
        <translation>von %1</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="388"/>
        <source>%1 so far</source>
        <translation>bisher %1</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="394"/>
        <source>on %1, pid %2</source>
        <translation>auf %1, PID %2</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="395"/>
        <source>on %1</source>
        <translation>auf %1</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="419"/>
        <source>Run %1 (not started)</source>
        <translation>Lauf %1 (nicht gestartet)</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="421"/>
        <source>Run %1 on %2, revision %3, for the time %4</source>
        <translation>Lauf %1 auf %2, Revision %3, für den Zeitpunkt %4</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="425"/>
        <source>Run %1 on %2, revision %3</source>
        <translation>Lauf %1 auf %2, Revision %3</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="440"/>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="442"/>
        <source>Started by</source>
        <translation>Gestartet von</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="444"/>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="446"/>
        <source>Took</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="448"/>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="450"/>
        <source>Exit, reason</source>
        <translation>Ende, Grund</translation>
    </message>
</context>
<context>
    <name>drover::models::JobsModel</name>
    <message>
        <location filename="../models/jobsmodel.cpp" line="152"/>
        <source>only when asked</source>
        <translation>nur auf Anforderung</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="154"/>
        <location filename="../models/jobsmodel.cpp" line="158"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="157"/>
        <source>when asked</source>
        <translation>auf Anforderung</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="163"/>
        <source>no run yet</source>
        <translation>noch kein Lauf</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="199"/>
        <source>Runs only when an operator starts one (Run now, droverctl job run)</source>
        <translation>Läuft nur, wenn ein Operator einen Lauf startet (Jetzt ausführen, droverctl job run)</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="200"/>
        <source>Cron expression %1 in the time zone %2; a time that comes while a run is going: %3</source>
        <translation>Cron-Ausdruck %1 in der Zeitzone %2; ein Zeitpunkt, der kommt, während noch ein Lauf läuft: %3</translation>
    </message>
    <message numerus="yes">
        <location filename="../models/jobsmodel.cpp" line="210"/>
        <source>No run of this job has succeeded yet (of %n started)</source>
        <translation>
            <numerusform>Noch kein Lauf dieses Jobs war erfolgreich (%n gestartet)</numerusform>
            <numerusform>Noch kein Lauf dieses Jobs war erfolgreich (%n gestartet)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../models/jobsmodel.cpp" line="212"/>
        <source>Last success at %1; %n runs started</source>
        <translation>
            <numerusform>Letzter Erfolg um %1; %n Lauf gestartet</numerusform>
            <numerusform>Letzter Erfolg um %1; %n Läufe gestartet</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="215"/>
        <source>Runs that did not succeed: failed, over their deadline, cancelled, replaced or lost</source>
        <translation>Läufe ohne Erfolg: fehlgeschlagen, Frist überschritten, abgebrochen, ersetzt oder verloren</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="218"/>
        <source>Times of the schedule at which no run started: one was still going, or the pools it depends on were not up</source>
        <translation>Zeitpunkte des Zeitplans, zu denen kein Lauf startete: einer lief noch, oder die Pools, von denen der Job abhängt, liefen noch nicht</translation>
    </message>
    <message numerus="yes">
        <location filename="../models/jobsmodel.cpp" line="221"/>
        <source>Job %1: %n runs started</source>
        <translation>
            <numerusform>Job %1: %n Lauf gestartet</numerusform>
            <numerusform>Job %1: %n Läufe gestartet</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="235"/>
        <source>Job</source>
        <translation>Job</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="237"/>
        <source>Schedule</source>
        <translation>Zeitplan</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="239"/>
        <source>Next run</source>
        <translation>Nächster Lauf</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="241"/>
        <source>Running</source>
        <translation>Laufend</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="243"/>
        <source>Last result</source>
        <translation>Letztes Ergebnis</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="245"/>
        <source>Took</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="247"/>
        <source>Succeeded</source>
        <translation>Erfolgreich</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="249"/>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="251"/>
        <source>Skipped</source>
        <translation>Übersprungen</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="261"/>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="263"/>
        <source>succeeded</source>
        <translation>erfolgreich</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="265"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="267"/>
        <source>over its deadline</source>
        <translation>Frist überschritten</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="269"/>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="271"/>
        <source>replaced</source>
        <translation>ersetzt</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="273"/>
        <source>skipped</source>
        <translation>übersprungen</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="275"/>
        <source>lost</source>
        <translation>verloren</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="277"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="298"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="301"/>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="302"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="309"/>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="311"/>
        <source>in %1 s</source>
        <translation>in %1 s</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="313"/>
        <source>in %1 min</source>
        <translation>in %1 min</translation>
    </message>
    <message>
        <location filename="../models/jobsmodel.cpp" line="315"/>
        <source>in %1 h %2 min</source>
        <translation>in %1 h %2 min</translation>
    </message>
    <message numerus="yes">
        <location filename="../models/jobsmodel.cpp" line="316"/>
        <source>in %n days</source>
        <translation>
            <numerusform>in %n Tag</numerusform>
            <numerusform>in %n Tagen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::models::MetricSeriesStore</name>
    <message>
        <location filename="../models/metricseriesstore.cpp" line="71"/>
        <source>Run %1: %2 after %3</source>
        <translation>Lauf %1: %2 nach %3</translation>
    </message>
    <message>
        <location filename="../models/metricseriesstore.cpp" line="72"/>
        <source>Run %1: %2 after %3 (%4)</source>
        <translation>Lauf %1: %2 nach %3 (%4)</translation>
    </message>
</context>
<context>
    <name>drover::models::PoolsModel</name>
    <message>
        <location filename="../models/poolsmodel.cpp" line="21"/>
        <source>waiting for %1</source>
        <translation>wartet auf %1</translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="23"/>
        <source>all ready</source>
        <translation>alle bereit</translation>
    </message>
    <message numerus="yes">
        <location filename="../models/poolsmodel.cpp" line="25"/>
        <source>%n starting</source>
        <translation>
            <numerusform>%n startet</numerusform>
            <numerusform>%n starten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../models/poolsmodel.cpp" line="26"/>
        <source>%n not ready</source>
        <translation>
            <numerusform>%n nicht bereit</numerusform>
            <numerusform>%n nicht bereit</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="38"/>
        <source>%1 (%2–%3)</source>
        <translation>%1 (%2–%3)</translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="66"/>
        <source>A hash of the pool&apos;s template: a change of template is a new revision</source>
        <translation>Ein Hash der Vorlage des Pools: jede Änderung der Vorlage ist eine neue Revision</translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="68"/>
        <source>Gateway on %1</source>
        <translation>Gateway auf %1</translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="82"/>
        <source>Pool</source>
        <translation>Pool</translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="84"/>
        <source>Desired</source>
        <translation>Soll</translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="86"/>
        <source>Running</source>
        <translation>Laufend</translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="88"/>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="90"/>
        <source>Restarts</source>
        <translation>Neustarts</translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="92"/>
        <source>Revision</source>
        <translation>Revision</translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="94"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
</context>
<context>
    <name>drover::models::ProblemsModel</name>
    <message>
        <location filename="../models/problemsmodel.cpp" line="70"/>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../models/problemsmodel.cpp" line="70"/>
        <source>warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <location filename="../models/problemsmodel.cpp" line="86"/>
        <source>Double-click to use &quot;%1&quot;</source>
        <translation>Doppelklick übernimmt „%1“</translation>
    </message>
    <message>
        <location filename="../models/problemsmodel.cpp" line="96"/>
        <source>Severity</source>
        <translation>Schwere</translation>
    </message>
    <message>
        <location filename="../models/problemsmodel.cpp" line="98"/>
        <source>Line:Col</source>
        <translation>Zeile:Spalte</translation>
    </message>
    <message>
        <location filename="../models/problemsmodel.cpp" line="100"/>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <location filename="../models/problemsmodel.cpp" line="102"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <location filename="../models/problemsmodel.cpp" line="104"/>
        <source>Did you mean</source>
        <translation>Meinten Sie</translation>
    </message>
</context>
<context>
    <name>drover::models::RolloutsModel</name>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="27"/>
        <source>took %1 s</source>
        <translation>dauerte %1 s</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="33"/>
        <source>%1 s in, paused</source>
        <translation>seit %1 s, pausiert</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="34"/>
        <source>%1 s in</source>
        <translation>seit %1 s</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="36"/>
        <source>%1 s in, %2 s left</source>
        <translation>seit %1 s, noch %2 s</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="54"/>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="56"/>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="83"/>
        <source>Rollout %1 of pool %2, cause %3; %4 of the pool&apos;s workers ready</source>
        <translation>Rollout %1 des Pools %2, Anlass %3; %4 Worker des Pools bereit</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="99"/>
        <source>Pool</source>
        <translation>Pool</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="101"/>
        <source>Strategy</source>
        <translation>Strategie</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="103"/>
        <source>Phase</source>
        <translation>Phase</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="105"/>
        <source>Revisions</source>
        <translation>Revisionen</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="107"/>
        <source>New ready</source>
        <translation>Neu bereit</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="109"/>
        <source>Old left</source>
        <translation>Alt übrig</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="111"/>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <location filename="../models/rolloutsmodel.cpp" line="113"/>
        <source>Deadline</source>
        <translation>Frist</translation>
    </message>
</context>
<context>
    <name>drover::models::WorkersModel</name>
    <message>
        <location filename="../models/workersmodel.cpp" line="22"/>
        <source>%1s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="24"/>
        <source>%1m %2s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="26"/>
        <source>%1h %2m</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="27"/>
        <source>%1d %2h</source>
        <translation>%1 d %2 h</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="131"/>
        <source>pending</source>
        <translation>wartend</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="133"/>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="135"/>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="137"/>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="139"/>
        <source>draining</source>
        <translation>leert sich</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="141"/>
        <source>stopping</source>
        <translation>hält an</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="143"/>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="145"/>
        <source>exited</source>
        <translation>beendet</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="147"/>
        <source>backoff</source>
        <translation>wartet auf Neustart</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="149"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="189"/>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="189"/>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="230"/>
        <source>Limit not applied: %1</source>
        <translation>Limit nicht angewandt: %1</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="234"/>
        <source>Crashes restarted since the last operator start</source>
        <translation>Seit dem letzten Start durch einen Operator neu gestartete Abstürze</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="259"/>
        <source>Worker</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="261"/>
        <source>Pool</source>
        <translation>Pool</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="263"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="265"/>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="267"/>
        <source>Uptime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="269"/>
        <source>Restarts</source>
        <translation>Neustarts</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="271"/>
        <source>CPU %</source>
        <translation>CPU %</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="273"/>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="275"/>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="277"/>
        <source>Last exit</source>
        <translation>Letztes Ende</translation>
    </message>
</context>
<context>
    <name>drover::ui::ChartsPane</name>
    <message>
        <location filename="../ui/chartspane.cpp" line="109"/>
        <location filename="../ui/chartspane.cpp" line="171"/>
        <source>Pause</source>
        <translation>Pausieren</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="121"/>
        <source>1 min</source>
        <translation>1 min</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="122"/>
        <source>5 min</source>
        <translation>5 min</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="123"/>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="124"/>
        <source>1 h</source>
        <translation>1 h</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="126"/>
        <source>How much of the past the charts show</source>
        <translation>Wie weit die Diagramme zurückreichen</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="131"/>
        <source>Freeze the lines; new points are kept and shown when you resume</source>
        <translation>Die Linien einfrieren; neue Punkte werden aufbewahrt und beim Fortsetzen gezeigt</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="134"/>
        <source>Export PNG…</source>
        <translation>PNG exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="135"/>
        <source>Save the charts as an image</source>
        <translation>Die Diagramme als Bild speichern</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="136"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="137"/>
        <source>Save the shown points as comma-separated values</source>
        <translation>Die angezeigten Punkte als kommagetrennte Werte speichern</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="141"/>
        <source>Window:</source>
        <translation>Zeitfenster:</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="171"/>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="189"/>
        <source>Export PNG</source>
        <translation>PNG exportieren</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="189"/>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="190"/>
        <source>Charts saved to %1</source>
        <translation>Diagramme in %1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="186"/>
        <source>Could not write &quot;%1&quot;</source>
        <translation>„%1“ konnte nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="193"/>
        <source>Export CSV</source>
        <translation>CSV exportieren</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="193"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="194"/>
        <source>Points saved to %1</source>
        <translation>Punkte in %1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="340"/>
        <source>Worker %1</source>
        <translation>Worker %1</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="270"/>
        <location filename="../ui/chartspane.cpp" line="391"/>
        <source>CPU %</source>
        <translation>CPU %</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="283"/>
        <location filename="../ui/chartspane.cpp" line="392"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="271"/>
        <location filename="../ui/chartspane.cpp" line="393"/>
        <source>RSS MiB</source>
        <translation>RSS MiB</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="284"/>
        <location filename="../ui/chartspane.cpp" line="394"/>
        <source>RSS</source>
        <translation>RSS</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="277"/>
        <location filename="../ui/chartspane.cpp" line="378"/>
        <source>Latency ms</source>
        <translation>Latenz ms</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="272"/>
        <source>Startup probe</source>
        <translation>Startprüfung</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="272"/>
        <source>Liveness probe</source>
        <translation>Lebendigkeitsprüfung</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="272"/>
        <source>Readiness probe</source>
        <translation>Bereitschaftsprüfung</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="273"/>
        <source>Startup ms</source>
        <translation>Startup ms</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="273"/>
        <source>Liveness ms</source>
        <translation>Liveness ms</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="273"/>
        <source>Readiness ms</source>
        <translation>Readiness ms</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="309"/>
        <source>exit</source>
        <translation>Ende</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="310"/>
        <source>restart</source>
        <translation>Neustart</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="345"/>
        <source>Workers %1</source>
        <translation>Worker %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/chartspane.cpp" line="346"/>
        <source>%n workers: %1, …</source>
        <translation>
            <numerusform>%n Worker: %1, …</numerusform>
            <numerusform>%n Worker: %1, …</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="350"/>
        <source>(the first %1 of %2 selected)</source>
        <translation>(die ersten %1 von %2 ausgewählten)</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="359"/>
        <source>Pool %1</source>
        <translation>Pool %1</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="362"/>
        <location filename="../ui/chartspane.cpp" line="363"/>
        <location filename="../ui/chartspane.cpp" line="395"/>
        <location filename="../ui/chartspane.cpp" line="396"/>
        <source>Workers</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="364"/>
        <source>Running</source>
        <translation>Laufend</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="365"/>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="366"/>
        <location filename="../ui/chartspane.cpp" line="434"/>
        <source>Restarts</source>
        <translation>Neustarts</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="367"/>
        <source>Restarts (total)</source>
        <translation>Neustarts (gesamt)</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="371"/>
        <location filename="../ui/chartspane.cpp" line="372"/>
        <source>Requests/s</source>
        <translation>Anfragen/s</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="373"/>
        <source>Errors/s (5xx, 429)</source>
        <translation>Fehler/s (5xx, 429)</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="375"/>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="376"/>
        <source>In flight</source>
        <translation>In Bearbeitung</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="377"/>
        <source>Queued</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="379"/>
        <source>Latency p50</source>
        <translation>Latenz p50</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="381"/>
        <source>Latency p99</source>
        <translation>Latenz p99</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="383"/>
        <source>Queue wait p99</source>
        <translation>Wartezeit p99</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="389"/>
        <source>Master</source>
        <translation>Master</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="398"/>
        <source>Clients</source>
        <translation>Clients</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="399"/>
        <source>Connected clients</source>
        <translation>Verbundene Clients</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="432"/>
        <source>Exits</source>
        <translation>Beendigungen</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="441"/>
        <source>Scaled</source>
        <translation>Skaliert</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="446"/>
        <source>Rollout</source>
        <translation>Rollout</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="537"/>
        <source>%1: %2 (%3 s ago)</source>
        <translation>%1: %2 (vor %3 s)</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="793"/>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="794"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="795"/>
        <location filename="../ui/chartspane.cpp" line="796"/>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="876"/>
        <source>No data for worker %1: it no longer exists.</source>
        <translation>Keine Daten für Worker %1: Es gibt ihn nicht mehr.</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="877"/>
        <source>No data for these workers: none of them exists any more.</source>
        <translation>Keine Daten für diese Worker: Keiner von ihnen existiert mehr.</translation>
    </message>
    <message>
        <location filename="../ui/chartspane.cpp" line="875"/>
        <source>No data for pool %1: it no longer exists.</source>
        <translation>Keine Daten für Pool %1: Es gibt ihn nicht mehr.</translation>
    </message>
</context>
<context>
    <name>drover::ui::ConfigPane</name>
    <message>
        <location filename="../ui/configpane.cpp" line="111"/>
        <source>The master now runs version %1; your edits are based on %2. Applying will show both changes.</source>
        <translation>Der Master läuft jetzt mit Version %1; Ihre Änderungen beruhen auf %2. Beim Anwenden werden beide Änderungen gezeigt.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="158"/>
        <source>Re&amp;load File</source>
        <translation>Datei neu &amp;laden</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="158"/>
        <source>Re&amp;load from Master</source>
        <translation>Vom Master neu &amp;laden</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="159"/>
        <source>&amp;Review and Apply…</source>
        <translation>&amp;Prüfen und anwenden…</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="161"/>
        <source>&amp;Apply</source>
        <translation>&amp;Anwenden</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="162"/>
        <source>&amp;Overwrite Theirs</source>
        <translation>Deren Stand &amp;überschreiben</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="163"/>
        <source>Reload and &amp;Merge</source>
        <translation>Neu laden und &amp;zusammenführen</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="164"/>
        <source>&amp;History</source>
        <translation>&amp;Verlauf</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="165"/>
        <source>Re&amp;store This Version…</source>
        <translation>Diese Version &amp;wiederherstellen…</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="166"/>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="166"/>
        <source>&amp;Save Copy to File…</source>
        <translation>Kopie in Datei &amp;speichern…</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="168"/>
        <source>Save &amp;As…</source>
        <translation>Speichern &amp;unter…</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="169"/>
        <source>&amp;Find…</source>
        <translation>&amp;Suchen…</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="171"/>
        <source>R&amp;eplace…</source>
        <translation>&amp;Ersetzen…</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="177"/>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="178"/>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="231"/>
        <location filename="../ui/configpane.cpp" line="251"/>
        <location filename="../ui/configpane.cpp" line="269"/>
        <source>Back to Editing</source>
        <translation>Zurück zum Bearbeiten</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="267"/>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="267"/>
        <source>Applied</source>
        <translation>Angewendet</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="267"/>
        <source>By</source>
        <translation>Von</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="267"/>
        <source>State</source>
        <translation>Stand</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="271"/>
        <source>Select a version to compare it with the running one, or two to compare them.</source>
        <translation>Wählen Sie eine Version, um sie mit der laufenden zu vergleichen, oder zwei, um diese zu vergleichen.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="348"/>
        <location filename="../ui/configpane.cpp" line="355"/>
        <location filename="../ui/configpane.cpp" line="861"/>
        <source>Save Config</source>
        <translation>Konfiguration speichern</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="349"/>
        <location filename="../ui/configpane.cpp" line="355"/>
        <location filename="../ui/configpane.cpp" line="862"/>
        <source>YAML files (*.yaml *.yml);;All files (*)</source>
        <translation>YAML-Dateien (*.yaml *.yml);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="385"/>
        <source>A local file is not applied to a master: save it, or open the master&apos;s Config tab.</source>
        <translation>Eine lokale Datei wird auf keinen Master angewendet: Speichern Sie sie, oder öffnen Sie den Reiter „Konfiguration“ des Masters.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="388"/>
        <source>Your role (%1) may not apply a config: that needs admin.</source>
        <translation>Ihre Rolle (%1) darf keine Konfiguration anwenden: Dafür ist admin nötig.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="399"/>
        <source>Nothing to apply: the text is the running version.</source>
        <translation>Nichts anzuwenden: Der Text ist die laufende Version.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="401"/>
        <source>Apply this config to the master</source>
        <translation>Diese Konfiguration auf den Master anwenden</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="405"/>
        <source>Apply your text over theirs</source>
        <translation>Ihren Text statt des ihren anwenden</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="408"/>
        <source>See the change against the running config and the master&apos;s plan, then apply it (Ctrl+Return)</source>
        <translation>Die Änderung gegenüber der laufenden Konfiguration und den Plan des Masters sehen, dann anwenden (Strg+Eingabe)</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="410"/>
        <source>See the change against the running config and the master&apos;s plan. %1</source>
        <translation>Die Änderung gegenüber der laufenden Konfiguration und den Plan des Masters sehen. %1</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="415"/>
        <source>Put this version in the editor, then review and apply it</source>
        <translation>Diese Version in den Editor holen, dann prüfen und anwenden</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="454"/>
        <source>Cannot read &quot;%1&quot;: %2</source>
        <translation>„%1“ kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="463"/>
        <source>Cannot get the running config: %1</source>
        <translation>Die laufende Konfiguration ist nicht abrufbar: %1</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="468"/>
        <source>Config version %1 loaded</source>
        <translation>Konfiguration, Version %1, geladen</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="538"/>
        <source>✓ Valid: %1</source>
        <translation>✓ Gültig: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/configpane.cpp" line="541"/>
        <source>%n problem(s)</source>
        <translation>
            <numerusform>%n Problem</numerusform>
            <numerusform>%n Probleme</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="543"/>
        <source>Not checked: %1 (your text is kept)</source>
        <translation>Nicht geprüft: %1 (Ihr Text bleibt erhalten)</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="558"/>
        <source>Asking the master for the plan…</source>
        <translation>Der Master wird nach dem Plan gefragt…</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/configpane.cpp" line="567"/>
        <source>Fix the %n problem(s) before applying.</source>
        <translation>
            <numerusform>Beheben Sie vor dem Anwenden das %n Problem.</numerusform>
            <numerusform>Beheben Sie vor dem Anwenden die %n Probleme.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="570"/>
        <source>No plan: %1</source>
        <translation>Kein Plan: %1</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="575"/>
        <source>Running (version %1)</source>
        <translation>Laufend (Version %1)</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="576"/>
        <source>Yours (not applied)</source>
        <translation>Ihre (nicht angewendet)</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="576"/>
        <location filename="../ui/configpane.cpp" line="716"/>
        <source>Yours</source>
        <translation>Ihre</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="591"/>
        <source>Pool &lt;b&gt;%1&lt;/b&gt; is added: %2 worker(s) start.</source>
        <translation>Pool &lt;b&gt;%1&lt;/b&gt; kommt hinzu: %2 Worker starten.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="594"/>
        <source>Pool &lt;b&gt;%1&lt;/b&gt; is removed: its workers stop.</source>
        <translation>Pool &lt;b&gt;%1&lt;/b&gt; wird entfernt: Seine Worker halten an.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="596"/>
        <source>Pool &lt;b&gt;%1&lt;/b&gt; is scaled from %2 to %3 workers.</source>
        <translation>Pool &lt;b&gt;%1&lt;/b&gt; wird von %2 auf %3 Worker skaliert.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="600"/>
        <source>Pool &lt;b&gt;%1&lt;/b&gt; gets a new template (revision %2 → %3): </source>
        <translation>Pool &lt;b&gt;%1&lt;/b&gt; erhält eine neue Vorlage (Revision %2 → %3): </translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="604"/>
        <source>a recreate rollout stops every old worker, then starts the new ones.</source>
        <translation>ein recreate-Rollout hält jeden alten Worker an und startet dann die neuen.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="607"/>
        <source>a blue-green rollout starts a whole new set while the old one takes every request; once all of it is ready the gateway switches to it and the old set is drained and stopped.</source>
        <translation>ein blue-green-Rollout startet einen ganzen neuen Satz, während der alte jede Anfrage annimmt; sobald er ganz bereit ist, schaltet das Gateway auf ihn um, und der alte Satz wird geleert und angehalten.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="612"/>
        <source>a canary rollout sends each step&apos;s share of the requests to new workers while the old set stays whole, rolls back when their errors pass max_error_rate, and after the last step switches to a whole new set.</source>
        <translation>ein canary-Rollout schickt in jedem Schritt dessen Anteil der Anfragen an neue Worker, während der alte Satz ganz bleibt, nimmt sich zurück, wenn deren Fehler max_error_rate übersteigen, und schaltet nach dem letzten Schritt auf einen ganzen neuen Satz um.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="617"/>
        <source>a %1 rollout replaces its workers, at most %2 extra and %3 missing at a time, each new one ready before an old one is drained and stopped.</source>
        <translation>ein %1-Rollout ersetzt seine Worker, höchstens %2 zusätzlich und %3 fehlend zugleich, jeder neue bereit, bevor ein alter geleert und angehalten wird.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="624"/>
        <source>Pool &lt;b&gt;%1&lt;/b&gt;: its probes change; the workers keep running.</source>
        <translation>Pool &lt;b&gt;%1&lt;/b&gt;: Seine Prüfungen ändern sich; die Worker laufen weiter.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="630"/>
        <source>Adopted process &lt;b&gt;%1&lt;/b&gt; is added.</source>
        <translation>Übernommener Prozess &lt;b&gt;%1&lt;/b&gt; kommt hinzu.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="631"/>
        <source>Adopted process &lt;b&gt;%1&lt;/b&gt; is removed.</source>
        <translation>Übernommener Prozess &lt;b&gt;%1&lt;/b&gt; wird entfernt.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="634"/>
        <source>&lt;b&gt;master.%1&lt;/b&gt; changes from %2 to %3: this takes effect when droverd restarts.</source>
        <translation>&lt;b&gt;master.%1&lt;/b&gt; ändert sich von %2 auf %3: Das wirkt, wenn droverd neu startet.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="638"/>
        <source>What applying does</source>
        <translation>Was das Anwenden bewirkt</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="640"/>
        <source>Nothing: the text is the running version.</source>
        <translation>Nichts: Der Text ist die laufende Version.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="643"/>
        <source>No pool is added, removed, scaled or replaced; the other settings apply in place.</source>
        <translation>Kein Pool kommt hinzu, wird entfernt, skaliert oder ersetzt; die übrigen Einstellungen gelten sofort.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="649"/>
        <source>Afterwards: %1</source>
        <translation>Danach: %1</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="659"/>
        <source>Applying…</source>
        <translation>Wird angewendet…</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="671"/>
        <source>Applied: the master runs version %1.</source>
        <translation>Angewendet: Der Master läuft mit Version %1.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="672"/>
        <source>Config applied: version %1</source>
        <translation>Konfiguration angewendet: Version %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/configpane.cpp" line="687"/>
        <source>Not applied: %n problem(s).</source>
        <translation>
            <numerusform>Nicht angewendet: %n Problem.</numerusform>
            <numerusform>Nicht angewendet: %n Probleme.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="692"/>
        <source>Not applied: %1. Your text is kept.</source>
        <translation>Nicht angewendet: %1. Ihr Text bleibt erhalten.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="693"/>
        <source>Config not applied: %1</source>
        <translation>Konfiguration nicht angewendet: %1</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="703"/>
        <source>Someone else applied first, and the running config cannot be fetched: %1</source>
        <translation>Jemand anderes hat zuerst angewendet, und die laufende Konfiguration ist nicht abrufbar: %1</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="711"/>
        <source>&lt;b&gt;Someone applied version %1 while you edited version %2.&lt;/b&gt; Left: the config running now; right: yours. &lt;i&gt;Reload and Merge&lt;/i&gt; puts your edits on theirs; &lt;i&gt;Overwrite Theirs&lt;/i&gt; applies yours as it is.</source>
        <translation>&lt;b&gt;Jemand hat Version %1 angewendet, während Sie Version %2 bearbeitet haben.&lt;/b&gt; Links: die jetzt laufende Konfiguration; rechts: Ihre. &lt;i&gt;Neu laden und zusammenführen&lt;/i&gt; überträgt Ihre Änderungen auf deren Stand; &lt;i&gt;Deren Stand überschreiben&lt;/i&gt; wendet Ihre unverändert an.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="715"/>
        <source>Theirs (running, version %1)</source>
        <translation>Deren Stand (laufend, Version %1)</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="718"/>
        <source>Conflict: the config changed on the master</source>
        <translation>Konflikt: Die Konfiguration hat sich auf dem Master geändert</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/configpane.cpp" line="731"/>
        <source>Merged with %n conflict(s): both versions are between &lt;&lt;&lt;&lt;&lt;&lt;&lt; and &gt;&gt;&gt;&gt;&gt;&gt;&gt; markers.</source>
        <translation>
            <numerusform>Mit %n Konflikt zusammengeführt: Beide Fassungen stehen zwischen den Markierungen &lt;&lt;&lt;&lt;&lt;&lt;&lt; und &gt;&gt;&gt;&gt;&gt;&gt;&gt;.</numerusform>
            <numerusform>Mit %n Konflikten zusammengeführt: Beide Fassungen stehen zwischen den Markierungen &lt;&lt;&lt;&lt;&lt;&lt;&lt; und &gt;&gt;&gt;&gt;&gt;&gt;&gt;.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="734"/>
        <source>Merged: your edits are on version %1.</source>
        <translation>Zusammengeführt: Ihre Änderungen liegen auf Version %1.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="744"/>
        <source>No history: %1</source>
        <translation>Kein Verlauf: %1</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="754"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="755"/>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="773"/>
        <source>Cannot get version %1: %2</source>
        <translation>Version %1 ist nicht abrufbar: %2</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="803"/>
        <location filename="../ui/configpane.cpp" line="804"/>
        <source>Version %1</source>
        <translation>Version %1</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="816"/>
        <source>Version %1 is in the editor: review and apply it.</source>
        <translation>Version %1 steht im Editor: Prüfen und wenden Sie sie an.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="826"/>
        <source>Cannot save &quot;%1&quot;: %2</source>
        <translation>„%1“ kann nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="836"/>
        <source>Saved to &quot;%1&quot;.</source>
        <translation>In „%1“ gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="837"/>
        <source>Saved to %1</source>
        <translation>In %1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="849"/>
        <source>Unsaved Config Edits</source>
        <translation>Ungespeicherte Konfigurationsänderungen</translation>
    </message>
    <message>
        <location filename="../ui/configpane.cpp" line="850"/>
        <source>The config has edits that are not applied or saved. Save them to a file first?</source>
        <translation>Die Konfiguration hat Änderungen, die weder angewendet noch gespeichert sind. Zuerst in einer Datei speichern?</translation>
    </message>
</context>
<context>
    <name>drover::ui::ConnectDialog</name>
    <message>
        <location filename="../ui/connectdialog.cpp" line="25"/>
        <source>Remember this master (the token goes to the keychain)</source>
        <translation>Diesen Master merken (das Token kommt in den Schlüsselbund)</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="30"/>
        <source>Connect to Master</source>
        <translation>Mit Master verbinden</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="32"/>
        <source>as the sidebar shows it</source>
        <translation>wie ihn die Seitenleiste anzeigt</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="34"/>
        <source>drv_… (empty for a master without tokens)</source>
        <translation>drv_… (leer bei einem Master ohne Tokens)</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="35"/>
        <source>optional: a CA file for wss://</source>
        <translation>optional: eine CA-Datei für wss://</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="36"/>
        <source>optional: SHA-256, else shown on first connection</source>
        <translation>optional: SHA-256, sonst bei der ersten Verbindung angezeigt</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="46"/>
        <source>Read the token from a file</source>
        <translation>Das Token aus einer Datei lesen</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="48"/>
        <source>Token file</source>
        <translation>Token-Datei</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="55"/>
        <source>Choose the CA file</source>
        <translation>Die CA-Datei auswählen</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="58"/>
        <source>CA file</source>
        <translation>CA-Datei</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="58"/>
        <source>Certificates (*.pem *.crt);;All (*)</source>
        <translation>Zertifikate (*.pem *.crt);;Alle (*)</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="64"/>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="65"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="66"/>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="67"/>
        <source>&amp;CA file:</source>
        <translation>&amp;CA-Datei:</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="68"/>
        <source>&amp;Fingerprint:</source>
        <translation>&amp;Fingerabdruck:</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="75"/>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="95"/>
        <source>Enter the master&apos;s URL, e.g. wss://host:7700.</source>
        <translation>Geben Sie die URL des Masters ein, z. B. wss://host:7700.</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="100"/>
        <source>Give the master a name.</source>
        <translation>Geben Sie dem Master einen Namen.</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="102"/>
        <source>A CA file is for wss:// only.</source>
        <translation>Eine CA-Datei gilt nur für wss://.</translation>
    </message>
    <message>
        <location filename="../ui/connectdialog.cpp" line="120"/>
        <source>The fleet lists this master&apos;s certificate as &lt;tt&gt;%1&lt;/tt&gt;. It is not trusted on the fleet&apos;s word: compare it when the master presents its certificate.</source>
        <translation>Die Flotte nennt als Zertifikat dieses Masters &lt;tt&gt;%1&lt;/tt&gt;. Auf ihr Wort hin wird ihm nicht vertraut: Vergleichen Sie es, wenn der Master sein Zertifikat vorlegt.</translation>
    </message>
</context>
<context>
    <name>drover::ui::DiffView</name>
    <message numerus="yes">
        <location filename="../ui/diffview.cpp" line="69"/>
        <source>⋯ %n unchanged line(s)</source>
        <translation>
            <numerusform>⋯ %n unveränderte Zeile</numerusform>
            <numerusform>⋯ %n unveränderte Zeilen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ui::EventsPane</name>
    <message>
        <location filename="../ui/eventspane.cpp" line="32"/>
        <source>Search events…</source>
        <translation>Ereignisse durchsuchen…</translation>
    </message>
</context>
<context>
    <name>drover::ui::FindBar</name>
    <message>
        <location filename="../ui/codeeditor.cpp" line="590"/>
        <source>Match case</source>
        <translation>Groß-/Kleinschreibung</translation>
    </message>
    <message>
        <location filename="../ui/codeeditor.cpp" line="594"/>
        <source>Find</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../ui/codeeditor.cpp" line="595"/>
        <source>Replace with</source>
        <translation>Ersetzen durch</translation>
    </message>
    <message>
        <location filename="../ui/codeeditor.cpp" line="596"/>
        <source>Next</source>
        <translation>Weiter</translation>
    </message>
    <message>
        <location filename="../ui/codeeditor.cpp" line="597"/>
        <source>Previous</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <location filename="../ui/codeeditor.cpp" line="600"/>
        <source>Close (Esc)</source>
        <translation>Schließen (Esc)</translation>
    </message>
    <message>
        <location filename="../ui/codeeditor.cpp" line="601"/>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <location filename="../ui/codeeditor.cpp" line="602"/>
        <source>Replace All</source>
        <translation>Alle ersetzen</translation>
    </message>
    <message>
        <location filename="../ui/codeeditor.cpp" line="670"/>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/codeeditor.cpp" line="692"/>
        <source>%n replaced</source>
        <translation>
            <numerusform>%n ersetzt</numerusform>
            <numerusform>%n ersetzt</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ui::FleetDialog</name>
    <message>
        <location filename="../ui/fleetview.cpp" line="91"/>
        <source>Add Fleet</source>
        <translation>Flotte hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="92"/>
        <source>as the sidebar shows it</source>
        <translation>wie die Seitenleiste sie zeigt</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="94"/>
        <source>optional: etcd&apos;s CA file for https://</source>
        <translation>optional: CA-Datei von etcd für https://</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="95"/>
        <source>optional: a client certificate for etcd</source>
        <translation>optional: ein Client-Zertifikat für etcd</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="96"/>
        <source>its key</source>
        <translation>sein Schlüssel</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="100"/>
        <source>&amp;etcd:</source>
        <translation>&amp;etcd:</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="101"/>
        <source>&amp;Prefix:</source>
        <translation>&amp;Präfix:</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="102"/>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="103"/>
        <source>&amp;CA file:</source>
        <translation>&amp;CA-Datei:</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="104"/>
        <source>C&amp;ertificate:</source>
        <translation>Z&amp;ertifikat:</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="105"/>
        <source>&amp;Key:</source>
        <translation>&amp;Schlüssel:</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="107"/>
        <source>The masters that register in etcd under the prefix (master.fleet in their config) appear and leave live.</source>
        <translation>Die Master, die sich in etcd unter dem Präfix eintragen (master.fleet in ihrer Konfiguration), erscheinen und gehen live.</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="113"/>
        <source>Follow</source>
        <translation>Verfolgen</translation>
    </message>
</context>
<context>
    <name>drover::ui::FleetView</name>
    <message>
        <location filename="../ui/fleetview.cpp" line="35"/>
        <source>Worst first. Double-click a master to connect to it with its own token; its certificate is checked as for any master.</source>
        <translation>Die schlechtesten zuerst. Doppelklick auf einen Master verbindet mit seinem eigenen Token; sein Zertifikat wird wie bei jedem Master geprüft.</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="66"/>
        <source>Fleet %1</source>
        <translation>Flotte %1</translation>
    </message>
    <message>
        <location filename="../ui/fleetview.cpp" line="74"/>
        <source>%1 failing, %2 degraded</source>
        <translation>%1 fallen aus, %2 beeinträchtigt</translation>
    </message>
</context>
<context>
    <name>drover::ui::HealthPane</name>
    <message>
        <location filename="../ui/healthpane.cpp" line="89"/>
        <source>Failures only</source>
        <translation>Nur Fehlschläge</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="90"/>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="101"/>
        <source>5 min</source>
        <translation>5 min</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="102"/>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="103"/>
        <source>1 h</source>
        <translation>1 h</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="104"/>
        <source>How far back the timeline goes</source>
        <translation>Wie weit die Zeitleiste zurückreicht</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="118"/>
        <source>Show only the results that failed</source>
        <translation>Nur die fehlgeschlagenen Ergebnisse zeigen</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="122"/>
        <source>Click a failure in the timeline, or select a result in the table, to see its details and the worker&apos;s log before it.</source>
        <translation>Einen Fehlschlag in der Zeitleiste anklicken oder ein Ergebnis in der Tabelle auswählen, um seine Details und das Protokoll des Workers davor zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="139"/>
        <source>Window:</source>
        <translation>Zeitfenster:</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="151"/>
        <source>Results</source>
        <translation>Ergebnisse</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="460"/>
        <source>Health</source>
        <translation>Gesundheit</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="461"/>
        <source>Health of %1</source>
        <translation>Gesundheit von %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/healthpane.cpp" line="462"/>
        <source>Health of %n workers</source>
        <translation>
            <numerusform>Gesundheit von %n Worker</numerusform>
            <numerusform>Gesundheit von %n Workern</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="466"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="470"/>
        <source>Select one or more workers in the Workers pane to see their probe history.</source>
        <translation>Einen oder mehrere Worker in der Ansicht „Worker“ auswählen, um ihren Prüfverlauf zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="473"/>
        <source>Loading the probe history…</source>
        <translation>Prüfverlauf wird geladen…</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="475"/>
        <source>The probe history cannot be shown.</source>
        <translation>Der Prüfverlauf kann nicht angezeigt werden.</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="477"/>
        <source>%1 has no health probes.</source>
        <translation>%1 hat keine Gesundheitsprüfungen.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/healthpane.cpp" line="479"/>
        <source>None of the %n selected workers has health probes.</source>
        <translation>
            <numerusform>Der %n ausgewählte Worker hat keine Gesundheitsprüfungen.</numerusform>
            <numerusform>Keiner der %n ausgewählten Worker hat Gesundheitsprüfungen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/healthpane.cpp" line="492"/>
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n Ergebnis</numerusform>
            <numerusform>%n Ergebnisse</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/healthpane.cpp" line="493"/>
        <source>%n failure(s)</source>
        <translation>
            <numerusform>%n Fehlschlag</numerusform>
            <numerusform>%n Fehlschläge</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/healthpane.cpp" line="494"/>
        <source>%n verdict change(s)</source>
        <translation>
            <numerusform>%n Ergebniswechsel</numerusform>
            <numerusform>%n Ergebniswechsel</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="496"/>
        <source>loading…</source>
        <translation>wird geladen…</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="531"/>
        <source>(newest lines; the time of this failure in the log is not known)</source>
        <translation>(neueste Zeilen; der Zeitpunkt dieses Fehlschlags im Protokoll ist nicht bekannt)</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="539"/>
        <source>(cannot read the log: %1)</source>
        <translation>(Protokoll kann nicht gelesen werden: %1)</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="567"/>
        <source>pass</source>
        <translation>bestanden</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="567"/>
        <source>fail</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="568"/>
        <source>%1 probe of %2</source>
        <translation>Prüfung %1 von %2</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="576"/>
        <source>Time:</source>
        <translation>Zeit:</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="578"/>
        <source>Worker:</source>
        <translation>Worker:</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="579"/>
        <source>Probe:</source>
        <translation>Prüfung:</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="580"/>
        <source>Kind:</source>
        <translation>Art:</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="581"/>
        <source>Latency:</source>
        <translation>Latenz:</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="581"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="582"/>
        <source>Message:</source>
        <translation>Meldung:</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="586"/>
        <source>Excerpt (the start of the body or output):</source>
        <translation>Auszug (Anfang des Antwortinhalts oder der Ausgabe):</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="592"/>
        <source>Log before this failure:</source>
        <translation>Protokoll vor diesem Fehlschlag:</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="597"/>
        <source>(loading…)</source>
        <translation>(wird geladen…)</translation>
    </message>
    <message>
        <location filename="../ui/healthpane.cpp" line="599"/>
        <source>(no lines)</source>
        <translation>(keine Zeilen)</translation>
    </message>
</context>
<context>
    <name>drover::ui::HealthTimeline</name>
    <message>
        <location filename="../ui/healthtimeline.cpp" line="246"/>
        <location filename="../ui/healthtimeline.cpp" line="626"/>
        <source>verdict change</source>
        <translation>Ergebniswechsel</translation>
    </message>
    <message>
        <location filename="../ui/healthtimeline.cpp" line="405"/>
        <source>%1 probe: %2 → %3 at %4
%5</source>
        <translation>Prüfung %1: %2 → %3 um %4
%5</translation>
    </message>
    <message>
        <location filename="../ui/healthtimeline.cpp" line="411"/>
        <source>%1 · %2 · %3 ms
%4</source>
        <translation>%1 · %2 · %3 ms
%4</translation>
    </message>
    <message>
        <location filename="../ui/healthtimeline.cpp" line="412"/>
        <location filename="../ui/healthtimeline.cpp" line="619"/>
        <source>pass</source>
        <translation>bestanden</translation>
    </message>
    <message>
        <location filename="../ui/healthtimeline.cpp" line="412"/>
        <location filename="../ui/healthtimeline.cpp" line="620"/>
        <source>fail</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/healthtimeline.cpp" line="415"/>
        <source>Click for the details and the log before it.</source>
        <translation>Klicken für die Details und das Protokoll davor.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/healthtimeline.cpp" line="420"/>
        <source>No result kept for %1: the master keeps the newest %n results per worker (master.probes.history).</source>
        <translation>
            <numerusform>Kein Ergebnis aufbewahrt für %1: Der Master behält das neueste %n Ergebnis je Worker (master.probes.history).</numerusform>
            <numerusform>Kein Ergebnis aufbewahrt für %1: Der Master behält die neuesten %n Ergebnisse je Worker (master.probes.history).</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/healthtimeline.cpp" line="424"/>
        <source>No result at %1: the probe did not run.</source>
        <translation>Kein Ergebnis um %1: Die Prüfung lief nicht.</translation>
    </message>
    <message>
        <location filename="../ui/healthtimeline.cpp" line="503"/>
        <location filename="../ui/healthtimeline.cpp" line="516"/>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message>
        <location filename="../ui/healthtimeline.cpp" line="621"/>
        <source>not run</source>
        <translation>nicht gelaufen</translation>
    </message>
    <message>
        <location filename="../ui/healthtimeline.cpp" line="624"/>
        <source>not kept by the master</source>
        <translation>vom Master nicht aufbewahrt</translation>
    </message>
</context>
<context>
    <name>drover::ui::JobDurationChart</name>
    <message>
        <location filename="../ui/jobdurationchart.cpp" line="53"/>
        <source>Seconds</source>
        <translation>Sekunden</translation>
    </message>
    <message>
        <location filename="../ui/jobdurationchart.cpp" line="130"/>
        <source>No run has ended yet</source>
        <translation>Noch kein Lauf ist beendet</translation>
    </message>
    <message>
        <location filename="../ui/jobdurationchart.cpp" line="145"/>
        <source>Run %1: %2 after %3</source>
        <translation>Lauf %1: %2 nach %3</translation>
    </message>
</context>
<context>
    <name>drover::ui::JobMarkers</name>
    <message>
        <location filename="../ui/jobmarkers.cpp" line="25"/>
        <source>Run succeeded</source>
        <translation>Lauf erfolgreich</translation>
    </message>
    <message>
        <location filename="../ui/jobmarkers.cpp" line="27"/>
        <source>Run failed</source>
        <translation>Lauf fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../ui/jobmarkers.cpp" line="29"/>
        <source>Run over its deadline</source>
        <translation>Lauf über der Frist</translation>
    </message>
    <message>
        <location filename="../ui/jobmarkers.cpp" line="31"/>
        <source>Run stopped</source>
        <translation>Lauf abgebrochen</translation>
    </message>
</context>
<context>
    <name>drover::ui::JobsPane</name>
    <message>
        <location filename="../ui/jobspane.cpp" line="40"/>
        <source>Run now</source>
        <translation>Jetzt ausführen</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="41"/>
        <source>Start a run of the selected job now, outside its schedule</source>
        <translation>Einen Lauf des gewählten Jobs jetzt starten, außerhalb seines Zeitplans</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="43"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="44"/>
        <source>Stop the selected run, or every run of the job that is going</source>
        <translation>Den gewählten Lauf beenden, sonst jeden laufenden Lauf des Jobs</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="104"/>
        <source>Pools with a schedule: each run is a worker that starts at its time (or when asked) and ends when its process exits.</source>
        <translation>Pools mit Zeitplan: Jeder Lauf ist ein Worker, der zu seiner Zeit (oder auf Anforderung) startet und endet, wenn sein Prozess endet.</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="246"/>
        <source>Your role (%1) may not start or stop runs: that needs operator.</source>
        <translation>Ihre Rolle (%1) darf keine Läufe starten oder beenden: dazu braucht es operator.</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="266"/>
        <location filename="../ui/jobspane.cpp" line="285"/>
        <source>%1: %2 refused: %3</source>
        <translation>%1: %2 abgelehnt: %3</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="270"/>
        <source>%1: run %2 started</source>
        <translation>%1: Lauf %2 gestartet</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="271"/>
        <source>%1: %2 asked</source>
        <translation>%1: %2 angefordert</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/jobspane.cpp" line="289"/>
        <source>%1: %n run(s) cancelled</source>
        <translation>
            <numerusform>%1: %n Lauf abgebrochen</numerusform>
            <numerusform>%1: %n Läufe abgebrochen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="328"/>
        <source>Runs of %1</source>
        <translation>Läufe von %1</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="356"/>
        <source>%1: its runs could not be read: %2</source>
        <translation>%1: Seine Läufe konnten nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="378"/>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="388"/>
        <source>Select a job to see its runs.</source>
        <translation>Wählen Sie einen Job, um seine Läufe zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="389"/>
        <source>This job has not run yet.</source>
        <translation>Dieser Job ist noch nicht gelaufen.</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="390"/>
        <source>Select a run to see its last lines.</source>
        <translation>Wählen Sie einen Lauf, um seine letzten Zeilen zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="395"/>
        <source>&lt;b&gt;Run %1&lt;/b&gt;</source>
        <translation>&lt;b&gt;Lauf %1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="400"/>
        <source>on %1 since %2</source>
        <translation>auf %1 seit %2</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="410"/>
        <source>took %1</source>
        <translation>Dauer %1</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="419"/>
        <source>Its last lines show here when it ends; the Workers pane follows the log of %1 as it is written.</source>
        <translation>Seine letzten Zeilen erscheinen hier, wenn er endet; die Ansicht „Worker“ verfolgt das Log von %1, während es geschrieben wird.</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="422"/>
        <source>No process ran for this time of the schedule.</source>
        <translation>Zu diesem Zeitpunkt des Zeitplans lief kein Prozess.</translation>
    </message>
    <message>
        <location filename="../ui/jobspane.cpp" line="423"/>
        <source>This run wrote nothing.</source>
        <translation>Dieser Lauf hat nichts ausgegeben.</translation>
    </message>
</context>
<context>
    <name>drover::ui::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="244"/>
        <source>%1 – Drover</source>
        <translation>%1 – Drover</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="97"/>
        <source>Drover</source>
        <translation>Drover</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="104"/>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="167"/>
        <source>Connect to %1</source>
        <translation>Mit %1 verbinden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="169"/>
        <source>Stop Following %1</source>
        <translation>%1 nicht mehr verfolgen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="176"/>
        <source>Charts of %1</source>
        <translation>Diagramme von %1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="184"/>
        <source>Disconnect</source>
        <translation>Trennen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="185"/>
        <source>Disconnect and Forget</source>
        <translation>Trennen und vergessen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="193"/>
        <source>Connect to Master…</source>
        <translation>Mit Master verbinden…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="194"/>
        <source>Add Fleet…</source>
        <translation>Flotte hinzufügen…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="198"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="199"/>
        <source>&amp;Connect to Master…</source>
        <translation>Mit Master &amp;verbinden…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="202"/>
        <source>Add &amp;Fleet…</source>
        <translation>&amp;Flotte hinzufügen…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="203"/>
        <source>&amp;Open Config…</source>
        <translation>Konfiguration &amp;öffnen…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="205"/>
        <source>Open Config</source>
        <translation>Konfiguration öffnen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="205"/>
        <source>YAML files (*.yaml *.yml);;All files (*)</source>
        <translation>YAML-Dateien (*.yaml *.yml);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="210"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="212"/>
        <source>W&amp;orkers</source>
        <translation>W&amp;orker</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="223"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="225"/>
        <source>&amp;Master Charts</source>
        <translation>&amp;Master-Diagramme</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="229"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="230"/>
        <source>&amp;About Drover</source>
        <translation>Über &amp;Drover</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="231"/>
        <source>About Drover</source>
        <translation>Über Drover</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="232"/>
        <source>&lt;b&gt;Drover %1&lt;/b&gt;&lt;p&gt;A process and pool manager for native workers: supervision, health probes, pools and rollouts, with this console, droverd and droverctl.&lt;/p&gt;</source>
        <translation>&lt;b&gt;Drover %1&lt;/b&gt;&lt;p&gt;Ein Prozess- und Pool-Manager für native Worker: Überwachung, Gesundheitsprüfungen, Pools und Rollouts, mit dieser Konsole, droverd und droverctl.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="251"/>
        <source>Unknown certificate</source>
        <translation>Unbekanntes Zertifikat</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="252"/>
        <source>The master &lt;b&gt;%1&lt;/b&gt; presents a certificate that this computer does not trust.</source>
        <translation>Der Master &lt;b&gt;%1&lt;/b&gt; legt ein Zertifikat vor, dem dieser Rechner nicht vertraut.</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="257"/>
        <source>Its SHA-256 fingerprint is:&lt;p&gt;&lt;tt&gt;%1&lt;/tt&gt;&lt;p&gt;Compare it with the one droverd logged when it started on that host. If they are the same, trust this certificate: Drover will accept exactly this one for %2 from now on.</source>
        <translation>Sein SHA-256-Fingerabdruck lautet:&lt;p&gt;&lt;tt&gt;%1&lt;/tt&gt;&lt;p&gt;Vergleichen Sie ihn mit dem Fingerabdruck, den droverd beim Start auf jenem Host protokolliert hat. Stimmen beide überein, vertrauen Sie diesem Zertifikat: Drover akzeptiert für %2 von nun an genau dieses eine.</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="261"/>
        <source>Trust and Connect</source>
        <translation>Vertrauen und verbinden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="475"/>
        <location filename="../ui/mainwindow.cpp" line="479"/>
        <source>%1 — Drover config</source>
        <translation>%1 — Drover-Konfiguration</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="627"/>
        <source>The token is kept in %1.</source>
        <translation>Das Token ist gespeichert: %1.</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="628"/>
        <source>The token could not be kept: %1.</source>
        <translation>Das Token konnte nicht gespeichert werden: %1.</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="695"/>
        <source>loading…</source>
        <translation>wird geladen…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="698"/>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="702"/>
        <location filename="../ui/mainwindow.cpp" line="773"/>
        <source>connecting…</source>
        <translation>verbinde…</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="709"/>
        <source>retry in %n s</source>
        <translation>
            <numerusform>neuer Versuch in %n s</numerusform>
            <numerusform>neuer Versuch in %n s</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="715"/>
        <source>refused</source>
        <translation>abgewiesen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="719"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="723"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="746"/>
        <source>%1 · %n running</source>
        <translation>
            <numerusform>%1 · %n läuft</numerusform>
            <numerusform>%1 · %n laufen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="747"/>
        <source>%1 · job</source>
        <translation>%1 · Job</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="756"/>
        <location filename="../ui/mainwindow.cpp" line="794"/>
        <source>%1 · %2/%3</source>
        <translation>%1 · %2/%3</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="775"/>
        <source>etcd lost</source>
        <translation>etcd verloren</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="777"/>
        <source>%n master(s)</source>
        <translation>
            <numerusform>%n Master</numerusform>
            <numerusform>%n Master</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="778"/>
        <location filename="../ui/mainwindow.cpp" line="806"/>
        <source>Fleet %1 · %2</source>
        <translation>Flotte %1 · %2</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="796"/>
        <source>%1 (%2): %3. Double-click to connect.</source>
        <translation>%1 (%2): %3. Doppelklick verbindet.</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="811"/>
        <source>No master: File &gt; Connect to Master…</source>
        <translation>Kein Master: Datei &gt; Mit Master verbinden…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="819"/>
        <source>embedded, Drover %1</source>
        <translation>eingebettet, Drover %1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="822"/>
        <source>%1 · refused: %2</source>
        <translation>%1 · abgewiesen: %2</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="824"/>
        <source>%1 · link down: %2</source>
        <translation>%1 · Verbindung unterbrochen: %2</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="826"/>
        <source>%1 · role %2 · config %3 · %4</source>
        <translation>%1 · Rolle %2 · Konfiguration %3 · %4</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="722"/>
        <source>%1: %2 of %3 workers ready</source>
        <translation>%1: %2 von %3 Workern bereit</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="829"/>
        <source>%1 · connecting…</source>
        <translation>%1 · verbinde…</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="833"/>
        <source>%n failed</source>
        <translation>
            <numerusform>%n fehlgeschlagen</numerusform>
            <numerusform>%n fehlgeschlagen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ui::MasterView</name>
    <message>
        <location filename="../ui/masterview.cpp" line="35"/>
        <source>&amp;Workers</source>
        <translation>&amp;Worker</translation>
    </message>
    <message>
        <location filename="../ui/masterview.cpp" line="36"/>
        <source>&amp;Pools</source>
        <translation>&amp;Pools</translation>
    </message>
    <message>
        <location filename="../ui/masterview.cpp" line="37"/>
        <source>&amp;Rollouts</source>
        <translation>&amp;Rollouts</translation>
    </message>
    <message>
        <location filename="../ui/masterview.cpp" line="38"/>
        <source>&amp;Jobs</source>
        <translation>&amp;Jobs</translation>
    </message>
    <message>
        <location filename="../ui/masterview.cpp" line="39"/>
        <source>&amp;Health</source>
        <translation>&amp;Gesundheit</translation>
    </message>
    <message>
        <location filename="../ui/masterview.cpp" line="40"/>
        <source>&amp;Charts</source>
        <translation>Diag&amp;ramme</translation>
    </message>
    <message>
        <location filename="../ui/masterview.cpp" line="41"/>
        <source>&amp;Events</source>
        <translation>&amp;Ereignisse</translation>
    </message>
    <message>
        <location filename="../ui/masterview.cpp" line="42"/>
        <source>C&amp;onfig</source>
        <translation>K&amp;onfiguration</translation>
    </message>
</context>
<context>
    <name>drover::ui::PoolDebugger</name>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="34"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="35"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="47"/>
        <source>expired</source>
        <translation>abgelaufen</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="50"/>
        <source>in %1 s</source>
        <translation>in %1 s</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="52"/>
        <source>in %1 min %2 s</source>
        <translation>in %1 min %2 s</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="53"/>
        <source>in %1 h %2 min</source>
        <translation>in %1 h %2 min</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="93"/>
        <source>Requests and leases waiting for a free worker, out of the queue&apos;s bound (gateway.queue.max); beyond it they get a 503</source>
        <translation>Anfragen und Leihen, die auf einen freien Worker warten, von der Obergrenze der Warteschlange (gateway.queue.max); darüber hinaus bekommen sie eine 503</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="96"/>
        <source>Queue</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="101"/>
        <source>Requests/s</source>
        <translation>Anfragen/s</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="102"/>
        <source>Requests and leases finished per second, over the last update</source>
        <translation>Abgeschlossene Anfragen und Leihen pro Sekunde, seit der letzten Aktualisierung</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="103"/>
        <source>Latency p50 / p99</source>
        <translation>Latenz p50 / p99</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="104"/>
        <source>Arrival to the response&apos;s header, over the last 2048 requests</source>
        <translation>Vom Eingang bis zum Kopf der Antwort, über die letzten 2048 Anfragen</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="105"/>
        <source>Queue wait p50 / p99</source>
        <translation>Wartezeit p50 / p99</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="106"/>
        <source>Time waited for a free worker, over the last 2048 requests</source>
        <translation>Wartezeit auf einen freien Worker, über die letzten 2048 Anfragen</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="107"/>
        <source>In flight</source>
        <translation>In Bearbeitung</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="108"/>
        <source>Requests and leases held by the pool&apos;s workers now</source>
        <translation>Anfragen und Leihen, die die Worker des Pools gerade halten</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="109"/>
        <source>2xx · 4xx · 5xx</source>
        <translation>2xx · 4xx · 5xx</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="110"/>
        <source>Responses by class since the gateway opened</source>
        <translation>Antworten nach Klasse, seit das Gateway offen ist</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="111"/>
        <source>429 · 503 · 504</source>
        <translation>429 · 503 · 504</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="112"/>
        <source>Rate-limited, rejected (queue full or no worker in time) and timed out</source>
        <translation>Rate begrenzt, abgewiesen (Warteschlange voll oder kein Worker rechtzeitig frei) und Zeit überschritten</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="113"/>
        <source>Retries</source>
        <translation>Wiederholungen</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="114"/>
        <source>Requests sent to another worker after the first failed</source>
        <translation>Anfragen, die an einen anderen Worker gingen, nachdem der erste versagt hatte</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="115"/>
        <source>Cold starts</source>
        <translation>Kaltstarts</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="116"/>
        <source>Requests that waited for a worker to start from zero; the last one&apos;s wait</source>
        <translation>Anfragen, die warteten, bis ein Worker aus null startete; die Wartezeit der letzten</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="117"/>
        <source>Ejections</source>
        <translation>Auswürfe</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="118"/>
        <source>Times a worker&apos;s circuit breaker opened</source>
        <translation>Wie oft der Circuit Breaker eines Workers geöffnet hat</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="119"/>
        <source>Tunnels</source>
        <translation>Tunnel</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="120"/>
        <source>Upgraded connections (WebSocket) passed through now</source>
        <translation>Gerade durchgereichte umgestellte Verbindungen (WebSocket)</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="121"/>
        <source>Leases granted · expired</source>
        <translation>Leihen gewährt · abgelaufen</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="122"/>
        <source>Workers lent through pool.acquire, and leases taken back at their TTL</source>
        <translation>Über pool.acquire verliehene Worker, und Leihen, die nach ihrer TTL zurückgenommen wurden</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="130"/>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="131"/>
        <source>Queue wait</source>
        <translation>Wartezeit</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="132"/>
        <source>What the height of a mark shows</source>
        <translation>Was die Höhe einer Marke zeigt</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="141"/>
        <source>Height:</source>
        <translation>Höhe:</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="179"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="179"/>
        <source>Workers</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="179"/>
        <source>Why</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="191"/>
        <source>Lease</source>
        <translation>Leihe</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="191"/>
        <source>Worker</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="191"/>
        <source>Endpoint</source>
        <translation>Endpunkt</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="191"/>
        <source>Expires</source>
        <translation>Läuft ab</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="196"/>
        <source>Flight recorder</source>
        <translation>Flugschreiber</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="197"/>
        <location filename="../ui/pooldebugger.cpp" line="462"/>
        <source>Scale events</source>
        <translation>Skalierungen</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="198"/>
        <location filename="../ui/pooldebugger.cpp" line="441"/>
        <source>Leases</source>
        <translation>Leihen</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="340"/>
        <source>All pools</source>
        <translation>Alle Pools</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="341"/>
        <source>Select a pool above to debug its traffic: its workers&apos; requests in flight, its queue, the last routing decisions, scale events and leases.</source>
        <translation>Wählen Sie oben einen Pool, um seinen Verkehr zu untersuchen: die laufenden Anfragen seiner Worker, seine Warteschlange, die letzten Routing-Entscheidungen, Skalierungen und Leihen.</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="350"/>
        <source>Pool %1</source>
        <translation>Pool %1</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="352"/>
        <source>Asking the master for the traffic of %1…</source>
        <translation>Frage den Master nach dem Verkehr von %1…</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="353"/>
        <source>The master did not give the traffic of %1: %2</source>
        <translation>Der Master gab den Verkehr von %1 nicht heraus: %2</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="362"/>
        <source>Pool %1 · no gateway</source>
        <translation>Pool %1 · kein Gateway</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="364"/>
        <source>Pool %1 has no gateway and has lent no worker, so no request passes through Drover to trace here.&lt;br&gt;Give it a &lt;tt&gt;gateway:&lt;/tt&gt; section (docs/config.md) to route HTTP to its workers through a queue, or lend its workers to clients with &lt;tt&gt;pool.acquire&lt;/tt&gt;.</source>
        <translation>Pool %1 hat kein Gateway und hat keinen Worker verliehen; keine Anfrage geht durch Drover, die hier zu verfolgen wäre.&lt;br&gt;Geben Sie ihm einen Abschnitt &lt;tt&gt;gateway:&lt;/tt&gt; (docs/config.md), um HTTP über eine Warteschlange an seine Worker zu leiten, oder verleihen Sie seine Worker mit &lt;tt&gt;pool.acquire&lt;/tt&gt; an Clients.</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="377"/>
        <source>Pool %1 · leases only (no gateway)</source>
        <translation>Pool %1 · nur Leihen (kein Gateway)</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="378"/>
        <source>Pool %1 · gateway %2</source>
        <translation>Pool %1 · Gateway %2</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="390"/>
        <source>%1 of %2 queued</source>
        <translation>%1 von %2 wartend</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="409"/>
        <source>%1 (last %2)</source>
        <translation>%1 (zuletzt %2)</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="442"/>
        <source>Leases (%1)</source>
        <translation>Leihen (%1)</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="461"/>
        <source>Scale events (%1)</source>
        <translation>Skalierungen (%1)</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="476"/>
        <source>&lt;i&gt;Click a mark or a row, or drag across the timeline, to see why a request took as long as it did.&lt;/i&gt;</source>
        <translation>&lt;i&gt;Klicken Sie auf eine Marke oder eine Zeile, oder ziehen Sie über die Zeitleiste, um zu sehen, warum eine Anfrage so lange dauerte.&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="483"/>
        <source>&lt;b&gt;%1 %2&lt;/b&gt; at %3 (request %4): </source>
        <translation>&lt;b&gt;%1 %2&lt;/b&gt; um %3 (Anfrage %4): </translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="487"/>
        <source>no worker took it; %1 after waiting %2 in the queue.</source>
        <translation>kein Worker nahm sie an; %1 nach %2 in der Warteschlange.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/pooldebugger.cpp" line="490"/>
        <source>%1 on %2 after %n attempt(s).</source>
        <translation>
            <numerusform>%1 auf %2 nach %n Versuch.</numerusform>
            <numerusform>%1 auf %2 nach %n Versuchen.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="496"/>
        <source>Waited %1 for a free worker.</source>
        <translation>Wartete %1 auf einen freien Worker.</translation>
    </message>
    <message>
        <location filename="../ui/pooldebugger.cpp" line="499"/>
        <source>Total %1: %2 waiting in the queue, %3 with the worker.</source>
        <translation>Gesamt %1: %2 in der Warteschlange, %3 beim Worker.</translation>
    </message>
</context>
<context>
    <name>drover::ui::PoolTiles</name>
    <message>
        <location filename="../ui/pooltiles.cpp" line="169"/>
        <source>No workers to show.</source>
        <translation>Keine Worker anzuzeigen.</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="187"/>
        <source>%1 · %2 of %3 ready</source>
        <translation>%1 · %2 von %3 bereit</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="239"/>
        <source>↻ %1</source>
        <translation>↻ %1</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="260"/>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="277"/>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="306"/>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="307"/>
        <source>half-open</source>
        <translation>halb offen</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="308"/>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/pooltiles.cpp" line="320"/>
        <source>%n served</source>
        <translation>
            <numerusform>%n bedient</numerusform>
            <numerusform>%n bedient</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/pooltiles.cpp" line="322"/>
        <source>%n ejected</source>
        <translation>
            <numerusform>%n× ausgeworfen</numerusform>
            <numerusform>%n× ausgeworfen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="340"/>
        <source>&lt;b&gt;%1&lt;/b&gt; (%2)</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; (%2)</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="344"/>
        <source>pid %1</source>
        <translation>PID %1</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="346"/>
        <source>port %1</source>
        <translation>Port %1</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="347"/>
        <source>restarts %1</source>
        <translation>Neustarts %1</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="350"/>
        <source>CPU %1 %</source>
        <translation>CPU %1 %</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="356"/>
        <source>in flight %1 of %2 · served %3 · breaker %4 · ejected %5×</source>
        <translation>in Bearbeitung %1 von %2 · bedient %3 · Breaker %4 · ausgeworfen %5×</translation>
    </message>
    <message>
        <location filename="../ui/pooltiles.cpp" line="363"/>
        <source>Double-click to open it in the workers pane</source>
        <translation>Doppelklicken, um ihn in der Ansicht „Worker“ zu öffnen</translation>
    </message>
</context>
<context>
    <name>drover::ui::PoolsPane</name>
    <message>
        <location filename="../ui/poolspane.cpp" line="30"/>
        <source>Scale…</source>
        <translation>Skalieren…</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="65"/>
        <source>Double-click a pool for its workers; below, the selected pool&apos;s workers and traffic (every pool&apos;s workers when none is selected).</source>
        <translation>Doppelklick auf einen Pool zeigt seine Worker; darunter die Worker und der Verkehr des gewählten Pools (die Worker aller Pools, wenn keiner gewählt ist).</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="75"/>
        <source>Scale %1</source>
        <translation>%1 skalieren</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="76"/>
        <source>Number of workers in %1:</source>
        <translation>Anzahl der Worker in %1:</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="92"/>
        <source>%1 scaled to %2</source>
        <translation>%1 auf %2 skaliert</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="93"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="125"/>
        <source>Your role (%1) may not scale pools: that needs operator.</source>
        <translation>Ihre Rolle (%1) darf keine Pools skalieren: dazu braucht es operator.</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="127"/>
        <source>Set the number of workers of the selected pool</source>
        <translation>Die Anzahl der Worker des gewählten Pools festlegen</translation>
    </message>
</context>
<context>
    <name>drover::ui::PreviewWindow</name>
    <message>
        <location filename="../ui/previewwindow.cpp" line="25"/>
        <source>Drover console</source>
        <translation>Drover-Konsole</translation>
    </message>
    <message>
        <location filename="../ui/previewwindow.cpp" line="29"/>
        <source>&lt;b&gt;Drover&lt;/b&gt; supervises native worker processes and pools on this machine. This preview shows the pools of the config the embedded master will run; live workers, health and charts come with the next releases.</source>
        <translation>&lt;b&gt;Drover&lt;/b&gt; überwacht native Worker-Prozesse und Pools auf diesem Rechner. Diese Vorschau zeigt die Pools der Konfiguration, die der eingebettete Master ausführen wird; laufende Worker, Gesundheit und Diagramme folgen mit den nächsten Versionen.</translation>
    </message>
    <message>
        <location filename="../ui/previewwindow.cpp" line="60"/>
        <source>Embedded master · Drover %1</source>
        <translation>Eingebetteter Master · Drover %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="87"/>
        <source>This config has %n error(s); nothing from it will run.</source>
        <translation>
            <numerusform>Diese Konfiguration hat %n Fehler; nichts davon wird ausgeführt.</numerusform>
            <numerusform>Diese Konfiguration hat %n Fehler; nichts davon wird ausgeführt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="70"/>
        <source>%n pool(s)</source>
        <translation>
            <numerusform>%n Pool</numerusform>
            <numerusform>%n Pools</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="71"/>
        <source>%n worker(s) at start</source>
        <translation>
            <numerusform>%n Worker beim Start</numerusform>
            <numerusform>%n Worker beim Start</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="72"/>
        <source>%n probe(s)</source>
        <translation>
            <numerusform>%n Prüfung</numerusform>
            <numerusform>%n Prüfungen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="73"/>
        <source>%n gateway(s)</source>
        <translation>
            <numerusform>%n Gateway</numerusform>
            <numerusform>%n Gateways</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="75"/>
        <source>%n job(s)</source>
        <translation>
            <numerusform>%n Job</numerusform>
            <numerusform>%n Jobs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="77"/>
        <source>%n adopted process(es)</source>
        <translation>
            <numerusform>%n übernommener Prozess</numerusform>
            <numerusform>%n übernommene Prozesse</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ui::RolloutsPane</name>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="37"/>
        <source>Pause</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="38"/>
        <source>Hold the rollout where it is (no deadline runs)</source>
        <translation>Den Rollout anhalten, wo er ist (keine Frist läuft)</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="41"/>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="42"/>
        <source>Go on with the paused rollout</source>
        <translation>Den angehaltenen Rollout fortsetzen</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="44"/>
        <source>Abort</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="45"/>
        <source>Give the rollout up: back to the revision it replaced</source>
        <translation>Den Rollout aufgeben: zurück zur Revision, die er ersetzte</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="48"/>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="49"/>
        <source>Back to the previous revision: rolls back a rollout in progress, or rolls out the revision before</source>
        <translation>Zurück zur vorigen Revision: nimmt einen laufenden Rollout zurück oder rollt die Revision davor aus</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="53"/>
        <source>Roll out again</source>
        <translation>Erneut ausrollen</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="54"/>
        <source>Replace every worker of the pool with the same template, as a rollout</source>
        <translation>Jeden Worker des Pools mit derselben Vorlage ersetzen, als Rollout</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="78"/>
        <source>Each pool&apos;s current or last rollout; a change of a pool&apos;s template starts one.</source>
        <translation>Der laufende oder letzte Rollout jedes Pools; eine Änderung der Vorlage eines Pools startet einen.</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="158"/>
        <source>Your role (%1) may not change rollouts: that needs operator.</source>
        <translation>Ihre Rolle (%1) darf Rollouts nicht ändern: dazu braucht es operator.</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="172"/>
        <source>%1: %2 asked</source>
        <translation>%1: %2 angefordert</translation>
    </message>
    <message>
        <location filename="../ui/rolloutspane.cpp" line="173"/>
        <source>%1: %2 refused: %3</source>
        <translation>%1: %2 abgelehnt: %3</translation>
    </message>
</context>
<context>
    <name>drover::ui::ScaleTimeline</name>
    <message>
        <location filename="../ui/traffictimeline.cpp" line="439"/>
        <source>No scale events in the last 15 minutes.</source>
        <translation>Keine Skalierungen in den letzten 15 Minuten.</translation>
    </message>
    <message>
        <location filename="../ui/traffictimeline.cpp" line="482"/>
        <source>&lt;b&gt;%1&lt;/b&gt;: %2 → %3 workers&lt;br&gt;%4</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;: %2 → %3 Worker&lt;br&gt;%4</translation>
    </message>
</context>
<context>
    <name>drover::ui::TokenStore</name>
    <message>
        <location filename="../ui/masterstore.cpp" line="192"/>
        <source>the file %1 (%2)</source>
        <translation>Datei %1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/masterstore.cpp" line="193"/>
        <source>nowhere: %1 cannot be written</source>
        <translation>nirgends: %1 ist nicht beschreibbar</translation>
    </message>
    <message>
        <location filename="../ui/masterstore.cpp" line="196"/>
        <source>the keychain is turned off</source>
        <translation>Schlüsselbund ist ausgeschaltet</translation>
    </message>
    <message>
        <location filename="../ui/masterstore.cpp" line="207"/>
        <location filename="../ui/masterstore.cpp" line="231"/>
        <source>the system keychain</source>
        <translation>System-Schlüsselbund</translation>
    </message>
    <message>
        <location filename="../ui/masterstore.cpp" line="210"/>
        <source>no keychain service: %1</source>
        <translation>kein Schlüsselbund-Dienst: %1</translation>
    </message>
    <message>
        <location filename="../ui/masterstore.cpp" line="219"/>
        <source>the file %1</source>
        <translation>Datei %1</translation>
    </message>
</context>
<context>
    <name>drover::ui::TrafficTimeline</name>
    <message>
        <location filename="../ui/traffictimeline.cpp" line="49"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../ui/traffictimeline.cpp" line="50"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../ui/traffictimeline.cpp" line="60"/>
        <source>%1 → %2, status %3</source>
        <translation>%1 → %2, Status %3</translation>
    </message>
    <message>
        <location filename="../ui/traffictimeline.cpp" line="61"/>
        <source>no worker</source>
        <translation>kein Worker</translation>
    </message>
    <message>
        <location filename="../ui/traffictimeline.cpp" line="64"/>
        <source>queue wait %1 · total %2 · attempts %3</source>
        <translation>Wartezeit %1 · gesamt %2 · Versuche %3</translation>
    </message>
    <message>
        <location filename="../ui/traffictimeline.cpp" line="231"/>
        <source>No requests yet: each request through the gateway will be a mark here.</source>
        <translation>Noch keine Anfragen: jede Anfrage durch das Gateway wird hier eine Marke.</translation>
    </message>
</context>
<context>
    <name>drover::ui::WorkerDetail</name>
    <message>
        <location filename="../ui/workerdetail.cpp" line="33"/>
        <source>Follow</source>
        <translation>Mitlesen</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="37"/>
        <source>Show secret values</source>
        <translation>Geheime Werte zeigen</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="48"/>
        <source>Show new lines of the log as the worker writes them</source>
        <translation>Neue Zeilen des Protokolls zeigen, sobald der Worker sie schreibt</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="49"/>
        <source>Find in log…</source>
        <translation>Im Protokoll suchen…</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="76"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="76"/>
        <source>What happened</source>
        <translation>Was geschah</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="76"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="81"/>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="82"/>
        <source>Process</source>
        <translation>Prozess</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="83"/>
        <source>Recent events</source>
        <translation>Letzte Ereignisse</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="150"/>
        <source>Select a worker to see its details and log.</source>
        <translation>Einen Worker auswählen, um seine Details und sein Protokoll zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="151"/>
        <source>%1 is gone.</source>
        <translation>%1 gibt es nicht mehr.</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="163"/>
        <source>pool %1</source>
        <translation>Pool %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="165"/>
        <source>pid %1</source>
        <translation>PID %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="167"/>
        <source>port %1</source>
        <translation>Port %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="168"/>
        <source>restarts %1</source>
        <translation>Neustarts %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="170"/>
        <source>CPU %1 %</source>
        <translation>CPU %1 %</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="171"/>
        <source>memory %1</source>
        <translation>Speicher %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerdetail.cpp" line="174"/>
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n Thread</numerusform>
            <numerusform>%n Threads</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="176"/>
        <source>last exit %1</source>
        <translation>letztes Ende %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="182"/>
        <source>Limits: %1</source>
        <translation>Limits: %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="186"/>
        <source>Limit not applied: %1</source>
        <translation>Limit nicht angewandt: %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="189"/>
        <source>%1 probe (%2 %3): %4 %5</source>
        <translation>Prüfung %1 (%2 %3): %4 %5</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="205"/>
        <source>Cannot tell what %1 runs: %2</source>
        <translation>Nicht feststellbar, was %1 ausführt: %2</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="233"/>
        <source>This worker has no secret values</source>
        <translation>Dieser Worker hat keine geheimen Werte</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="235"/>
        <source>Secret values are hidden until you show them</source>
        <translation>Geheime Werte bleiben verborgen, bis Sie sie zeigen</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="236"/>
        <source>Only an admin&apos;s connection gets secret values from the master</source>
        <translation>Nur eine Admin-Verbindung erhält geheime Werte vom Master</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="262"/>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="263"/>
        <source>Container</source>
        <translation>Container</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="263"/>
        <source>&lt;i&gt;none yet: podman is starting it&lt;/i&gt;</source>
        <translation>&lt;i&gt;noch keiner: podman startet ihn&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="264"/>
        <source>%1, podman says &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>%1, laut podman &lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="267"/>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="268"/>
        <source>the machine&apos;s (host)</source>
        <translation>das der Maschine (host)</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="269"/>
        <source>its own (private), its port published on 127.0.0.1</source>
        <translation>ein eigenes (private), sein Port auf 127.0.0.1 veröffentlicht</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="270"/>
        <source>Arguments</source>
        <translation>Argumente</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="271"/>
        <source>&lt;i&gt;the image&apos;s own command&lt;/i&gt;</source>
        <translation>&lt;i&gt;der eigene Befehl des Images&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="273"/>
        <source>&lt;i&gt;the image&apos;s own&lt;/i&gt;</source>
        <translation>&lt;i&gt;das des Images&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="275"/>
        <source>Command</source>
        <translation>Befehl</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="276"/>
        <source>&lt;i&gt;none known: watched, not started by Drover&lt;/i&gt;</source>
        <translation>&lt;i&gt;keiner bekannt: nur überwacht, nicht von Drover gestartet&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="273"/>
        <location filename="../ui/workerdetail.cpp" line="278"/>
        <source>Directory</source>
        <translation>Verzeichnis</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="281"/>
        <source>PID file</source>
        <translation>PID-Datei</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="282"/>
        <source>Log file</source>
        <translation>Protokolldatei</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="288"/>
        <source>hidden (secret)</source>
        <translation>verborgen (geheim)</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="292"/>
        <source>Environment</source>
        <translation>Umgebung</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="292"/>
        <source>&lt;i&gt;only what the master passes on&lt;/i&gt;</source>
        <translation>&lt;i&gt;nur was der Master weitergibt&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="295"/>
        <source>The container gets these only, not the master&apos;s environment.</source>
        <translation>Der Container bekommt nur diese, nicht die Umgebung des Masters.</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="297"/>
        <source>Besides these, the worker inherits the master&apos;s environment.</source>
        <translation>Außerdem erbt der Worker die Umgebung des Masters.</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="373"/>
        <source>(cannot follow the log: %1)</source>
        <translation>(Protokoll kann nicht mitgelesen werden: %1)</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerdetail.cpp" line="394"/>
        <source>… %n line(s) skipped</source>
        <translation>
            <numerusform>… %n Zeile ausgelassen</numerusform>
            <numerusform>… %n Zeilen ausgelassen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="396"/>
        <source>… the connection was down: lines may be missing</source>
        <translation>… die Verbindung war unterbrochen: Zeilen können fehlen</translation>
    </message>
</context>
<context>
    <name>drover::ui::WorkersPane</name>
    <message>
        <location filename="../ui/workerspane.cpp" line="39"/>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="40"/>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="41"/>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="51"/>
        <source>Filter by name, pool, state, pid or exit…</source>
        <translation>Nach Name, Pool, Zustand, PID oder Ende filtern…</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="53"/>
        <source>All states</source>
        <translation>Alle Zustände</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="56"/>
        <source>All pools</source>
        <translation>Alle Pools</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="101"/>
        <source>Stop workers</source>
        <translation>Worker anhalten</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="114"/>
        <source>Started %1</source>
        <translation>%1 gestartet</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="124"/>
        <source>Stopped %1</source>
        <translation>%1 angehalten</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="127"/>
        <source>Restarted %1</source>
        <translation>%1 neu gestartet</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="120"/>
        <source>Stop %1? It stays stopped until someone starts it.</source>
        <translation>%1 anhalten? Er bleibt angehalten, bis ihn jemand startet.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerspane.cpp" line="121"/>
        <source>Stop %n workers? They stay stopped until someone starts them.</source>
        <translation>
            <numerusform>%n Worker anhalten? Er bleibt angehalten, bis ihn jemand startet.</numerusform>
            <numerusform>%n Worker anhalten? Sie bleiben angehalten, bis sie jemand startet.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerspane.cpp" line="169"/>
        <source>%n worker(s) shown</source>
        <translation>
            <numerusform>%n Worker angezeigt</numerusform>
            <numerusform>%n Worker angezeigt</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="171"/>
        <source>%1 of %2 ready</source>
        <translation>%1 von %2 bereit</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="240"/>
        <source>Your role (%1) may not start, stop or restart workers: that needs operator.</source>
        <translation>Ihre Rolle (%1) darf Worker nicht starten, anhalten oder neu starten: dazu braucht es operator.</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="243"/>
        <source>Select one or more workers first.</source>
        <translation>Zuerst einen oder mehrere Worker auswählen.</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="259"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/console/main.cpp" line="102"/>
        <source>Drover console: workers, pools and health at a glance.</source>
        <translation>Drover-Konsole: Worker, Pools und Gesundheit auf einen Blick.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="106"/>
        <source>Run this config file.</source>
        <translation>Diese Konfigurationsdatei ausführen.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="110"/>
        <source>Connect to the master at URL (ws:// or wss://).</source>
        <translation>Mit dem Master unter URL verbinden (ws:// oder wss://).</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="114"/>
        <source>Read the access token for --connect from FILE.</source>
        <translation>Das Zugangstoken für --connect aus DATEI lesen.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="118"/>
        <source>For wss://: verify the master against this CA file.</source>
        <translation>Für wss://: den Master mit dieser CA-Datei prüfen.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="122"/>
        <source>For wss://: accept exactly the certificate with this SHA-256 fingerprint.</source>
        <translation>Für wss://: genau das Zertifikat mit diesem SHA-256-Fingerabdruck akzeptieren.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="127"/>
        <source>Follow the fleet of masters registered in etcd at URL (several: comma-separated), instead of the embedded master.</source>
        <translation>Die Flotte der in etcd unter URL eingetragenen Master verfolgen (mehrere: durch Kommas getrennt), statt des eingebetteten Masters.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="133"/>
        <source>The fleet&apos;s key prefix in etcd (master.fleet.prefix).</source>
        <translation>Das Schlüsselpräfix der Flotte in etcd (master.fleet.prefix).</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="137"/>
        <source>Colours: system (the default), light or dark.</source>
        <translation>Farben: system (Vorgabe), light oder dark.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="140"/>
        <source>Language: de or en.</source>
        <translation>Sprache: de oder en.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="144"/>
        <source>Save a picture of the window to FILE and exit.</source>
        <translation>Ein Bild des Fensters in DATEI speichern und beenden.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="148"/>
        <source>Open on this pane: workers, pools, rollouts, jobs, health, charts, events or config.</source>
        <translation>Auf dieser Ansicht öffnen: workers, pools, rollouts, jobs, health, charts, events oder config.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="154"/>
        <source>Select these workers (comma-separated) once shown.</source>
        <translation>Diese Worker auswählen (durch Kommas getrennt), sobald sie angezeigt werden.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="158"/>
        <source>The selected worker&apos;s tab to show: log, process or events.</source>
        <translation>Welcher Reiter des gewählten Workers gezeigt wird: log, process oder events.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="163"/>
        <source>The embedded master&apos;s log on stderr: debug, info, warn (the default) or error.</source>
        <translation>Das Protokoll des eingebetteten Masters auf stderr: debug, info, warn (Vorgabe) oder error.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="230"/>
        <source>Embedded master (%1)</source>
        <translation>Eingebetteter Master (%1)</translation>
    </message>
</context>
</TS>
