<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>drover::models::ConfigPoolsModel</name>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="18"/>
        <source>%1..%2 (autoscaled)</source>
        <translation>%1..%2 (automatisch skaliert)</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="28"/>
        <source>startup</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="30"/>
        <source>liveness</source>
        <translation>Lebendigkeit</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="32"/>
        <source>readiness</source>
        <translation>Bereitschaft</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="33"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="120"/>
        <source>Pool</source>
        <translation>Pool</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="122"/>
        <source>Workers</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="124"/>
        <source>Ports</source>
        <translation>Ports</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="126"/>
        <source>Probes</source>
        <translation>Prüfungen</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="128"/>
        <source>Gateway</source>
        <translation>Gateway</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="130"/>
        <source>Depends on</source>
        <translation>Hängt ab von</translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="132"/>
        <source>Revision</source>
        <translation>Revision</translation>
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
        <location filename="../models/workersmodel.cpp" line="100"/>
        <source>pending</source>
        <translation>wartend</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="102"/>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="104"/>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="106"/>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="108"/>
        <source>draining</source>
        <translation>leert sich</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="110"/>
        <source>stopping</source>
        <translation>hält an</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="112"/>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="114"/>
        <source>exited</source>
        <translation>beendet</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="116"/>
        <source>backoff</source>
        <translation>wartet auf Neustart</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="118"/>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="158"/>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="158"/>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="199"/>
        <source>Limit not applied: %1</source>
        <translation>Limit nicht angewandt: %1</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="203"/>
        <source>Crashes restarted since the last operator start</source>
        <translation>Seit dem letzten Start durch einen Operator neu gestartete Abstürze</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="228"/>
        <source>Worker</source>
        <translation>Worker</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="230"/>
        <source>Pool</source>
        <translation>Pool</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="232"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="234"/>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="236"/>
        <source>Uptime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="238"/>
        <source>Restarts</source>
        <translation>Neustarts</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="240"/>
        <source>CPU %</source>
        <translation>CPU %</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="242"/>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="244"/>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="246"/>
        <source>Last exit</source>
        <translation>Letztes Ende</translation>
    </message>
</context>
<context>
    <name>drover::ui::EventsPane</name>
    <message>
        <location filename="../ui/eventspane.cpp" line="31"/>
        <source>Search events…</source>
        <translation>Ereignisse durchsuchen…</translation>
    </message>
</context>
<context>
    <name>drover::ui::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="40"/>
        <source>%1 – Drover</source>
        <translation>%1 – Drover</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="43"/>
        <source>&amp;Workers</source>
        <translation>&amp;Worker</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="44"/>
        <source>&amp;Pools</source>
        <translation>&amp;Pools</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="45"/>
        <source>&amp;Events</source>
        <translation>&amp;Ereignisse</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="51"/>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="65"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="66"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="67"/>
        <source>W&amp;orkers</source>
        <translation>W&amp;orker</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="72"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="74"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="75"/>
        <source>&amp;About Drover</source>
        <translation>Über &amp;Drover</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="76"/>
        <source>About Drover</source>
        <translation>Über Drover</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="77"/>
        <source>&lt;b&gt;Drover %1&lt;/b&gt;&lt;p&gt;A process and pool manager for native workers: supervision, health probes, pools and rollouts, with this console, droverd and droverctl.&lt;/p&gt;</source>
        <translation>&lt;b&gt;Drover %1&lt;/b&gt;&lt;p&gt;Ein Prozess- und Pool-Manager für native Worker: Überwachung, Gesundheitsprüfungen, Pools und Rollouts, mit dieser Konsole, droverd und droverctl.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="141"/>
        <location filename="../ui/mainwindow.cpp" line="157"/>
        <source>%1 · %2/%3</source>
        <translation>%1 · %2/%3</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="142"/>
        <source>%1: %2 of %3 workers ready</source>
        <translation>%1: %2 von %3 Workern bereit</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="175"/>
        <source>%1 · role %2 · config %3 · Drover %4</source>
        <translation>%1 · Rolle %2 · Konfiguration %3 · Drover %4</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="177"/>
        <source>%1 · connecting…</source>
        <translation>%1 · verbinde…</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="181"/>
        <source>%n failed</source>
        <translation>
            <numerusform>%n fehlgeschlagen</numerusform>
            <numerusform>%n fehlgeschlagen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ui::PoolsPane</name>
    <message>
        <location filename="../ui/poolspane.cpp" line="24"/>
        <source>Scale…</source>
        <translation>Skalieren…</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="51"/>
        <source>Scale %1</source>
        <translation>%1 skalieren</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="52"/>
        <source>Number of workers in %1:</source>
        <translation>Anzahl der Worker in %1:</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="66"/>
        <source>%1 scaled to %2</source>
        <translation>%1 auf %2 skaliert</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="67"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="96"/>
        <source>Your role (%1) may not scale pools: that needs operator.</source>
        <translation>Ihre Rolle (%1) darf keine Pools skalieren: dazu braucht es operator.</translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="98"/>
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
        <location filename="../ui/previewwindow.cpp" line="85"/>
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
        <source>%n adopted process(es)</source>
        <translation>
            <numerusform>%n übernommener Prozess</numerusform>
            <numerusform>%n übernommene Prozesse</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ui::WorkerDetail</name>
    <message>
        <location filename="../ui/workerdetail.cpp" line="25"/>
        <source>Follow</source>
        <translation>Mitlesen</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="36"/>
        <source>Show new lines of the log as the worker writes them</source>
        <translation>Neue Zeilen des Protokolls zeigen, sobald der Worker sie schreibt</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="37"/>
        <source>Find in log…</source>
        <translation>Im Protokoll suchen…</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="41"/>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="101"/>
        <source>Select a worker to see its details and log.</source>
        <translation>Einen Worker auswählen, um seine Details und sein Protokoll zu sehen.</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="102"/>
        <source>%1 is gone.</source>
        <translation>%1 gibt es nicht mehr.</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="112"/>
        <source>pool %1</source>
        <translation>Pool %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="114"/>
        <source>pid %1</source>
        <translation>PID %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="116"/>
        <source>port %1</source>
        <translation>Port %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="117"/>
        <source>restarts %1</source>
        <translation>Neustarts %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="119"/>
        <source>CPU %1 %</source>
        <translation>CPU %1 %</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="120"/>
        <source>memory %1</source>
        <translation>Speicher %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerdetail.cpp" line="123"/>
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n Thread</numerusform>
            <numerusform>%n Threads</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="125"/>
        <source>last exit %1</source>
        <translation>letztes Ende %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="131"/>
        <source>Limits: %1</source>
        <translation>Limits: %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="135"/>
        <source>Limit not applied: %1</source>
        <translation>Limit nicht angewandt: %1</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="138"/>
        <source>%1 probe (%2 %3): %4 %5</source>
        <translation>Prüfung %1 (%2 %3): %4 %5</translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="171"/>
        <source>(cannot follow the log: %1)</source>
        <translation>(Protokoll kann nicht mitgelesen werden: %1)</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerdetail.cpp" line="192"/>
        <source>… %n line(s) skipped</source>
        <translation>
            <numerusform>… %n Zeile ausgelassen</numerusform>
            <numerusform>… %n Zeilen ausgelassen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="194"/>
        <source>… the connection was down: lines may be missing</source>
        <translation>… die Verbindung war unterbrochen: Zeilen können fehlen</translation>
    </message>
