<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>drover::models::ConfigPoolsModel</name>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="18"/>
        <source>%1..%2 (autoscaled)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="28"/>
        <source>startup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="30"/>
        <source>liveness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="32"/>
        <source>readiness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="33"/>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="120"/>
        <source>Pool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="122"/>
        <source>Workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="124"/>
        <source>Ports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="126"/>
        <source>Probes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="128"/>
        <source>Gateway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="130"/>
        <source>Depends on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/configpoolsmodel.cpp" line="132"/>
        <source>Revision</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::models::EventsModel</name>
    <message>
        <location filename="../models/eventsmodel.cpp" line="61"/>
        <source>Reason: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/eventsmodel.cpp" line="86"/>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/eventsmodel.cpp" line="88"/>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/eventsmodel.cpp" line="90"/>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/eventsmodel.cpp" line="92"/>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::models::PoolsModel</name>
    <message>
        <location filename="../models/poolsmodel.cpp" line="21"/>
        <source>waiting for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="23"/>
        <source>all ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../models/poolsmodel.cpp" line="25"/>
        <source>%n starting</source>
        <translation>
            <numerusform>%n starting</numerusform>
            <numerusform>%n starting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../models/poolsmodel.cpp" line="26"/>
        <source>%n not ready</source>
        <translation>
            <numerusform>%n not ready</numerusform>
            <numerusform>%n not ready</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="38"/>
        <source>%1 (%2–%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="66"/>
        <source>A hash of the pool&apos;s template: a change of template is a new revision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="68"/>
        <source>Gateway on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="82"/>
        <source>Pool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="84"/>
        <source>Desired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="86"/>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="88"/>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="90"/>
        <source>Restarts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="92"/>
        <source>Revision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/poolsmodel.cpp" line="94"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::models::WorkersModel</name>
    <message>
        <location filename="../models/workersmodel.cpp" line="22"/>
        <source>%1s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="24"/>
        <source>%1m %2s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="26"/>
        <source>%1h %2m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="27"/>
        <source>%1d %2h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="100"/>
        <source>pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="102"/>
        <source>starting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="104"/>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="106"/>
        <source>ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="108"/>
        <source>draining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="110"/>
        <source>stopping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="112"/>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="114"/>
        <source>exited</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="116"/>
        <source>backoff</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="118"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="158"/>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="158"/>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="199"/>
        <source>Limit not applied: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="203"/>
        <source>Crashes restarted since the last operator start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="228"/>
        <source>Worker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="230"/>
        <source>Pool</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="232"/>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="234"/>
        <source>PID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="236"/>
        <source>Uptime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="238"/>
        <source>Restarts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="240"/>
        <source>CPU %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="242"/>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="244"/>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models/workersmodel.cpp" line="246"/>
        <source>Last exit</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::ui::EventsPane</name>
    <message>
        <location filename="../ui/eventspane.cpp" line="31"/>
        <source>Search events…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::ui::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="40"/>
        <source>%1 – Drover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="43"/>
        <source>&amp;Workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="44"/>
        <source>&amp;Pools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="45"/>
        <source>&amp;Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="51"/>
        <source>Connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="65"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="66"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="67"/>
        <source>W&amp;orkers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="72"/>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="74"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="75"/>
        <source>&amp;About Drover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="76"/>
        <source>About Drover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="77"/>
        <source>&lt;b&gt;Drover %1&lt;/b&gt;&lt;p&gt;A process and pool manager for native workers: supervision, health probes, pools and rollouts, with this console, droverd and droverctl.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="141"/>
        <location filename="../ui/mainwindow.cpp" line="157"/>
        <source>%1 · %2/%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="142"/>
        <source>%1: %2 of %3 workers ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="175"/>
        <source>%1 · role %2 · config %3 · Drover %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="177"/>
        <source>%1 · connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="181"/>
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ui::PoolsPane</name>
    <message>
        <location filename="../ui/poolspane.cpp" line="24"/>
        <source>Scale…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="51"/>
        <source>Scale %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="52"/>
        <source>Number of workers in %1:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="66"/>
        <source>%1 scaled to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="67"/>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="96"/>
        <source>Your role (%1) may not scale pools: that needs operator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/poolspane.cpp" line="98"/>
        <source>Set the number of workers of the selected pool</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::ui::PreviewWindow</name>
    <message>
        <location filename="../ui/previewwindow.cpp" line="25"/>
        <source>Drover console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/previewwindow.cpp" line="29"/>
        <source>&lt;b&gt;Drover&lt;/b&gt; supervises native worker processes and pools on this machine. This preview shows the pools of the config the embedded master will run; live workers, health and charts come with the next releases.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/previewwindow.cpp" line="60"/>
        <source>Embedded master · Drover %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="70"/>
        <source>%n pool(s)</source>
        <translation>
            <numerusform>%n pool</numerusform>
            <numerusform>%n pools</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="71"/>
        <source>%n worker(s) at start</source>
        <translation>
            <numerusform>%n worker at start</numerusform>
            <numerusform>%n workers at start</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="72"/>
        <source>%n probe(s)</source>
        <translation>
            <numerusform>%n probe</numerusform>
            <numerusform>%n probes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="73"/>
        <source>%n gateway(s)</source>
        <translation>
            <numerusform>%n gateway</numerusform>
            <numerusform>%n gateways</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="75"/>
        <source>%n adopted process(es)</source>
        <translation>
            <numerusform>%n adopted process</numerusform>
            <numerusform>%n adopted processes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/previewwindow.cpp" line="85"/>
        <source>This config has %n error(s); nothing from it will run.</source>
        <translation>
            <numerusform>This config has %n error; nothing from it will run.</numerusform>
            <numerusform>This config has %n errors; nothing from it will run.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>drover::ui::WorkerDetail</name>
    <message>
        <location filename="../ui/workerdetail.cpp" line="25"/>
        <source>Follow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="36"/>
        <source>Show new lines of the log as the worker writes them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="37"/>
        <source>Find in log…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="41"/>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="101"/>
        <source>Select a worker to see its details and log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="102"/>
        <source>%1 is gone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="112"/>
        <source>pool %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="114"/>
        <source>pid %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="116"/>
        <source>port %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="117"/>
        <source>restarts %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="119"/>
        <source>CPU %1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="120"/>
        <source>memory %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerdetail.cpp" line="123"/>
        <source>%n thread(s)</source>
        <translation>
            <numerusform>%n thread</numerusform>
            <numerusform>%n threads</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="125"/>
        <source>last exit %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="131"/>
        <source>Limits: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="135"/>
        <source>Limit not applied: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="138"/>
        <source>%1 probe (%2 %3): %4 %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="171"/>
        <source>(cannot follow the log: %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerdetail.cpp" line="192"/>
        <source>… %n line(s) skipped</source>
        <translation>
            <numerusform>… %n line skipped</numerusform>
            <numerusform>… %n lines skipped</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workerdetail.cpp" line="194"/>
        <source>… the connection was down: lines may be missing</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>drover::ui::WorkersPane</name>
    <message>
        <location filename="../ui/workerspane.cpp" line="38"/>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="39"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="40"/>
        <source>Restart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="50"/>
        <source>Filter by name, pool, state, pid or exit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="52"/>
        <source>All states</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="55"/>
        <source>All pools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="96"/>
        <source>Stop workers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="108"/>
        <source>Started %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="118"/>
        <source>Stopped %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="121"/>
        <source>Restarted %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="114"/>
        <source>Stop %1? It stays stopped until someone starts it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerspane.cpp" line="115"/>
        <source>Stop %n workers? They stay stopped until someone starts them.</source>
        <translation>
            <numerusform>Stop %n worker? It stays stopped until someone starts it.</numerusform>
            <numerusform>Stop %n workers? They stay stopped until someone starts them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/workerspane.cpp" line="161"/>
        <source>%n worker(s) shown</source>
        <translation>
            <numerusform>%n worker shown</numerusform>
            <numerusform>%n workers shown</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="163"/>
        <source>%1 of %2 ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="204"/>
        <source>Your role (%1) may not start, stop or restart workers: that needs operator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="207"/>
        <source>Select one or more workers first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/workerspane.cpp" line="223"/>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/console/main.cpp" line="85"/>
        <source>Drover console: workers, pools and health at a glance.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="89"/>
        <source>Run this config file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="93"/>
        <source>Connect to the master at URL (ws:// or wss://).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="97"/>
        <source>Read the access token for --connect from FILE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="100"/>
        <source>Language: de or en.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="104"/>
        <source>Save a picture of the window to FILE and exit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="108"/>
        <source>Open on this pane: workers, pools or events.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="112"/>
        <source>The embedded master&apos;s log on stderr: debug, info, warn (the default) or error.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="179"/>
        <source>Embedded master (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
