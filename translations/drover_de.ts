<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>drover::models::ConfigPoolsModel</name>
    <message>
        <source>%1..%2 (autoscaled)</source>
        <translation>%1..%2 (automatisch skaliert)</translation>
    </message>
    <message>
        <source>startup</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>liveness</source>
        <translation>Lebendigkeit</translation>
    </message>
    <message>
        <source>readiness</source>
        <translation>Bereitschaft</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Pool</source>
        <translation>Pool</translation>
    </message>
    <message>
        <source>Workers</source>
        <translation>Worker</translation>
    </message>
    <message>
        <source>Ports</source>
        <translation>Ports</translation>
    </message>
    <message>
        <source>Probes</source>
        <translation>Prüfungen</translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation>Gateway</translation>
    </message>
    <message>
        <source>Depends on</source>
        <translation>Hängt ab von</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>Revision</translation>
    </message>
</context>
<context>
    <name>drover::ui::PreviewWindow</name>
    <message>
        <source>Drover console</source>
        <translation>Drover-Konsole</translation>
    </message>
    <message>
        <source>&lt;b&gt;Drover&lt;/b&gt; supervises native worker processes and pools on this machine. This preview shows the pools of the config the embedded master will run; live workers, health and charts come with the next releases.</source>
        <translation>&lt;b&gt;Drover&lt;/b&gt; überwacht native Worker-Prozesse und Pools auf diesem Rechner. Diese Vorschau zeigt die Pools der Konfiguration, die der eingebettete Master ausführen wird; laufende Worker, Gesundheit und Diagramme folgen mit den nächsten Versionen.</translation>
    </message>
    <message>
        <source>Embedded master · Drover %1</source>
        <translation>Eingebetteter Master · Drover %1</translation>
    </message>
    <message numerus="yes">
        <source>This config has %n error(s); nothing from it will run.</source>
        <translation>
            <numerusform>Diese Konfiguration hat %n Fehler; nichts davon wird ausgeführt.</numerusform>
            <numerusform>Diese Konfiguration hat %n Fehler; nichts davon wird ausgeführt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n pool(s)</source>
        <translation>
            <numerusform>%n Pool</numerusform>
            <numerusform>%n Pools</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n worker(s) at start</source>
        <translation>
            <numerusform>%n Worker beim Start</numerusform>
            <numerusform>%n Worker beim Start</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n probe(s)</source>
        <translation>
            <numerusform>%n Prüfung</numerusform>
            <numerusform>%n Prüfungen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n gateway(s)</source>
        <translation>
            <numerusform>%n Gateway</numerusform>
            <numerusform>%n Gateways</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n adopted process(es)</source>
        <translation>
            <numerusform>%n übernommener Prozess</numerusform>
            <numerusform>%n übernommene Prozesse</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Drover console: workers, pools and health at a glance.</source>
        <translation>Drover-Konsole: Worker, Pools und Gesundheit auf einen Blick.</translation>
    </message>
    <message>
        <source>Run this config file.</source>
        <translation>Diese Konfigurationsdatei ausführen.</translation>
    </message>
    <message>
        <source>Language: de or en.</source>
        <translation>Sprache: de oder en.</translation>
    </message>
    <message>
        <source>Save a picture of the window to FILE and exit.</source>
        <translation>Ein Bild des Fensters in DATEI speichern und beenden.</translation>
    </message>
</context>
</TS>