</context>
<context>
    <name>drover::ui::WorkersPane</name>
    <message>
        <location filename="../ui/workerspane.cpp" line="38"/>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="39"/>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="40"/>
        <source>Restart</source>
        <translation>Neu starten</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="50"/>
        <source>Filter by name, pool, state, pid or exit…</source>
        <translation>Nach Name, Pool, Zustand, PID oder Ende filtern…</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="52"/>
        <source>All states</source>
        <translation>Alle Zustände</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="55"/>
        <source>All pools</source>
        <translation>Alle Pools</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="96"/>
        <source>Stop workers</source>
        <translation>Worker anhalten</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="108"/>
        <source>Started %1</source>
        <translation>%1 gestartet</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="118"/>
        <source>Stopped %1</source>
        <translation>%1 angehalten</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="121"/>
        <source>Restarted %1</source>
        <translation>%1 neu gestartet</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="114"/>
        <source>Stop %1? It stays stopped until someone starts it.</source>
        <translation>%1 anhalten? Er bleibt angehalten, bis ihn jemand startet.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerspane.cpp" line="115"/>
        <source>Stop %n workers? They stay stopped until someone starts them.</source>
        <translation>
            <numerusform>%n Worker anhalten? Er bleibt angehalten, bis ihn jemand startet.</numerusform>
            <numerusform>%n Worker anhalten? Sie bleiben angehalten, bis sie jemand startet.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerspane.cpp" line="161"/>
        <source>%n worker(s) shown</source>
        <translation>
            <numerusform>%n Worker angezeigt</numerusform>
            <numerusform>%n Worker angezeigt</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="163"/>
        <source>%1 of %2 ready</source>
        <translation>%1 von %2 bereit</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="204"/>
        <source>Your role (%1) may not start, stop or restart workers: that needs operator.</source>
        <translation>Ihre Rolle (%1) darf Worker nicht starten, anhalten oder neu starten: dazu braucht es operator.</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="207"/>
        <source>Select one or more workers first.</source>
        <translation>Zuerst einen oder mehrere Worker auswählen.</translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="223"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/console/main.cpp" line="85"/>
        <source>Drover console: workers, pools and health at a glance.</source>
        <translation>Drover-Konsole: Worker, Pools und Gesundheit auf einen Blick.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="89"/>
        <source>Run this config file.</source>
        <translation>Diese Konfigurationsdatei ausführen.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="93"/>
        <source>Connect to the master at URL (ws:// or wss://).</source>
        <translation>Mit dem Master unter URL verbinden (ws:// oder wss://).</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="97"/>
        <source>Read the access token for --connect from FILE.</source>
        <translation>Das Zugangstoken für --connect aus DATEI lesen.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="100"/>
        <source>Language: de or en.</source>
        <translation>Sprache: de oder en.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="104"/>
        <source>Save a picture of the window to FILE and exit.</source>
        <translation>Ein Bild des Fensters in DATEI speichern und beenden.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="108"/>
        <source>Open on this pane: workers, pools or events.</source>
        <translation>Mit dieser Ansicht öffnen: workers, pools oder events.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="112"/>
        <source>The embedded master&apos;s log on stderr: debug, info, warn (the default) or error.</source>
        <translation>Das Protokoll des eingebetteten Masters auf stderr: debug, info, warn (Vorgabe) oder error.</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="179"/>
        <source>Embedded master (%1)</source>
        <translation>Eingebetteter Master (%1)</translation>
    </message>
</context>
</TS>
