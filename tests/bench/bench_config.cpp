// How long loading takes, against parsing the same text with plain yaml-cpp (the floor any
// YAML-based loader pays), and how fast hostile input is refused.
//   build/bench/bench_config [iterations]
// Prints `RESULT bench=config_load ...` and `RESULT bench=config_hostile ...` lines.
#include "config/loader.h"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace {

double millis(const std::function<void()> &fn, int iterations)
{
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i)
        fn();
    std::chrono::duration<double, std::milli> d = std::chrono::steady_clock::now() - start;
    return d.count() / iterations;
}

std::string readFile(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string manyPools(int n)
{
    std::string y = "version: 1\npools:\n";
    for (int i = 0; i < n; ++i) {
        y += "  - name: p" + std::to_string(i) +
             "\n    command: [/bin/app, \"--port\", \"{{port}}\"]\n" +
             "    ports: " + std::to_string(10000 + i * 4) + "-" +
             std::to_string(10000 + i * 4 + 3) +
             "\n    replicas: 2\n    env: {A: \"${HOME}\", B: x}\n" +
             "    probes: {readiness: {http: {url: \"http://127.0.0.1:{{port}}/ready\"}}}\n";
    }
    return y;
}

void compare(const std::string &name, const std::string &text, int iterations)
{
    double ours = millis([&] { (void)drover::config::loadText(text, name); }, iterations);
    double yaml = millis([&] { (void)YAML::Load(text); }, iterations);
    std::printf("RESULT bench=config_load doc=%s bytes=%zu drover_ms=%.3f yamlcpp_load_ms=%.3f "
                "ratio=%.2f\n",
                name.c_str(), text.size(), ours, yaml, ours / yaml);
}

} // namespace

int main(int argc, char **argv)
{
    int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
    compare("demo.yaml", readFile(DROVER_SOURCE_DIR "/resources/examples/demo.yaml"), iterations);
    compare("1000-pools", manyPools(1000), std::max(1, iterations / 50));

    struct Hostile
    {
        const char *name;
        std::string text;
    };
    std::string laughs = "version: 1\nlol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (int i = 1; i <= 9; ++i) {
        laughs += "lol" + std::to_string(i) + ": &lol" + std::to_string(i) + " [";
        for (int k = 0; k < 9; ++k)
            laughs += (k ? ", *lol" : "*lol") + std::to_string(i - 1);
        laughs += "]\n";
    }
    std::string maps;
    for (int i = 0; i < 10000; ++i)
        maps += "{a: ";
    std::string wide = "version: 1\nx: [";
    for (int i = 0; i < 199'000; ++i)
        wide += "1,";
    wide += "1]\n";
    Hostile cases[] = {{"nesting-10000", std::string(10000, '[')},
                       {"nesting-maps-10000", maps},
                       {"billion-laughs", laughs},
                       {"binary-4MiB", std::string(4 << 20, '\x01')},
                       {"199k-values-one-line", wide},
                       {"empty", ""}};
    for (const Hostile &h : cases) {
        double ms = millis([&] { (void)drover::config::loadText(h.text, h.name); }, 3);
        std::printf("RESULT bench=config_hostile doc=%s bytes=%zu ms=%.2f\n", h.name, h.text.size(),
                    ms);
    }
    return 0;
}
