<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>drover::ui::PreviewWindow</name>
    <message numerus="yes">
        <source>%n pool(s)</source>
        <translation>
            <numerusform>%n pool</numerusform>
            <numerusform>%n pools</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n worker(s) at start</source>
        <translation>
            <numerusform>%n worker at start</numerusform>
            <numerusform>%n workers at start</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n probe(s)</source>
        <translation>
            <numerusform>%n probe</numerusform>
            <numerusform>%n probes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n gateway(s)</source>
        <translation>
            <numerusform>%n gateway</numerusform>
            <numerusform>%n gateways</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n adopted process(es)</source>
        <translation>
            <numerusform>%n adopted process</numerusform>
            <numerusform>%n adopted processes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>This config has %n error(s); nothing from it will run.</source>
        <translation>
            <numerusform>This config has %n error; nothing from it will run.</numerusform>
            <numerusform>This config has %n errors; nothing from it will run.</numerusform>
        </translation>
    </message>
</context>
</TS>
